-- Erases up to $2 accounts soft-deleted before $1 (their purge_time has passed); sessions,
-- refresh tokens, recovery codes and challenges go with them (ON DELETE CASCADE). Rows another
-- transaction holds are skipped for the next run.
DELETE FROM users
WHERE id IN (
  SELECT id FROM users
  WHERE deleted_at IS NOT NULL AND deleted_at < $1
  ORDER BY deleted_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED)
RETURNING id::text, deleted_at::text
