-- The names in $1 (text[]) that the catalog does not hold.
SELECT p FROM unnest($1::text[]) AS p
WHERE NOT EXISTS (SELECT 1 FROM permissions WHERE name = p)
