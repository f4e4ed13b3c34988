SELECT failed_logins, last_failed_login_at, locked_until, lock_count, last_failed_login_ip
FROM users WHERE id = $1
FOR UPDATE
