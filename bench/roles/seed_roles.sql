-- The roles benchmark's data, written straight into the roles schema after the service has
-- migrated it (bench/roles/run.sh runs it with psql, search_path roles). psql variables:
--   roles            custom roles to create (a multiple of depth)
--   depth            roles per inheritance chain
--   perms_per_role   permissions each role adds (random picks of the catalog)
--   admin_id         the bootstrap admin, who gets no benchmark grants
-- Grants go to every other account of users.users (seeded before). Bypassing the service also
-- bypasses its outbox and NOTIFY: the caller notifies roles_changed 'all' afterwards.
\set ON_ERROR_STOP on
BEGIN;
SELECT setseed(0.42);

-- 100 more permissions (10 resources x 10 actions), as if a service had registered them; like
-- RegisterPermissions, each joins admin (admin holds the whole catalog).
INSERT INTO permissions (name, description, registered_by)
SELECT 'bench_' || r || ':' || a, 'Benchmark permission', 'bench'
FROM unnest(ARRAY['orders', 'invoices', 'tickets', 'reports', 'assets', 'contracts', 'vendors',
                  'shipments', 'payments', 'campaigns']) AS r,
     unnest(ARRAY['read', 'write', 'delete', 'export', 'import', 'approve', 'assign', 'archive',
                  'publish', 'review']) AS a;
INSERT INTO role_permissions (role_id, permission)
SELECT '01900000-0000-7000-8000-000000000001', name FROM permissions WHERE registered_by = 'bench';

-- Role i is level i % depth of chain i / depth; level 0 is the chain's root, and each other level
-- inherits from the level above it, so the deepest role carries the whole chain.
CREATE TEMP TABLE bench_roles AS
SELECT i, i / :depth AS chain, i % :depth AS level, gen_random_uuid() AS id
FROM generate_series(0, :roles - 1) AS i;

INSERT INTO roles (id, name, display_name, description)
SELECT id, format('bench-c%s-l%s', chain, level), format('Chain %s, level %s', chain, level),
       'Benchmark role'
FROM bench_roles;

INSERT INTO role_parents (role_id, parent_id)
SELECT c.id, p.id
FROM bench_roles c JOIN bench_roles p ON p.chain = c.chain AND p.level = c.level - 1;

-- Each role adds perms_per_role random permissions of the catalog (fewer when picks repeat).
CREATE TEMP TABLE catalog AS
SELECT (row_number() OVER (ORDER BY name) - 1)::int AS n, name FROM permissions;
WITH picks AS MATERIALIZED (
  SELECT r.id, floor(random() * (SELECT count(*) FROM catalog))::int AS n
  FROM bench_roles r CROSS JOIN generate_series(1, :perms_per_role) AS j
)
INSERT INTO role_permissions (role_id, permission)
SELECT DISTINCT p.id, c.name FROM picks p JOIN catalog c USING (n);

-- Each user holds 1 to 3 roles: the deepest role of a random chain (so every user resolves a
-- whole chain), then up to two random roles of any level (a repeat is dropped).
WITH holders AS MATERIALIZED (
  SELECT id AS user_id, 1 + floor(random() * 3)::int AS held
  FROM users.users WHERE id <> :'admin_id'
), picks AS MATERIALIZED (
  SELECT h.user_id,
         CASE WHEN k = 1 THEN floor(random() * (:roles / :depth))::int * :depth + :depth - 1
              ELSE floor(random() * :roles)::int END AS i
  FROM holders h CROSS JOIN LATERAL generate_series(1, h.held) AS k
)
INSERT INTO grants (id, user_id, role_id, granted_by, reason)
SELECT gen_random_uuid(), p.user_id, r.id, 'system:bench', 'benchmark seed'
FROM picks p JOIN bench_roles r USING (i)
ON CONFLICT (user_id, role_id) DO NOTHING;
COMMIT;
