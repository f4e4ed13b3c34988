INSERT INTO signing_keys (kid, algorithm, public_jwk, private_key_encrypted, created_at,
                          activated_at)
VALUES ($1, $2, $3::jsonb, $4, $5, $6)
