-- The grant of role $2 to user $1.
SELECT id::text, user_id::text, role_id::text, granted_by, reason, granted_at, expires_at,
       (expires_at IS NOT NULL AND expires_at <= now()) AS expired
FROM grants WHERE user_id = $1 AND role_id = $2
