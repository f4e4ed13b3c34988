-- Runs retention in the caller's transaction (apply_retention, migration 0003): drops the
-- partitions of months before $1 and records the boundary for event $2. No row: nothing to drop.
SELECT id, applied_time, array_to_string(dropped_partitions, ',') AS dropped_partitions,
       removed_from, removed_to, events_removed, first_retained_sequence,
       first_retained_prev_hash, event_id::text AS event_id
FROM apply_retention($1::timestamptz, $2::uuid, $3::timestamptz)
