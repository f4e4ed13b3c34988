-- $1 role id, $2 text[] permissions.
INSERT INTO role_permissions (role_id, permission)
SELECT $1, p FROM unnest($2::text[]) AS p
ON CONFLICT DO NOTHING
