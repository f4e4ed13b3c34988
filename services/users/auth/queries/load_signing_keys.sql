SELECT kid, algorithm, public_jwk::text AS public_jwk, private_key_encrypted, created_at,
       activated_at, retired_at, expires_at
FROM signing_keys
ORDER BY created_at DESC, kid DESC
