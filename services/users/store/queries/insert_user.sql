INSERT INTO users (id, email, display_name, email_verified, phone_number, locale, time_zone,
                   attributes, password_hash, password_changed_at, password_change_required)
VALUES ($1::uuid, $2::text, $3::text, $4::boolean, $5::text, $6::text, $7::text, $8::jsonb,
        $9::text, CASE WHEN $9::text IS NULL THEN NULL ELSE now() END, $10::boolean)
