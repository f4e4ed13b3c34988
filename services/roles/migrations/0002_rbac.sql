-- The RBAC model: the permissions catalog, roles (system and custom), their permissions, the
-- inheritance DAG between roles, and grants of roles to users.

-- A permission is `resource:action` (`users:read`). Services register theirs at start
-- (RegisterPermissions, idempotent); removing one is a migration, not a registration.
CREATE TABLE permissions (
  name text PRIMARY KEY
    CHECK (name ~ '^[a-z][a-z_]*:[a-z][a-z_]*$' AND octet_length(name) <= 128),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
  -- The service that registered it ('platform' for the catalog seeded below).
  registered_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE roles (
  id uuid PRIMARY KEY,
  -- Unique case-insensitively (roles_name_key); stored as given.
  name text NOT NULL
    CHECK (name ~ '^[A-Za-z][A-Za-z0-9_-]*$' AND octet_length(name) BETWEEN 2 AND 64),
  display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
  description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 1000),
  -- Seeded by the platform: cannot be deleted or renamed, permissions fixed (admin's grow with
  -- the catalog, see RegisterPermissions).
  is_system boolean NOT NULL DEFAULT false,
  -- Optimistic concurrency: +1 on every write; the API's etag is "v<version>".
  version bigint NOT NULL DEFAULT 1 CHECK (version > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX roles_name_key ON roles (lower(name));
-- Keyset paging of ListRoles by name.
CREATE INDEX roles_name_id ON roles (lower(name), id);

CREATE TABLE role_permissions (
  role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  permission text NOT NULL REFERENCES permissions (name),
  PRIMARY KEY (role_id, permission)
);

CREATE INDEX role_permissions_permission ON role_permissions (permission);

-- Inheritance: role_id inherits every permission of parent_id. The graph is a DAG; the store
-- refuses an edge that would close a cycle while holding the edge lock (see role_store).
CREATE TABLE role_parents (
  role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  parent_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  PRIMARY KEY (role_id, parent_id),
  CHECK (role_id <> parent_id)
);

CREATE INDEX role_parents_parent ON role_parents (parent_id);

-- A role held by a user. One row per (user, role): granting again updates expiry and reason.
CREATE TABLE grants (
  id uuid PRIMARY KEY,
  -- A users-service account id (checked against the users service when granted).
  user_id uuid NOT NULL,
  role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
  -- Actor of the (last) grant: '<type>:<id>'.
  granted_by text NOT NULL,
  reason text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 500),
  granted_at timestamptz NOT NULL DEFAULT now(),
  -- NULL: never expires. An expired grant stays until revoked but counts for nothing.
  expires_at timestamptz,
  UNIQUE (user_id, role_id)
);

-- ListRoleMembers pages by (granted_at, id) within a role, both directions.
CREATE INDEX grants_role_granted ON grants (role_id, granted_at, id);

-- The transactional outbox, exactly as libs/outbox/README.md specifies.
CREATE TABLE outbox (
  position bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  aggregate_type text NOT NULL CHECK (aggregate_type <> ''),
  aggregate_id text NOT NULL CHECK (aggregate_id <> ''),
  event_type text NOT NULL CHECK (event_type <> ''),
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'service', 'system')),
  actor_id text NOT NULL,
  request_id text NOT NULL,
  trace_id text NOT NULL,
  before jsonb,
  after jsonb,
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  delivery_attempts integer NOT NULL DEFAULT 0,
  last_delivery_error text,
  next_attempt_at timestamptz
);

CREATE INDEX outbox_undelivered ON outbox (position) WHERE delivered_at IS NULL;
