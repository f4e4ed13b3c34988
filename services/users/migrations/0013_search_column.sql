-- The free-text search reads a stored, lower-cased copy of what it searches instead of an
-- expression index. A bitmap scan of the trigram index re-checks every match it fetches against
-- the pattern, and with an expression index that recheck lower-cased email and display name of
-- each match again (bench/users: half of a 1,000-match page's time, and the same again in the
-- count of its total). A generated column is computed once per write, and the recheck compares
-- it as it is. The text is the one 0011 indexed: U+001F, which neither field nor a query may
-- contain, joins the fields, so a match never spans both.
--
-- The column lives in `users` only; user_view, which every reader maps by column name, does not
-- show it (ListUsers picks its rows from `users`, list_query.cc). Adding a stored generated
-- column rewrites the table under an ACCESS EXCLUSIVE lock: seconds for a million users.
ALTER TABLE users ADD COLUMN search_text text NOT NULL
  GENERATED ALWAYS AS (lower(email || E'\x1f' || display_name)) STORED;

DROP INDEX users_search_trgm;
CREATE INDEX users_search_trgm ON users USING gin (search_text public.gin_trgm_ops);

-- As 0012 did for the expression: the planner estimates a query's matches from this column's
-- statistics, and the default sample misjudged a 1% pattern by two orders of magnitude.
ALTER TABLE users ALTER COLUMN search_text SET STATISTICS 1000;
