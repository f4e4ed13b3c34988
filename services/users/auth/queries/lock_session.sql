SELECT user_id, revoked_at FROM sessions WHERE id = $1 FOR UPDATE
