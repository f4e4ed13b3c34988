-- Total of list_permissions' filters. $1 registered_by ('' = any), $2 ILIKE pattern ('' = any).
SELECT count(*)
FROM permissions
WHERE ($1 = '' OR registered_by = $1)
  AND ($2 = '' OR name ILIKE $2 OR description ILIKE $2)
