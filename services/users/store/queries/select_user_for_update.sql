-- Locks the account's row for the rest of the transaction: concurrent writers queue here and then
-- see the new version (so a second writer with the same expected version is refused).
SELECT * FROM user_view WHERE id = $1::uuid FOR UPDATE
