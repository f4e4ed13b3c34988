INSERT INTO unknown_login_throttle (email_key) VALUES (lower($1)) ON CONFLICT DO NOTHING
