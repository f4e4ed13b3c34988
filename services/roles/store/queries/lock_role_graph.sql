-- Serializes every transaction that changes inheritance edges or role permissions (released at
-- commit), so that the cycle check reads a graph no concurrent writer is changing.
SELECT pg_advisory_xact_lock(hashtext('roles.role_graph'))
