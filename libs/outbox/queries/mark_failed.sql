-- A failed attempt: counted and explained; the relay retries with backoff.
UPDATE outbox
SET delivery_attempts = delivery_attempts + 1, last_delivery_error = $2
WHERE position = ANY($1::bigint[])
