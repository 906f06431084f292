-- Licence types (with their field schema as JSON) and the licence register.
CREATE TABLE licence_type (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  definition TEXT NOT NULL
);
CREATE TABLE licence (
  id TEXT PRIMARY KEY,
  type_code TEXT NOT NULL,
  holder_id TEXT NOT NULL,
  issuer_code TEXT NOT NULL,
  serial TEXT NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  revoked_reason TEXT NOT NULL DEFAULT '',
  previous_id TEXT NOT NULL DEFAULT '',
  next_id TEXT NOT NULL DEFAULT '',
  document TEXT NOT NULL,
  signature TEXT NOT NULL,
  key_id TEXT NOT NULL,
  issued_at TEXT NOT NULL
);
CREATE INDEX licence_holder ON licence (holder_id);
CREATE TABLE licence_counter (
  issuer_uscc TEXT NOT NULL,
  year INTEGER NOT NULL,
  next_serial BIGINT NOT NULL,
  PRIMARY KEY (issuer_uscc, year)
);
