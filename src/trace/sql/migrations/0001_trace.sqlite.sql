-- Trace (痕迹化): append-only events in one hash chain per stream, and signed checkpoints of
-- the chains' heads. See docs/ARCHITECTURE.md, "Trace".

-- One row per event; (stream, seq) is the chain position, so two writers can never both
-- append the same position (the chain cannot fork).
CREATE TABLE trace_event (
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (stream, seq)
);

-- The last event of each stream. Appenders lock this row, which serialises writers per stream;
-- checkpointed_seq is the head recorded by the latest checkpoint.
CREATE TABLE trace_head (
  stream TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  checkpointed_seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX trace_head_pending ON trace_head (stream) WHERE seq > checkpointed_seq;

-- Public keys that signed checkpoints, so a copy of the database verifies anywhere.
CREATE TABLE trace_key (
  key_id TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE trace_checkpoint (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  prev_digest TEXT NOT NULL,
  digest TEXT NOT NULL,
  key_id TEXT NOT NULL REFERENCES trace_key (key_id),
  signature TEXT NOT NULL,
  head_count INTEGER NOT NULL
);

CREATE TABLE trace_checkpoint_head (
  checkpoint_id INTEGER NOT NULL REFERENCES trace_checkpoint (id),
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (checkpoint_id, stream)
);
