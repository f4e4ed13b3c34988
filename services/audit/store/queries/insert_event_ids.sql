-- The dedup gate rows of a batch, from one JSON array parameter.
INSERT INTO event_ids (id, sequence, ingest_time, content_digest)
SELECT id, sequence, ingest_time, content_digest
FROM jsonb_to_recordset($1::jsonb)
  AS e(id uuid, sequence bigint, ingest_time timestamptz, content_digest text)
