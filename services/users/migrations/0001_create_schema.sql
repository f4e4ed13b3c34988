-- The schema itself is created by the migration runner (libs/pg) before this file runs, so that
-- the runner's bookkeeping table can live in it. This migration records who owns it.
COMMENT ON SCHEMA users IS 'Owned by the users service: identities, credentials, sessions and token issuance. No other service reads it.';
