-- Locks one role for a change. $1 id.
SELECT id::text, name, is_system, version FROM roles WHERE id = $1 FOR UPDATE
