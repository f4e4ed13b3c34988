-- Every committed change to an account notifies `users_changed`, so WatchUserChanges (and through
-- it the BFF's cache of accounts and list pages) hears of it whoever wrote it: any replica, any
-- call, housekeeping purges, imports, a psql session. The payload is the account id (lower-case
-- UUID), one notification per distinct account a statement touched, or 'all' when a statement
-- touched more than 64 (a bulk change: the watcher drops everything rather than reading a flood).
-- NOTIFY is transactional: listeners hear it only on commit, nothing for a rolled-back change,
-- and PostgreSQL folds identical notifications of one transaction into one.
--
-- The triggers are per statement with transition tables (one event each, as transition tables
-- require), so a statement costs one trigger call however many rows it touches. What they cover
-- is what user_view shows: `users` (every column, including sign-in state that the API does not
-- show: a spare notification is harmless) and `recovery_codes` (recovery_codes_remaining). A
-- TRUNCATE of either notifies 'all'.

-- The one trigger function; its argument names the table's account id column.
CREATE FUNCTION notify_users_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  changed text;
  ids uuid[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('users_changed', 'all');
    RETURN NULL;
  END IF;
  changed := CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT %I FROM new_rows', TG_ARGV[0])
    WHEN 'DELETE' THEN format('SELECT %I FROM old_rows', TG_ARGV[0])
    ELSE format('SELECT %1$I FROM new_rows UNION SELECT %1$I FROM old_rows', TG_ARGV[0])
  END;
  -- At most 65 distinct ids: one more than the limit says "more than 64".
  EXECUTE format('SELECT ARRAY(SELECT DISTINCT id FROM (%s) AS changed (id) LIMIT 65)', changed)
    INTO ids;
  IF cardinality(ids) > 64 THEN
    PERFORM pg_notify('users_changed', 'all');
  ELSE
    PERFORM pg_notify('users_changed', id::text) FROM unnest(ids) AS id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER users_changed_insert AFTER INSERT ON users
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed('id');
CREATE TRIGGER users_changed_update AFTER UPDATE ON users
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed('id');
CREATE TRIGGER users_changed_delete AFTER DELETE ON users
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed('id');
CREATE TRIGGER users_changed_truncate AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed();

CREATE TRIGGER recovery_codes_changed_insert AFTER INSERT ON recovery_codes
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed('user_id');
CREATE TRIGGER recovery_codes_changed_update AFTER UPDATE ON recovery_codes
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed('user_id');
CREATE TRIGGER recovery_codes_changed_delete AFTER DELETE ON recovery_codes
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed('user_id');
CREATE TRIGGER recovery_codes_changed_truncate AFTER TRUNCATE ON recovery_codes
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed();
