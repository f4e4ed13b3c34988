-- The audit log: an append-only, hash-chained table of events, partitioned by month of
-- ingest_time (when this service stored the event). Partitioning on the service's own clock, not
-- the producer's event_time, means a late event (a relay catching up after an outage) always
-- lands in the current partition, never in an old one that retention may already have dropped.
-- The chain order is `sequence`; ingest_time only chooses the partition.

-- The head of the chain: one row, locked FOR UPDATE by every append, so appends serialize (a
-- batch takes the lock once for up to 500 events).
CREATE TABLE chain_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  sequence bigint NOT NULL CHECK (sequence >= 0),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
INSERT INTO chain_head (sequence, hash) VALUES (0, repeat('0', 64));

CREATE TABLE events (
  sequence bigint NOT NULL CHECK (sequence >= 1),
  id uuid NOT NULL,
  event_time timestamptz NOT NULL,
  ingest_time timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id text NOT NULL,
  actor_display_name text NOT NULL,
  client_ip text NOT NULL,
  user_agent text NOT NULL,
  on_behalf_of_id text NOT NULL,
  -- "C" collation: byte order, so an action prefix is a plain index range.
  action text COLLATE "C" NOT NULL,
  resource_type text NOT NULL,
  resource_id text NOT NULL,
  service text NOT NULL,
  request_id text NOT NULL,
  trace_id text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  message text NOT NULL,
  before jsonb,
  after jsonb,
  metadata jsonb,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  -- A unique index on a partitioned table must include the partition key; the event id's
  -- uniqueness is kept by event_ids below, in the same transaction.
  PRIMARY KEY (sequence, ingest_time)
) PARTITION BY RANGE (ingest_time);

-- One row per stored event: the dedup gate for AppendEvents (a repeated delivery finds its id
-- here) and GetEvent by id. content_digest is SHA-256 of the producer-set fields (see
-- services/audit/README.md) so DUPLICATE and CONFLICT are told apart without reading the event.
CREATE TABLE event_ids (
  id uuid PRIMARY KEY,
  sequence bigint NOT NULL UNIQUE,
  ingest_time timestamptz NOT NULL,
  content_digest text NOT NULL
);

-- Query indexes (created on every partition). Each filter's index ends in the sort key
-- (event_time, sequence), so a filtered first page is an index range scan per partition.
CREATE INDEX events_time ON events (event_time, sequence);
CREATE INDEX events_actor ON events (actor_id, event_time, sequence);
CREATE INDEX events_action ON events (action, event_time, sequence);
CREATE INDEX events_resource ON events (resource_type, resource_id, event_time, sequence);
CREATE INDEX events_request ON events (request_id, event_time, sequence) WHERE request_id <> '';

-- Append-only: the service's own role (the local stack runs as the database owner, so grants
-- alone would not stop it) cannot update or delete events, whatever it runs as. Only a superuser
-- can get around this (session_replication_role = replica, or dropping the trigger), and that is
-- what VerifyChain is for.
CREATE FUNCTION refuse_change() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
  RAISE EXCEPTION 'audit.%: % is not allowed, the audit log is append-only', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER event_ids_append_only BEFORE UPDATE OR DELETE ON event_ids
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER event_ids_no_truncate BEFORE TRUNCATE ON event_ids
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER chain_head_no_truncate BEFORE TRUNCATE ON chain_head
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Creates the monthly partitions events_pYYYYMM for `months` months from the month holding
-- `from_time` (UTC), if missing. Serialized by a transaction advisory lock so replicas calling it
-- at once do not race. Statement-level TRUNCATE triggers are not inherited, so each partition
-- gets its own.
CREATE FUNCTION ensure_partitions(from_time timestamptz, months integer) RETURNS integer
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
  month_start timestamp := date_trunc('month', from_time AT TIME ZONE 'UTC');
  created integer := 0;
  name text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('audit.ensure_partitions'));
  FOR i IN 0 .. months - 1 LOOP
    name := 'events_p' || to_char(month_start + make_interval(months => i), 'YYYYMM');
    IF to_regclass(name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)', name,
        (month_start + make_interval(months => i)) AT TIME ZONE 'UTC',
        (month_start + make_interval(months => i + 1)) AT TIME ZONE 'UTC');
      EXECUTE format(
        'CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()',
        name || '_no_truncate', name);
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END;
$$;

SELECT ensure_partitions(now(), 3);

-- Grants for a deployment that runs the service as a role of its own: `audit_writer` may insert
-- and read events, read and move the chain head, and nothing else. Roles are cluster-wide and
-- creating one needs CREATEROLE, so this step is skipped (with a notice) where the migrating
-- user may not create roles.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'audit_writer') THEN
    CREATE ROLE audit_writer NOLOGIN;
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO audit_writer', current_schema());
  GRANT SELECT, INSERT ON events, event_ids TO audit_writer;
  GRANT SELECT, UPDATE ON chain_head TO audit_writer;
  REVOKE UPDATE, DELETE, TRUNCATE ON events, event_ids FROM audit_writer;
  REVOKE DELETE, TRUNCATE ON chain_head FROM audit_writer;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'audit_writer role not created or granted: %', SQLERRM;
END;
$$;
