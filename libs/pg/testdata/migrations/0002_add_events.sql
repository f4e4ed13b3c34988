-- A function body with its own semicolons, a trigger, and seed data: counts how often it ran.
CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL
);

CREATE FUNCTION record_item_insert() RETURNS trigger
LANGUAGE plpgsql
-- Resolve `events` in this schema whatever the caller's search_path is.
SET search_path FROM CURRENT
AS $$
BEGIN
  INSERT INTO events (kind) VALUES ('item:' || NEW.name);
  RETURN NEW;
END;
$$;

CREATE TRIGGER items_record AFTER INSERT ON items
  FOR EACH ROW EXECUTE FUNCTION record_item_insert();

INSERT INTO events (kind) VALUES ('migration 0002 applied');
