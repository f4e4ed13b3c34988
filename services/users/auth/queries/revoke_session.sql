UPDATE sessions SET revoked_at = $2, revoke_reason = $3
WHERE id = $1 AND revoked_at IS NULL
