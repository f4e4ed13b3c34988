UPDATE users
SET status = status_before_delete, status_before_delete = NULL, deleted_at = NULL,
    version = version + 1, updated_at = now()
WHERE id = $1::uuid AND status = 'deleted'
