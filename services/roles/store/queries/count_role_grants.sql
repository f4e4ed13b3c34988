-- Grants of role $1, expired included.
SELECT count(*) FROM grants WHERE role_id = $1
