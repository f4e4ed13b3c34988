-- $1 operation, $2 caller, $3 request_id: the live claim's request hash and resource id.
SELECT request_hash, resource_id::text FROM idempotency_keys
WHERE operation = $1::text AND caller = $2::text AND request_id = $3::text
