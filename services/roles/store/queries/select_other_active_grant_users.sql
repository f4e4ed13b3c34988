-- Users other than $2 holding role $1 by an unexpired grant (the last-admin check asks the users
-- service which of them are active).
SELECT user_id::text FROM grants
WHERE role_id = $1 AND user_id <> $2 AND (expires_at IS NULL OR expires_at > now())
ORDER BY user_id
