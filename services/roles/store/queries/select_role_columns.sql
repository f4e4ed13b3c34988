-- The columns of a Role (followed by a WHERE in the caller). Lists come as comma-joined text.
SELECT r.id::text AS id, r.name, r.display_name, r.description, r.is_system, r.version,
       r.created_at, r.updated_at,
       array_to_string(ARRAY(SELECT permission FROM role_permissions
                             WHERE role_id = r.id ORDER BY permission), ',') AS permissions,
       array_to_string(ARRAY(SELECT parent_id::text FROM role_parents
                             WHERE role_id = r.id ORDER BY parent_id), ',') AS parent_ids,
       (SELECT count(*) FROM grants g
        WHERE g.role_id = r.id AND (g.expires_at IS NULL OR g.expires_at > now())) AS member_count
FROM roles r
