-- A batch of events as COPY text rows (event_append.cc writes them): the chain fields last, since
-- they are the only ones written under the chain head's lock.
COPY events (id, event_time, ingest_time, actor_type, actor_id, actor_display_name, client_ip,
             user_agent, on_behalf_of_id, action, resource_type, resource_id, service, request_id,
             trace_id, outcome, message, before, after, metadata, sequence, prev_hash, hash)
FROM STDIN
