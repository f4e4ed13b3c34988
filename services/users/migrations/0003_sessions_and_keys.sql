-- Sessions with rotating refresh tokens, and the keys that sign access tokens.

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_agent text NOT NULL DEFAULT '' CHECK (octet_length(user_agent) <= 512),
  device text NOT NULL DEFAULT '' CHECK (octet_length(device) <= 200),
  ip_address inet,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz NOT NULL DEFAULT now(),
  -- A refresh after idle_expires_at or absolute_expires_at fails; each refresh moves the idle
  -- expiry, never the absolute one.
  idle_expires_at timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  -- 'logout', 'revoked', 'user_disabled', 'user_deleted', 'password_changed',
  -- 'refresh_token_reused', ...
  revoke_reason text,
  CONSTRAINT sessions_revoked_with_reason CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);

CREATE INDEX sessions_user_active ON sessions (user_id, created_at DESC, id)
  WHERE revoked_at IS NULL;
CREATE INDEX sessions_absolute_expiry ON sessions (absolute_expires_at);

-- Every refresh token a session was ever given, by hash. Rotation marks the presented token used
-- and inserts its successor; presenting a token that is already used is reuse, which revokes the
-- session (its whole family).
CREATE TABLE refresh_tokens (
  token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz
);

CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE signing_keys (
  kid text PRIMARY KEY CHECK (kid ~ '^[A-Za-z0-9_-]{1,64}$'),
  algorithm text NOT NULL CHECK (algorithm IN ('RS256', 'ES256', 'EdDSA')),
  public_jwk jsonb NOT NULL CHECK (jsonb_typeof(public_jwk) = 'object'),
  -- Encrypted with the key from --signing_key_encryption_key_file; never leaves the service.
  private_key_encrypted bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Published from created_at; signs from activated_at; stops signing at retired_at; leaves the
  -- JWKS at expires_at (retired_at + access token lifetime).
  activated_at timestamptz,
  retired_at timestamptz,
  expires_at timestamptz,
  CONSTRAINT signing_keys_times_ordered CHECK (
    (retired_at IS NULL OR activated_at IS NOT NULL AND retired_at >= activated_at)
    AND (expires_at IS NULL OR retired_at IS NOT NULL AND expires_at >= retired_at))
);
