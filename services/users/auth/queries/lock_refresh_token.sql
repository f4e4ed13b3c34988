SELECT rt.session_id, rt.used_at, s.user_id, s.revoked_at, s.idle_expires_at,
       s.absolute_expires_at, u.status, u.locked_until, u.password_change_required
FROM refresh_tokens rt
JOIN sessions s ON s.id = rt.session_id
JOIN users u ON u.id = s.user_id
WHERE rt.token_hash = $1
FOR UPDATE OF rt, s
