UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = $1 RETURNING attempts
