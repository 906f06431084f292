-- name: insert_widget
INSERT INTO widget (id, name, note, amount_fen) VALUES (:id, :name, :note, :amount);

-- name: count_widgets
SELECT COUNT(*) FROM widget;

-- name: widget_names_text
SELECT name || ';' FROM widget ORDER BY name;

-- name: backend_name [sqlite]
SELECT 'sqlite';

-- name: backend_name [postgresql]
SELECT 'postgresql';

-- name: widget_columns
SELECT name FROM widget
-- A comment that ends a prefix query, naming :nothing: it must not swallow what is appended.

-- name: widget_named
SELECT name FROM widget
  -- an indented comment inside a query
WHERE name = :name;
