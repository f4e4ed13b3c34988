-- $1 role id, $2 uuid[] parents.
INSERT INTO role_parents (role_id, parent_id)
SELECT $1, p FROM unnest($2::uuid[]) AS p
