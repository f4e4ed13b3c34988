SELECT failed_logins, last_failed_login_at, locked_until, lock_count
FROM unknown_login_throttle WHERE email_key = lower($1)
