-- Every permission role $1 carries, its own and its ancestors'.
WITH RECURSIVE closure(role_id) AS (
  SELECT $1::uuid
  UNION
  SELECT rp.parent_id FROM role_parents rp JOIN closure c ON rp.role_id = c.role_id
)
SELECT DISTINCT p.permission
FROM closure c JOIN role_permissions p ON p.role_id = c.role_id
ORDER BY p.permission
