UPDATE users
SET status = 'deleted', status_before_delete = status, deleted_at = now(),
    version = version + 1, updated_at = now()
WHERE id = $1::uuid AND status <> 'deleted'
