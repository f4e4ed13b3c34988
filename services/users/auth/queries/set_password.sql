UPDATE users
SET password_hash = $2, password_changed_at = $3, password_change_required = $4,
    version = version + 1, updated_at = $3
WHERE id = $1
