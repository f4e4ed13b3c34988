-- Keeps role $1 from being deleted while a grant of it is written.
SELECT id::text FROM roles WHERE id = $1 FOR SHARE
