-- Rows whose failures no longer count ($1 = now - a day) and whose lock has ended ($2 = now).
DELETE FROM unknown_login_throttle
WHERE (last_failed_login_at IS NULL OR last_failed_login_at < $1)
  AND (locked_until IS NULL OR locked_until < $2)
