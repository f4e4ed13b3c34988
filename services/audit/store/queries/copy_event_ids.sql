-- The dedup gate rows of a batch as COPY text rows (event_append.cc writes them), the sequence last.
COPY event_ids (id, ingest_time, content_digest, sequence) FROM STDIN
