UPDATE users
SET totp_enabled = true, totp_secret_encrypted = totp_pending_secret_encrypted,
    totp_last_step = $2, totp_pending_secret_encrypted = NULL, totp_pending_expires_at = NULL,
    version = version + 1, updated_at = $3
WHERE id = $1
