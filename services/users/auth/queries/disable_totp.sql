UPDATE users
SET totp_enabled = false, totp_secret_encrypted = NULL, totp_last_step = NULL,
    totp_pending_secret_encrypted = NULL, totp_pending_expires_at = NULL,
    version = version + 1, updated_at = $2
WHERE id = $1
