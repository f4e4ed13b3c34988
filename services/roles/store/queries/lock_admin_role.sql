-- Serializes revocations of admin grants (and the bootstrap grant): whoever holds this lock sees
-- every committed admin grant. $1 admin role id.
SELECT id FROM roles WHERE id = $1 FOR UPDATE
