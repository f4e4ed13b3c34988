-- Which of these ids are stored already, with their sequence and content digest.
SELECT id::text AS id, sequence, content_digest FROM event_ids WHERE id = ANY($1::uuid[])
