-- A throw-away schema for the store's own contract tests.
CREATE TABLE widget (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,   -- a name; semicolons in comments are fine;
  note TEXT,
  amount_fen BIGINT NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX widget_name ON widget (name);
