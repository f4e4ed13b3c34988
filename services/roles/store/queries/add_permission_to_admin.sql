-- Keeps the admin role complete: every newly registered permission joins it. $1 admin id.
INSERT INTO role_permissions (role_id, permission)
VALUES ($1, $2)
ON CONFLICT DO NOTHING
