SELECT user_id, expires_at, attempts, user_agent
FROM login_challenges WHERE token_hash = $1
FOR UPDATE
