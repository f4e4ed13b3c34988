-- The schema itself is created by the migration runner (libs/pg) before this file runs, so that
-- the runner's bookkeeping table can live in it. This migration records who owns it.
COMMENT ON SCHEMA audit IS 'Owned by the audit service: the append-only, hash-chained audit trail. No other service reads it.';
