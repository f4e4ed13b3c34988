-- Whether role $1 has any grant at all (the bootstrap admin grant is made only when not).
SELECT EXISTS (SELECT 1 FROM grants WHERE role_id = $1)
