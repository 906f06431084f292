-- The key hierarchy: the installation root and each department's signing keys, every private
-- key encrypted under a master key (master_key_id names it, so the master key can rotate).
CREATE TABLE signing_key (
  key_id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  owner_name TEXT NOT NULL,
  serial BIGINT NOT NULL UNIQUE,
  certificate TEXT NOT NULL,
  wrapped_private TEXT NOT NULL,
  master_key_id TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  retired_at TEXT
);
CREATE INDEX signing_key_owner ON signing_key (owner, status);
