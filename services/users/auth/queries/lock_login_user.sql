SELECT id, status, password_hash, totp_enabled, totp_secret_encrypted, totp_last_step,
       password_change_required, failed_logins, last_failed_login_at, locked_until, lock_count
FROM users WHERE id = $1
FOR UPDATE
