UPDATE sessions
SET last_used_at = $2, idle_expires_at = $3, ip_address = COALESCE($4::inet, ip_address)
WHERE id = $1
