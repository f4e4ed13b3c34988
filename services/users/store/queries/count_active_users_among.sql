-- How many of the accounts $1 (uuid[]) are active: the other admin holders that keep an active
-- administrator when one account stops being active.
SELECT count(*) FROM users WHERE id = ANY($1::uuid[]) AND status = 'active'
