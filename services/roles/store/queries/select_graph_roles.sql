-- Every role's id and name, to build the in-memory graph (under lock_role_graph).
SELECT id::text, name FROM roles
