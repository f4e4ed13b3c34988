-- $1 operation, $2 caller, $3 request_id, $4 request_hash, $5 resource_id, $6 ttl in seconds.
-- Claims the key for this transaction, or takes over an expired claim. Returns a row if this
-- transaction now owns the key; no row if a live claim exists (then read it with
-- select_idempotency_key). A concurrent claimer of the same key waits here until the first one
-- commits (then it sees the claim) or rolls back (then it claims the key itself).
INSERT INTO idempotency_keys (operation, caller, request_id, request_hash, resource_id, expires_at)
VALUES ($1::text, $2::text, $3::text, $4::bytea, $5::uuid, now() + $6::bigint * interval '1 second')
ON CONFLICT (operation, caller, request_id) DO UPDATE
SET request_hash = EXCLUDED.request_hash, resource_id = EXCLUDED.resource_id, created_at = now(),
    expires_at = EXCLUDED.expires_at
WHERE idempotency_keys.expires_at <= now()
RETURNING resource_id
