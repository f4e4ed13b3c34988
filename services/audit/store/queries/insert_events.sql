-- A batch of events from one JSON array of objects keyed by column name.
INSERT INTO events
SELECT * FROM jsonb_populate_recordset(NULL::events, $1::jsonb)
