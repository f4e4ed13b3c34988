-- Claims (operation, caller, request_id) for this request, or takes over an expired claim.
-- Returns a row if this transaction now owns the key; no row if a live claim exists (then read it
-- with select_idempotency_key). A concurrent claimer waits here until the first one commits or
-- rolls back.
INSERT INTO idempotency_keys (operation, caller, request_id, request_hash, resource_id, expires_at)
VALUES ($1::text, $2::text, $3::text, $4::bytea, $5::uuid, now() + $6::bigint * interval '1 second')
ON CONFLICT (operation, caller, request_id) DO UPDATE
SET request_hash = EXCLUDED.request_hash, resource_id = EXCLUDED.resource_id, created_at = now(),
    expires_at = EXCLUDED.expires_at
WHERE idempotency_keys.expires_at <= now()
RETURNING resource_id
