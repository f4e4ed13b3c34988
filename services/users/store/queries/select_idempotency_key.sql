SELECT request_hash, resource_id::text FROM idempotency_keys
WHERE operation = $1::text AND caller = $2::text AND request_id = $3::text
