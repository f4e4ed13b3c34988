-- User $1's held roles (unexpired grants and every ancestor; UNION stops at roles already
-- reached, so diamonds are visited once) with each role's permissions (NULL for none), and the
-- earliest expiry among the unexpired grants.
WITH RECURSIVE held(role_id) AS (
  SELECT role_id FROM grants
  WHERE user_id = $1 AND (expires_at IS NULL OR expires_at > now())
  UNION
  SELECT rp.parent_id FROM role_parents rp JOIN held h ON rp.role_id = h.role_id
)
SELECT h.role_id::text AS role_id, p.permission,
       (SELECT min(expires_at) FROM grants
        WHERE user_id = $1 AND expires_at > now()) AS valid_until
FROM held h LEFT JOIN role_permissions p ON p.role_id = h.role_id
ORDER BY h.role_id, p.permission
