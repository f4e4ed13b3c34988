-- Ends a user's live sessions (expired ones are dead already), optionally keeping one.
UPDATE sessions SET revoked_at = $2, revoke_reason = $3
WHERE user_id = $1 AND revoked_at IS NULL
  AND idle_expires_at > $2 AND absolute_expires_at > $2
  AND ($4::uuid IS NULL OR id <> $4::uuid)
RETURNING id
