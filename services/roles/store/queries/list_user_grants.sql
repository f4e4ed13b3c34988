-- User $1's direct grants with their role ids, by role name; $2 true to include expired ones.
SELECT g.id::text, g.user_id::text, g.role_id::text, g.granted_by, g.reason, g.granted_at,
       g.expires_at, (g.expires_at IS NOT NULL AND g.expires_at <= now()) AS expired
FROM grants g JOIN roles r ON r.id = g.role_id
WHERE g.user_id = $1 AND ($2 OR g.expires_at IS NULL OR g.expires_at > now())
ORDER BY lower(r.name), r.id
