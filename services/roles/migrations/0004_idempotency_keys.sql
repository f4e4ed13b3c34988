-- Idempotency keys for calls that create something (CreateRole): a retry with the same
-- request_id from the same caller within the TTL (24 h) returns the role the first call created;
-- the same id with a different request (request_hash) is refused. Keyed like the users service's
-- table (services/users/migrations/0004_idempotency_and_outbox.sql), so every replica sees the
-- same record. An expired row is taken over by the next claim of its key (no sweeper; the
-- expires_at index is there for one).
CREATE TABLE idempotency_keys (
  operation text NOT NULL,
  -- '<actor_type>:<actor_id>': keys are per caller.
  caller text NOT NULL,
  request_id text NOT NULL CHECK (octet_length(request_id) BETWEEN 1 AND 128),
  -- SHA-256 of the normalized request.
  request_hash bytea NOT NULL,
  -- The role the first request created (no foreign key: the role may be deleted later).
  resource_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (operation, caller, request_id)
);

CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
