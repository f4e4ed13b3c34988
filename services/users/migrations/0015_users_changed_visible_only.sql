-- An UPDATE of `users` notifies `users_changed` only for the accounts whose user_view changed.
--
-- 0014 notified every account an UPDATE touched, including sign-in bookkeeping that user_view does
-- not show: a failed login (save_user_lockout.sql, reachable without credentials through the login
-- route), the TOTP step a login consumed (set_totp_last_step.sql), a password rehash
-- (rehash_password.sql), a pending TOTP secret (set_pending_totp.sql). Each notification drops
-- that account and every cached list page in every BFF, so password guessing or ordinary sign-in
-- traffic could keep every BFF's page cache empty, and each of those commits took PostgreSQL's
-- notify lock (commits that notify are serialized on it). Now an UPDATE compares each row's old
-- and new version over exactly the `users` columns user_view reads (0002; search_text, added by
-- 0013, is derived from email and display_name and not shown) and notifies the ids that differ. A
-- successful login still notifies: it sets last_login_at, which user_view shows.
--
-- Unchanged: INSERT and DELETE notify every id, recovery_codes notifies every user_id a statement
-- touched (recovery_codes_remaining), more than 64 ids in one statement notify 'all', and so does
-- a TRUNCATE of either table.
--
-- 0014's one function built its query per call with EXECUTE (planned each statement); these are
-- static, one per table, so PL/pgSQL plans each query once per session. The triggers keep their
-- names and events and are pointed at the new functions in this migration's transaction, so no
-- committed change goes unheard.

-- Notifies each id, or 'all' when there are more than 64 (callers pass at most 65).
CREATE FUNCTION notify_users_changed_ids(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) > 64 THEN
    PERFORM pg_notify('users_changed', 'all');
  ELSE
    PERFORM pg_notify('users_changed', id::text) FROM unnest(ids) AS id;
  END IF;
END
$$;

-- The statement triggers on `users`.
CREATE FUNCTION notify_users_changed_users() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('users_changed', 'all');
  ELSIF TG_OP = 'INSERT' THEN
    PERFORM notify_users_changed_ids(ARRAY(SELECT DISTINCT id FROM new_rows LIMIT 65));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM notify_users_changed_ids(ARRAY(SELECT DISTINCT id FROM old_rows LIMIT 65));
  ELSE
    -- A full join, so that a changed id notifies both the id it had and the one it has.
    PERFORM notify_users_changed_ids(ARRAY(
      SELECT DISTINCT coalesce(n.id, o.id)
      FROM new_rows n FULL JOIN old_rows o ON o.id = n.id
      WHERE n.id IS NULL OR o.id IS NULL
        OR (o.email, o.display_name, o.status, o.disabled_reason, o.email_verified,
            o.phone_number, o.locale, o.time_zone, o.attributes, o.version, o.created_at,
            o.updated_at, o.deleted_at, o.last_login_at, o.password_hash IS NOT NULL,
            o.password_change_required, o.password_changed_at, o.totp_enabled)
           IS DISTINCT FROM
           (n.email, n.display_name, n.status, n.disabled_reason, n.email_verified,
            n.phone_number, n.locale, n.time_zone, n.attributes, n.version, n.created_at,
            n.updated_at, n.deleted_at, n.last_login_at, n.password_hash IS NOT NULL,
            n.password_change_required, n.password_changed_at, n.totp_enabled)
      LIMIT 65));
  END IF;
  RETURN NULL;
END
$$;

-- The statement triggers on `recovery_codes`: every account a statement touched.
CREATE FUNCTION notify_users_changed_recovery_codes() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('users_changed', 'all');
  ELSIF TG_OP = 'INSERT' THEN
    PERFORM notify_users_changed_ids(ARRAY(SELECT DISTINCT user_id FROM new_rows LIMIT 65));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM notify_users_changed_ids(ARRAY(SELECT DISTINCT user_id FROM old_rows LIMIT 65));
  ELSE
    PERFORM notify_users_changed_ids(ARRAY(
      SELECT DISTINCT user_id FROM (SELECT user_id FROM new_rows UNION SELECT user_id FROM old_rows)
        AS touched
      LIMIT 65));
  END IF;
  RETURN NULL;
END
$$;

-- Same names, events and transition tables as 0014; only the function changes.
CREATE OR REPLACE TRIGGER users_changed_insert AFTER INSERT ON users
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed_users();
CREATE OR REPLACE TRIGGER users_changed_update AFTER UPDATE ON users
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed_users();
CREATE OR REPLACE TRIGGER users_changed_delete AFTER DELETE ON users
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed_users();
CREATE OR REPLACE TRIGGER users_changed_truncate AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed_users();

CREATE OR REPLACE TRIGGER recovery_codes_changed_insert AFTER INSERT ON recovery_codes
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed_recovery_codes();
CREATE OR REPLACE TRIGGER recovery_codes_changed_update AFTER UPDATE ON recovery_codes
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed_recovery_codes();
CREATE OR REPLACE TRIGGER recovery_codes_changed_delete AFTER DELETE ON recovery_codes
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed_recovery_codes();
CREATE OR REPLACE TRIGGER recovery_codes_changed_truncate AFTER TRUNCATE ON recovery_codes
  FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed_recovery_codes();

DROP FUNCTION notify_users_changed();
