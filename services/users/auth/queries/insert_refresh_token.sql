INSERT INTO refresh_tokens (token_hash, session_id, created_at)
VALUES ($1, $2, $3)
