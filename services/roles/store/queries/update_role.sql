-- $1 id, $2 name, $3 display_name, $4 description; bumps the version.
UPDATE roles SET name = $2, display_name = $3, description = $4, version = version + 1,
                 updated_at = now()
WHERE id = $1
