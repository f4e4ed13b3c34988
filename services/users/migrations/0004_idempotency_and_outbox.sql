-- Idempotency keys for calls that create something (CreateUser, RotateSigningKey): a retry with
-- the same request_id from the same caller within the TTL returns the first result; the same id
-- with a different request (request_hash) is refused.
CREATE TABLE idempotency_keys (
  operation text NOT NULL,
  -- '<actor_type>:<actor_id>': keys are per caller.
  caller text NOT NULL,
  request_id text NOT NULL CHECK (octet_length(request_id) BETWEEN 1 AND 128),
  request_hash bytea NOT NULL,
  resource_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (operation, caller, request_id)
);

CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

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
