UPDATE sessions SET revoked_at = now(), revoke_reason = $2::text
WHERE user_id = $1::uuid AND revoked_at IS NULL
