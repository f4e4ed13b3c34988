-- Registers one permission: a new name is inserted (inserted = true), a changed description is
-- updated (inserted = false), an identical entry returns no row.
INSERT INTO permissions (name, description, registered_by)
VALUES ($1, $2, $3)
ON CONFLICT (name) DO UPDATE
  SET description = EXCLUDED.description, updated_at = now()
  WHERE permissions.description IS DISTINCT FROM EXCLUDED.description
RETURNING (xmax = 0) AS inserted
