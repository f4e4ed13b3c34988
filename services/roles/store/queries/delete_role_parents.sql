-- Removes every parent edge of $1.
DELETE FROM role_parents WHERE role_id = $1
