-- Serializes, for the rest of the transaction, every change that makes an `admin` holder
-- non-active (DeleteUser, DisableUser), so two admins disabling each other concurrently cannot
-- both see the other one still active. Fixed key: hashtext('users.last_admin'), taken nowhere
-- else (the roles service uses 'roles.role_graph' in its own database schema).
SELECT pg_advisory_xact_lock(hashtext('users.last_admin'))
