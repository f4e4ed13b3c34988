SELECT * FROM user_view WHERE id = ANY($1::uuid[])
