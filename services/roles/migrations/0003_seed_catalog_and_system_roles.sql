-- The platform's permissions catalog and the three system roles. Services register their
-- permissions again at start (idempotent), so this list is a starting point, not a limit.
INSERT INTO permissions (name, description, registered_by) VALUES
  ('users:read', 'Read user accounts (get, list, lockout state)', 'platform'),
  ('users:write', 'Create and update accounts, disable/enable, set or reset passwords', 'platform'),
  ('users:delete', 'Delete and restore accounts', 'platform'),
  ('users:import', 'Import accounts from CSV', 'platform'),
  ('users:export', 'Export accounts to CSV', 'platform'),
  ('users:unlock', 'Clear a login lockout', 'platform'),
  ('sessions:read', 'List other users'' sessions', 'platform'),
  ('sessions:revoke', 'End other users'' sessions', 'platform'),
  ('keys:rotate', 'List and rotate token signing keys', 'platform'),
  ('roles:read', 'Read roles, the permissions catalog, grants and others'' permissions', 'platform'),
  ('roles:write', 'Create, update and delete roles', 'platform'),
  ('roles:grant', 'Grant and revoke roles (only roles whose permissions one holds)', 'platform'),
  ('audit:read', 'Query the audit log and verify its chain', 'platform'),
  ('audit:export', 'Export the audit log', 'platform'),
  ('notifications:read', 'Read templates and other users'' notifications', 'platform'),
  ('notifications:send', 'Send notifications', 'platform'),
  ('notifications:write', 'Manage templates and other users'' preferences', 'platform'),
  ('integrations:read', 'Read webhooks, settings and deliveries', 'platform'),
  ('integrations:write', 'Manage webhooks and settings, send messages, retry deliveries', 'platform');

-- Fixed ids, so the three roles are the same in every installation.
INSERT INTO roles (id, name, display_name, description, is_system) VALUES
  ('01900000-0000-7000-8000-000000000001', 'admin', 'Administrator',
   'Every permission of the catalog (kept complete as services register new ones).', true),
  ('01900000-0000-7000-8000-000000000002', 'operator', 'Operator',
   'Day-to-day operations: accounts, sessions, notifications; reads everything else.', true),
  ('01900000-0000-7000-8000-000000000003', 'viewer', 'Viewer', 'Read-only access.', true);

INSERT INTO role_permissions (role_id, permission)
SELECT '01900000-0000-7000-8000-000000000001', name FROM permissions;

INSERT INTO role_permissions (role_id, permission)
SELECT '01900000-0000-7000-8000-000000000002', name FROM permissions
WHERE name IN ('users:read', 'users:write', 'users:unlock', 'users:import', 'users:export',
               'sessions:read', 'sessions:revoke', 'roles:read', 'audit:read',
               'notifications:read', 'notifications:send', 'integrations:read');

INSERT INTO role_permissions (role_id, permission)
SELECT '01900000-0000-7000-8000-000000000003', name FROM permissions
WHERE name IN ('users:read', 'sessions:read', 'roles:read', 'audit:read', 'notifications:read',
               'integrations:read');
