-- The schema itself is created by the migration runner (libs/pg) before this file runs, so that
-- the runner's bookkeeping table can live in it. This migration records who owns it.
COMMENT ON SCHEMA notifications IS 'Owned by the notifications service: in-app notifications, preferences and live streams. No other service reads it.';
