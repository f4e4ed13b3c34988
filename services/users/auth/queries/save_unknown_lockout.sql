UPDATE unknown_login_throttle
SET failed_logins = $2, last_failed_login_at = $3, locked_until = $4, lock_count = $5
WHERE email_key = lower($1)
