INSERT INTO sessions (id, user_id, user_agent, ip_address, created_at, last_used_at,
                      idle_expires_at, absolute_expires_at, second_factor_used)
VALUES ($1, $2, $3, $4::inet, $5, $5, $6, $7, $8)
