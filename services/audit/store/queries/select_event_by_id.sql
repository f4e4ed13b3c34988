-- Through event_ids, so only the partition holding the event is read.
SELECT sequence, id::text AS id, event_time, ingest_time, actor_type, actor_id, actor_display_name,
       client_ip, user_agent, on_behalf_of_id, action, resource_type, resource_id, service,
       request_id, trace_id, outcome, message, before::text AS before, after::text AS after,
       metadata::text AS metadata, prev_hash, hash
FROM events
WHERE (sequence, ingest_time) =
      (SELECT sequence, ingest_time FROM event_ids WHERE id = $1::uuid)
