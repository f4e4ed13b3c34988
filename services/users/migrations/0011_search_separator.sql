-- The free-text index joined email and display name with a space, so a query could match across
-- the boundary ("om bo" in "tom@x.org bob"), and ListUsers re-checked each field, which hid the
-- index's selectivity from the planner (bench/users: 60 ms for a 1% query on a million users).
-- Joining with U+001F, which neither field may contain (control characters are refused) and no
-- query may contain, makes a match inside the joined text a match inside one field.
DROP INDEX users_search_trgm;
CREATE INDEX users_search_trgm
  ON users USING gin (lower(email || E'\x1f' || display_name) public.gin_trgm_ops);
