-- Retention: monthly partitions older than the configured age are dropped in one transaction that
-- also records where the chain now starts (retention_log), deletes the dropped events' event_ids
-- rows, and appends an `audit.retention.applied` event carrying the same boundary to the chain.
-- VerifyChain starts at the latest boundary and checks it against that event.

-- One row per retention run. Append-only like the log itself. first_retained_sequence is the
-- smallest sequence still stored after the run (the next sequence when none was left), and
-- first_retained_prev_hash that event's prev_hash (the hash of the last removed event).
CREATE TABLE retention_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  applied_time timestamptz NOT NULL,
  actor_type text NOT NULL,
  actor_id text NOT NULL,
  dropped_partitions text[] NOT NULL CHECK (cardinality(dropped_partitions) > 0),
  -- The months removed: [removed_from, removed_to), UTC month starts.
  removed_from timestamptz NOT NULL,
  removed_to timestamptz NOT NULL CHECK (removed_to > removed_from),
  events_removed bigint NOT NULL CHECK (events_removed >= 0),
  first_retained_sequence bigint NOT NULL CHECK (first_retained_sequence >= 1),
  first_retained_prev_hash text NOT NULL CHECK (first_retained_prev_hash ~ '^[0-9a-f]{64}$'),
  -- The audit.retention.applied event appended in the same transaction.
  event_id uuid NOT NULL UNIQUE
);
CREATE INDEX retention_log_boundary ON retention_log (first_retained_sequence);

CREATE TRIGGER retention_log_append_only BEFORE UPDATE OR DELETE ON retention_log
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER retention_log_no_truncate BEFORE TRUNCATE ON retention_log
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- A retention row commits only together with its event in the chain: checked at COMMIT, so a run
-- cannot record a boundary (and with it, delete event_ids rows) without leaving a trace in the
-- tamper-evident log.
CREATE FUNCTION retention_log_event_appended() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
  IF NOT EXISTS (
      SELECT 1 FROM event_ids i JOIN events e
        ON e.sequence = i.sequence AND e.ingest_time = i.ingest_time
      WHERE i.id = NEW.event_id AND e.action = 'audit.retention.applied'
        AND e.sequence >= NEW.first_retained_sequence) THEN
    RAISE EXCEPTION 'audit.retention_log: boundary % has no audit.retention.applied event %',
      NEW.first_retained_sequence, NEW.event_id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER retention_log_event_in_chain AFTER INSERT ON retention_log
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION retention_log_event_appended();

-- event_ids stays append-only except for one narrow case: inside apply_retention below. A row may
-- be deleted only when all of these hold:
--   * audit.retention_log_id (a transaction-local setting) names a retention_log row that this
--     very transaction inserted (its xmin is the current transaction id), and
--   * the row's sequence is below that row's first_retained_sequence, and
--   * its event is no longer stored (its partition is gone).
-- So a plain DELETE (or any UPDATE) is refused as before, and even a session that sets the
-- setting itself can only remove ids of events that are already gone, and only by recording a
-- retention boundary, which cannot commit without its audit.retention.applied event.
CREATE FUNCTION event_ids_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
DECLARE
  log_id text := current_setting('audit.retention_log_id', true);
BEGIN
  IF TG_OP = 'DELETE' AND log_id ~ '^[0-9]+$'
     AND EXISTS (SELECT 1 FROM retention_log r
                 WHERE r.id = log_id::bigint AND r.xmin = pg_current_xact_id()::xid
                   AND OLD.sequence < r.first_retained_sequence)
     AND NOT EXISTS (SELECT 1 FROM events e
                     WHERE e.sequence = OLD.sequence AND e.ingest_time = OLD.ingest_time) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit.%: % is not allowed, the audit log is append-only', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER event_ids_append_only ON event_ids;
CREATE TRIGGER event_ids_append_only BEFORE UPDATE OR DELETE ON event_ids
  FOR EACH ROW EXECUTE FUNCTION event_ids_guard();

-- Drops every partition events_pYYYYMM whose whole month lies before `cutoff` (a UTC month start,
-- not after the current month's start), in the caller's transaction:
--   1. locks the chain head (appends wait; a second run waits and then finds nothing to drop);
--   2. computes the first retained sequence and its prev_hash, refusing (nothing changed) when
--      the removed and retained events do not meet exactly: ingest times out of sequence order
--      around the cutoff, a missing sequence, or a removed hash that does not link to the first
--      retained event, because dropping would destroy the evidence;
--   3. records the boundary in retention_log (actor system / audit-retention, event `event_id`);
--   4. drops the partitions and deletes the removed events' event_ids rows (see event_ids_guard).
-- Returns the recorded row, or no row when there is nothing to drop. The caller must append the
-- audit.retention.applied event `event_id` before committing (retention_log_event_in_chain).
-- SECURITY DEFINER: the service's role (audit_writer) may neither drop tables nor delete rows; this
-- function is the only way it can, and only for whole months before the current one.
CREATE FUNCTION apply_retention(cutoff timestamptz, event_id uuid, applied_time timestamptz)
RETURNS SETOF retention_log
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path FROM CURRENT
AS $$
DECLARE
  cutoff_month timestamp := cutoff AT TIME ZONE 'UTC';
  head_sequence bigint;
  head_hash text;
  names text[];
  first_month timestamp;
  partition_name text;
  partition_count bigint;
  partition_max bigint;
  removed bigint := 0;
  last_removed bigint;
  last_removed_hash text;
  retained bigint;
  retained_prev_hash text;
  recorded retention_log;
BEGIN
  IF date_trunc('month', cutoff_month) <> cutoff_month THEN
    RAISE EXCEPTION 'apply_retention: cutoff % is not the start of a month (UTC)', cutoff
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF cutoff_month > date_trunc('month', now() AT TIME ZONE 'UTC') THEN
    RAISE EXCEPTION 'apply_retention: cutoff % is after the start of the current month', cutoff
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Waiting for readers of an old partition must not hold up appends for long.
  PERFORM set_config('lock_timeout', '10s', true);
  SELECT h.sequence, h.hash INTO head_sequence, head_hash FROM chain_head h FOR UPDATE;

  SELECT array_agg(c.relname::text ORDER BY c.relname),
         min(to_date(substr(c.relname, 9), 'YYYYMM')::timestamp)
    INTO names, first_month
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = 'events'::regclass
    AND c.relname ~ '^events_p[0-9]{6}$'
    AND to_date(substr(c.relname, 9), 'YYYYMM')::timestamp + interval '1 month' <= cutoff_month;
  IF names IS NULL THEN
    RETURN;
  END IF;

  FOREACH partition_name IN ARRAY names LOOP
    EXECUTE format('SELECT count(*), max(sequence) FROM %I', partition_name)
      INTO partition_count, partition_max;
    removed := removed + partition_count;
    last_removed := greatest(last_removed, partition_max);
  END LOOP;

  SELECT min(e.sequence) INTO retained FROM events e WHERE e.ingest_time >= cutoff;
  IF retained IS NULL THEN
    retained := head_sequence + 1;
    retained_prev_hash := head_hash;
  ELSE
    SELECT e.prev_hash INTO retained_prev_hash
    FROM events e WHERE e.sequence = retained AND e.ingest_time >= cutoff;
  END IF;
  IF last_removed IS NOT NULL THEN
    IF last_removed >= retained THEN
      RAISE EXCEPTION 'apply_retention: sequence % ingested before % follows retained sequence %; nothing dropped',
        last_removed, cutoff, retained USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF last_removed <> retained - 1 THEN
      RAISE EXCEPTION 'apply_retention: sequences % to % are missing; verify the chain, nothing dropped',
        last_removed + 1, retained - 1 USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT e.hash INTO last_removed_hash
    FROM events e WHERE e.sequence = last_removed AND e.ingest_time < cutoff;
    IF last_removed_hash IS DISTINCT FROM retained_prev_hash THEN
      RAISE EXCEPTION 'apply_retention: the chain is broken at sequence %; verify it, nothing dropped',
        retained USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
  END IF;

  INSERT INTO retention_log (applied_time, actor_type, actor_id, dropped_partitions, removed_from,
                             removed_to, events_removed, first_retained_sequence,
                             first_retained_prev_hash, event_id)
  VALUES (applied_time, 'system', 'audit-retention', names, first_month AT TIME ZONE 'UTC', cutoff,
          removed, retained, retained_prev_hash, event_id)
  RETURNING * INTO recorded;

  FOREACH partition_name IN ARRAY names LOOP
    EXECUTE format('ALTER TABLE events DETACH PARTITION %I', partition_name);
    EXECUTE format('DROP TABLE %I', partition_name);
  END LOOP;
  PERFORM set_config('audit.retention_log_id', recorded.id::text, true);
  DELETE FROM event_ids WHERE sequence < retained;
  PERFORM set_config('audit.retention_log_id', '', true);
  RETURN NEXT recorded;
END;
$$;

REVOKE ALL ON FUNCTION apply_retention(timestamptz, uuid, timestamptz) FROM PUBLIC;

-- audit_writer (see 0002) reads the boundary and runs retention only through apply_retention.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'audit_writer') THEN
    GRANT SELECT ON retention_log TO audit_writer;
    GRANT EXECUTE ON FUNCTION apply_retention(timestamptz, uuid, timestamptz) TO audit_writer;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'audit_writer not granted retention: %', SQLERRM;
END;
$$;
