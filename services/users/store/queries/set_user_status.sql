UPDATE users
SET status = $2::text, disabled_reason = $3::text, version = version + 1, updated_at = now()
WHERE id = $1::uuid AND status <> 'deleted'
