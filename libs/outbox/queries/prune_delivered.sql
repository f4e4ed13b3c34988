-- Delivered events older than the retention, a bounded number per statement.
DELETE FROM outbox
WHERE position IN (SELECT position FROM outbox
                   WHERE delivered_at IS NOT NULL AND delivered_at < $1::timestamptz
                   LIMIT $2)
