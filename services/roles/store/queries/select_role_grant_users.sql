-- Users holding $1 directly (whose permissions a forced delete changes).
SELECT user_id::text FROM grants WHERE role_id = $1
