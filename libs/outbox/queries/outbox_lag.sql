-- Pending events and the age of the oldest, in seconds (0 when none).
SELECT count(*) AS pending,
       COALESCE(EXTRACT(EPOCH FROM now() - min(recorded_at)), 0)::float8 AS oldest_age_seconds
FROM outbox
WHERE delivered_at IS NULL
