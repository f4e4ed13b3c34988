UPDATE users SET totp_pending_secret_encrypted = $2, totp_pending_expires_at = $3 WHERE id = $1
