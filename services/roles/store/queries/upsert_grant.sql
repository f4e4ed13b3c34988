-- Grants $3 to $2, or refreshes the existing grant's expiry, reason and grantor.
-- $1 new id, $4 granted_by, $5 reason, $6 expires_at (NULL = never).
INSERT INTO grants (id, user_id, role_id, granted_by, reason, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (user_id, role_id) DO UPDATE
  SET granted_by = EXCLUDED.granted_by, reason = EXCLUDED.reason,
      expires_at = EXCLUDED.expires_at, granted_at = now()
RETURNING id::text, user_id::text, role_id::text, granted_by, reason, granted_at, expires_at,
          (expires_at IS NOT NULL AND expires_at <= now()) AS expired, (xmax = 0) AS inserted
