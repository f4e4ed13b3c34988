-- Drops up to $2 sessions that ended (expired for good or revoked) before $1, with their refresh
-- tokens (ON DELETE CASCADE). Until then a user's session list still shows them.
DELETE FROM sessions
WHERE ctid IN (
  SELECT ctid FROM sessions
  WHERE absolute_expires_at < $1 OR revoked_at < $1
  LIMIT $2)
