-- Every inheritance edge (under lock_role_graph).
SELECT role_id::text, parent_id::text FROM role_parents
