-- Drops up to $2 second-factor challenges that expired before $1.
DELETE FROM login_challenges
WHERE ctid IN (SELECT ctid FROM login_challenges WHERE expires_at < $1 LIMIT $2)
