INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)
