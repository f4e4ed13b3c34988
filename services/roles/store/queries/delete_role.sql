-- Deletes $1; its permissions, edges and grants go with it (ON DELETE CASCADE).
DELETE FROM roles WHERE id = $1
