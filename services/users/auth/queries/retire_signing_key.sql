UPDATE signing_keys
SET retired_at = $2, expires_at = $3
WHERE kid = $1
