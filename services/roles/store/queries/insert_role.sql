-- $1 id, $2 name, $3 display_name, $4 description.
INSERT INTO roles (id, name, display_name, description) VALUES ($1, $2, $3, $4)
