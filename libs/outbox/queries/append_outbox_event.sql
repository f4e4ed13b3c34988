-- One event into the session's schema's outbox, then a wake-up for relays listening on
-- '<schema>_outbox'. NOTIFY is transactional: listeners hear it only if the transaction commits,
-- and several events in one transaction wake them once (same channel, same empty payload).
WITH inserted AS (
  INSERT INTO outbox (id, aggregate_type, aggregate_id, event_type, actor_type, actor_id,
                      request_id, trace_id, before, after, metadata, occurred_at)
  VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, $11::jsonb,
          $12::timestamptz)
  RETURNING position
)
SELECT position, pg_notify(current_schema() || '_outbox', '') IS NULL AS notified
FROM inserted
