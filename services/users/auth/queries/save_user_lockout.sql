UPDATE users
SET failed_logins = $2, last_failed_login_at = $3, locked_until = $4, lock_count = $5,
    last_failed_login_ip = $6
WHERE id = $1
