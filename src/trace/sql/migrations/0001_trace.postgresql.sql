-- Trace (痕迹化): append-only events in one hash chain per stream, and signed checkpoints of
-- the chains' heads. See docs/ARCHITECTURE.md, "Trace".

-- One row per event; (stream, seq) is the chain position, so two writers can never both
-- append the same position (the chain cannot fork).
CREATE TABLE trace_event (
  stream TEXT NOT NULL,
  seq BIGINT NOT NULL,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (stream, seq)
);

-- The last event of each stream. Appenders lock this row (SELECT ... FOR UPDATE), which
-- serialises writers per stream; checkpointed_seq is the head recorded by the latest checkpoint.
CREATE TABLE trace_head (
  stream TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL,
  checkpointed_seq BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX trace_head_pending ON trace_head (stream) WHERE seq > checkpointed_seq;

-- Public keys that signed checkpoints, so a copy of the database verifies anywhere.
CREATE TABLE trace_key (
  key_id TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE trace_checkpoint (
  id BIGINT PRIMARY KEY,
  time TEXT NOT NULL,
  prev_digest TEXT NOT NULL,
  digest TEXT NOT NULL,
  key_id TEXT NOT NULL REFERENCES trace_key (key_id),
  signature TEXT NOT NULL,
  head_count INTEGER NOT NULL
);

CREATE TABLE trace_checkpoint_head (
  checkpoint_id BIGINT NOT NULL REFERENCES trace_checkpoint (id),
  stream TEXT NOT NULL,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (checkpoint_id, stream)
);

-- Events, checkpoints and keys are never changed or removed by the application; these triggers
-- turn an accidental UPDATE or DELETE into an error. (Someone who owns the tables can disable
-- them; that is what the hash chains and signed checkpoints detect.)
CREATE FUNCTION trace_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'trace records are append-only (%)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trace_event_append_only BEFORE UPDATE OR DELETE ON trace_event
  FOR EACH ROW EXECUTE FUNCTION trace_refuse_change();
CREATE TRIGGER trace_event_no_truncate BEFORE TRUNCATE ON trace_event
  FOR EACH STATEMENT EXECUTE FUNCTION trace_refuse_change();
CREATE TRIGGER trace_checkpoint_append_only BEFORE UPDATE OR DELETE ON trace_checkpoint
  FOR EACH ROW EXECUTE FUNCTION trace_refuse_change();
CREATE TRIGGER trace_checkpoint_head_append_only BEFORE UPDATE OR DELETE ON trace_checkpoint_head
  FOR EACH ROW EXECUTE FUNCTION trace_refuse_change();
CREATE TRIGGER trace_key_append_only BEFORE UPDATE OR DELETE ON trace_key
  FOR EACH ROW EXECUTE FUNCTION trace_refuse_change();
