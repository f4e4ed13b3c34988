SELECT * FROM user_view WHERE id = $1::uuid
