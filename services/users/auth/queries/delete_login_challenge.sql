DELETE FROM login_challenges WHERE token_hash = $1
