-- The latest retention boundary: where the stored chain starts now.
SELECT id, applied_time, array_to_string(dropped_partitions, ',') AS dropped_partitions,
       removed_from, removed_to, events_removed, first_retained_sequence,
       first_retained_prev_hash, event_id::text AS event_id
FROM retention_log
ORDER BY first_retained_sequence DESC, id DESC
LIMIT 1
