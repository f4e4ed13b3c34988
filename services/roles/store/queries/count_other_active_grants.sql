-- Unexpired grants of role $1 to users other than $2.
SELECT count(*) FROM grants
WHERE role_id = $1 AND user_id <> $2 AND (expires_at IS NULL OR expires_at > now())
