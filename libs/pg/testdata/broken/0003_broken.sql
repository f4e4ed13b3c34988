-- Fails halfway: the table and row before the error must not survive.
CREATE TABLE half_done (id int);
INSERT INTO half_done VALUES (1);
INSERT INTO events (kind) VALUES ('migration 0003 applied');
SELECT no_such_function();
