-- $1 role id, $2 text[] permissions.
DELETE FROM role_permissions WHERE role_id = $1 AND permission = ANY($2::text[])
