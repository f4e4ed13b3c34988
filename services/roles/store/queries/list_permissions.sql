-- One page of the catalog in name order after $3 ('' for the first page). The catalog is small
-- (hundreds of rows), so one statement with optional filters is planned well enough.
-- $1 registered_by ('' = any), $2 ILIKE pattern ('' = any), $3 after name, $4 limit.
SELECT name, description, registered_by, created_at, updated_at
FROM permissions
WHERE ($1 = '' OR registered_by = $1)
  AND ($2 = '' OR name ILIKE $2 OR description ILIKE $2)
  AND name > $3
ORDER BY name
LIMIT $4
