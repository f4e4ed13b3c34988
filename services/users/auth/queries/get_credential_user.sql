SELECT id, email, display_name, status, password_hash, totp_enabled, totp_secret_encrypted,
       totp_last_step, totp_pending_secret_encrypted, totp_pending_expires_at, failed_logins,
       last_failed_login_at, locked_until, lock_count
FROM users WHERE id = $1
