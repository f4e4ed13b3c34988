UPDATE users
SET email = $2::text, display_name = $3::text, email_verified = $4::boolean,
    phone_number = $5::text, locale = $6::text, time_zone = $7::text, attributes = $8::jsonb,
    version = version + 1, updated_at = now()
WHERE id = $1::uuid
