-- Accounts. pg_trgm serves the free-text search of ListUsers.
--
-- The extension goes into schema `public`, on purpose: an extension exists once per database, so
-- every service that needs trigram operators shares this one (a second CREATE EXTENSION in another
-- schema would be a no-op, leaving its objects where the first one put them). Creating it needs a
-- superuser or, since PostgreSQL 13 for trusted extensions like pg_trgm, CREATE on the database
-- (the database owner has it); the local stack and the tests run as a superuser or the owner.
-- Sessions use search_path = users only, so the operator class is referenced schema-qualified
-- (public.gin_trgm_ops); the ILIKE operator the index serves is built in.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE TABLE users (
  id uuid PRIMARY KEY,
  -- Stored as given (domain lower-cased by the service), compared case-insensitively: see
  -- users_email_key below.
  email text NOT NULL CHECK (octet_length(email) BETWEEN 3 AND 254),
  display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 200),
  -- 'deleted' together with deleted_at (soft delete); status_before_delete remembers what
  -- RestoreUser brings back. Lockout is not a status: it is time-bound (locked_until).
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'deleted')),
  status_before_delete text CHECK (status_before_delete IN ('active', 'disabled')),
  disabled_reason text NOT NULL DEFAULT '' CHECK (char_length(disabled_reason) <= 500),
  email_verified boolean NOT NULL DEFAULT false,
  phone_number text NOT NULL DEFAULT '' CHECK (phone_number = '' OR phone_number ~ '^\+[0-9]{8,15}$'),
  locale text NOT NULL DEFAULT '' CHECK (octet_length(locale) <= 35),
  time_zone text NOT NULL DEFAULT '' CHECK (octet_length(time_zone) <= 64),
  -- The API bound is 16 KiB of compact JSON, checked by the service; jsonb's text form adds
  -- spaces, so the backstop here is twice that.
  attributes jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(attributes) = 'object' AND octet_length(attributes::text) <= 32768),
  -- Optimistic concurrency: every write increments it; the API's etag is derived from it.
  version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  last_login_at timestamptz,

  -- Credentials (the credential and login layer owns these columns).
  password_hash text,
  password_changed_at timestamptz,
  password_change_required boolean NOT NULL DEFAULT false,
  failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  last_failed_login_at timestamptz,
  last_failed_login_ip text NOT NULL DEFAULT '',
  lock_count integer NOT NULL DEFAULT 0 CHECK (lock_count >= 0),
  locked_until timestamptz,
  totp_secret_encrypted bytea,
  totp_enabled boolean NOT NULL DEFAULT false,
  totp_last_step bigint,
  totp_pending_secret_encrypted bytea,
  totp_pending_expires_at timestamptz,

  CONSTRAINT users_deleted_consistent CHECK (
    (status = 'deleted') = (deleted_at IS NOT NULL)
    AND (status = 'deleted') = (status_before_delete IS NOT NULL)),
  CONSTRAINT users_totp_needs_secret CHECK (NOT totp_enabled OR totp_secret_encrypted IS NOT NULL)
);

-- One account per address, case-insensitively, among all rows: a soft-deleted user keeps its
-- address until it is purged (user.proto), so RestoreUser can always bring it back. Not partial
-- on purpose.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Keyset indexes, one per ListUsers sort key, with id as the tie-breaker. Full (not partial)
-- so that lists that include deleted users page just as fast; a backward scan serves DESC.
CREATE INDEX users_created_at_id ON users (created_at, id);
CREATE INDEX users_updated_at_id ON users (updated_at, id);
CREATE INDEX users_last_login_at_id
  ON users ((COALESCE(last_login_at, '-infinity'::timestamptz)), id);
CREATE INDEX users_email_id ON users (lower(email), id);
CREATE INDEX users_display_name_id ON users (display_name, id);
CREATE INDEX users_status_id ON users (status, id);

-- Free-text query: ILIKE '%text%' on this exact expression uses the index.
CREATE INDEX users_search_trgm
  ON users USING gin (lower(email || ' ' || display_name) public.gin_trgm_ops);

-- Partial indexes for the jobs: purging soft-deleted accounts, expiring locks.
CREATE INDEX users_deleted_at ON users (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX users_locked_until ON users (locked_until) WHERE locked_until IS NOT NULL;

CREATE TABLE recovery_codes (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- A slow or keyed hash of the code; never the code.
  code_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- What the API returns for a user: the public columns plus derived ones, never secrets.
CREATE VIEW user_view AS
SELECT
  u.id,
  u.email,
  u.display_name,
  u.status,
  u.disabled_reason,
  u.email_verified,
  u.phone_number,
  u.locale,
  u.time_zone,
  u.attributes,
  u.version,
  u.created_at,
  u.updated_at,
  u.deleted_at,
  u.last_login_at,
  u.password_hash IS NOT NULL AS password_set,
  u.password_change_required,
  u.password_changed_at,
  u.totp_enabled,
  CASE WHEN u.totp_enabled THEN
    (SELECT count(*) FROM recovery_codes r WHERE r.user_id = u.id AND r.used_at IS NULL)::integer
  ELSE 0 END AS recovery_codes_remaining
FROM users u;
