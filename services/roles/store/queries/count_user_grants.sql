-- Grants user $1 holds (expired included: they count against the limit until revoked).
SELECT count(*) FROM grants WHERE user_id = $1
