-- The ids in $1 (uuid[]) that name a role.
SELECT id::text FROM roles WHERE id = ANY($1::uuid[])
