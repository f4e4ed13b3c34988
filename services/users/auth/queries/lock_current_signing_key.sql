SELECT kid, activated_at
FROM signing_keys
WHERE retired_at IS NULL
FOR UPDATE
