-- Acknowledged by the consumer. $2: the consumer's remark (a conflict), NULL for none.
UPDATE outbox
SET delivered_at = now(), delivery_attempts = delivery_attempts + 1,
    last_delivery_error = $2, next_attempt_at = NULL
WHERE position = ANY($1::bigint[])
