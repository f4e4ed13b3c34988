-- Unexpired grants of role $1 to users other than $2 among the users $3 (uuid[]: the holders the
-- users service reported ACTIVE).
SELECT count(*) FROM grants
WHERE role_id = $1 AND user_id <> $2 AND user_id = ANY($3::uuid[])
  AND (expires_at IS NULL OR expires_at > now())
