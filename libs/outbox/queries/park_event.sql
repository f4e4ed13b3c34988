-- The consumer refused this event for good (invalid): keep it, stop retrying it, say why.
UPDATE outbox
SET delivery_attempts = delivery_attempts + 1, last_delivery_error = $2,
    next_attempt_at = 'infinity'
WHERE position = $1
