INSERT INTO login_challenges (token_hash, user_id, created_at, expires_at, user_agent, ip_address)
VALUES ($1, $2, $3, $4, $5, $6::inet)
