SELECT count(*) FROM sessions
WHERE user_id = $1 AND revoked_at IS NULL
  AND idle_expires_at > $2 AND absolute_expires_at > $2
