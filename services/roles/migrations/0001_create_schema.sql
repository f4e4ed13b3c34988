-- The schema itself is created by the migration runner (libs/pg) before this file runs, so that
-- the runner's bookkeeping table can live in it. This migration records who owns it.
COMMENT ON SCHEMA roles IS 'Owned by the roles service: permissions, roles, inheritance and grants. No other service reads it.';
