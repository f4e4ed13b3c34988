-- What stops a non-forced delete: grants of $1 and roles inheriting from it.
SELECT (SELECT count(*) FROM grants WHERE role_id = $1) AS grants,
       (SELECT count(*) FROM role_parents WHERE parent_id = $1) AS children
