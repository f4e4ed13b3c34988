-- The next pending events in position order, locked for this relay's transaction. SKIP LOCKED:
-- another replica's relay takes the rows after these instead of waiting, so replicas share the
-- work and no event is sent by two relays at once. Parked events (next_attempt_at in the
-- future, 'infinity' for events the consumer refused) are skipped.
SELECT position, id::text AS id, aggregate_type, aggregate_id, event_type, actor_type, actor_id,
       request_id, trace_id, before::text AS before, after::text AS after,
       metadata::text AS metadata, occurred_at
FROM outbox
WHERE delivered_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= now())
ORDER BY position
LIMIT $1
FOR UPDATE SKIP LOCKED
