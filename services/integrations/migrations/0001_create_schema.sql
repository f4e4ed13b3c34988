-- The schema itself is created by the migration runner (libs/pg) before this file runs, so that
-- the runner's bookkeeping table can live in it. This migration records who owns it.
COMMENT ON SCHEMA integrations IS 'Owned by the integrations service: webhooks, email and SMS with durable delivery. No other service reads it.';
