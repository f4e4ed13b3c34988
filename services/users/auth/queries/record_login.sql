UPDATE users
SET last_login_at = $2, failed_logins = 0, last_failed_login_at = NULL, locked_until = NULL,
    lock_count = 0, last_failed_login_ip = ''
WHERE id = $1
