-- $1 user, $2 role.
DELETE FROM grants WHERE user_id = $1 AND role_id = $2
