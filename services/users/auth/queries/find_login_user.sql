SELECT id, status, password_hash, failed_logins, last_failed_login_at, locked_until, lock_count
FROM users WHERE lower(email) = lower($1)
