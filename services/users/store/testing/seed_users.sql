-- Inserts users with indexes $1..$2 in one statement (no per-row round trips):
--   email        user<i>@<$3>          display_name  User <i>
--   created_at   $4 + (i / $5) seconds (so $5 consecutive users share a creation time)
--   status       every $6-th disabled, every $7-th soft-deleted (0: none)
-- ids are UUIDv7-shaped: created_at's milliseconds, version 7, variant bits, md5-derived tail.
INSERT INTO users (id, email, display_name, status, status_before_delete, deleted_at,
                   created_at, updated_at)
SELECT
  (lpad(to_hex((extract(epoch FROM t) * 1000)::bigint), 12, '0') || '7' || substr(h, 1, 3)
   || substr('89ab', 1 + (i % 4)::int, 1) || substr(h, 4, 15))::uuid,
  'user' || i || '@' || $3::text,
  'User ' || i,
  CASE WHEN deleted THEN 'deleted' WHEN disabled THEN 'disabled' ELSE 'active' END,
  CASE WHEN deleted THEN CASE WHEN disabled THEN 'disabled' ELSE 'active' END END,
  CASE WHEN deleted THEN t END,
  t,
  t
FROM (
  SELECT i,
         md5(i::text || $3::text) AS h,
         $4::timestamptz + (i / $5::bigint) * interval '1 second' AS t,
         $6::bigint > 0 AND i % $6::bigint = 0 AS disabled,
         $7::bigint > 0 AND i % $7::bigint = 0 AS deleted
  FROM generate_series($1::bigint, $2::bigint) AS i
) AS seed
