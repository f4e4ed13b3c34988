-- What sign-in needs beyond 0002/0003: second-factor login challenges, brute-force state for
-- emails that have no account (so unknown emails throttle and lock exactly like real ones), the
-- second-factor marker on sessions, and at most one signing key that is not retired.

-- Whether the login that started the session used TOTP or a recovery code (Session proto).
ALTER TABLE sessions ADD COLUMN second_factor_used boolean NOT NULL DEFAULT false;

-- A password step that succeeded for an account with TOTP, waiting for CompleteLogin. The token
-- is only stored hashed (SHA-256 of an OpaqueToken); a challenge dies after `expires_at`, after
-- `attempts` reaches the limit, or when used.
CREATE TABLE login_challenges (
  token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- CompleteLogin must come from the same User-Agent (truncated to 512 bytes like sessions').
  user_agent text NOT NULL DEFAULT '' CHECK (octet_length(user_agent) <= 512),
  ip_address inet
);

CREATE INDEX login_challenges_user ON login_challenges (user_id);
CREATE INDEX login_challenges_expires_at ON login_challenges (expires_at);

-- Lockout state of login attempts for emails without an account, keyed by lower(email), with the
-- same columns and rules as the users table's. Rows are created by a first failure and may be
-- deleted once neither counted nor locked (a day after the last failure).
CREATE TABLE unknown_login_throttle (
  email_key text PRIMARY KEY CHECK (octet_length(email_key) BETWEEN 1 AND 254),
  failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  last_failed_login_at timestamptz,
  lock_count integer NOT NULL DEFAULT 0 CHECK (lock_count >= 0),
  locked_until timestamptz
);

CREATE INDEX unknown_login_throttle_last_failed ON unknown_login_throttle (last_failed_login_at);

-- At most one key that is not retired (the ACTIVE one, or the NEXT one while the ACTIVE one has
-- its retirement scheduled): two replicas that both find no key and both insert one cannot both
-- succeed, so INSERT ... ON CONFLICT DO NOTHING and a re-read make start-up race-free.
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys ((true)) WHERE retired_at IS NULL;
