SELECT code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL ORDER BY code_hash
