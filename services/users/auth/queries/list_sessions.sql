-- A user's live sessions, newest first, after the keyset position ($3, $4) when given.
SELECT id, user_id, user_agent, device, host(ip_address) AS ip_address, created_at, last_used_at,
       LEAST(idle_expires_at, absolute_expires_at) AS expires_at, second_factor_used
FROM sessions
WHERE user_id = $1 AND revoked_at IS NULL
  AND idle_expires_at > $2 AND absolute_expires_at > $2
  AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
ORDER BY created_at DESC, id DESC
LIMIT $5
