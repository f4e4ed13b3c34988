-- The outbox table exactly as libs/outbox/README.md specifies it; the tests migrate a scratch
-- schema with this file, so a change to the documented shape must change both.
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
