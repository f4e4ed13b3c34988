-- The next rows of a verification walk, in chain order.
SELECT sequence, id::text AS id, event_time, ingest_time, actor_type, actor_id, actor_display_name,
       client_ip, user_agent, on_behalf_of_id, action, resource_type, resource_id, service,
       request_id, trace_id, outcome, message, before::text AS before, after::text AS after,
       metadata::text AS metadata, prev_hash, hash
FROM events WHERE sequence >= $1 AND sequence <= $2
ORDER BY sequence LIMIT $3
