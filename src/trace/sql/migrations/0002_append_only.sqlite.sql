-- Events, checkpoints and keys are never changed or removed by the application; these triggers
-- turn an accidental UPDATE or DELETE into an error, as 0001's triggers do on PostgreSQL.
-- (Someone who owns the file can drop them; that is what the hash chains and signed checkpoints
-- detect.) SQLite names one event per trigger, so each table has two.
CREATE TRIGGER trace_event_no_update BEFORE UPDATE ON trace_event
BEGIN
  SELECT RAISE(ABORT, 'trace records are append-only (trace_event)');
END;
CREATE TRIGGER trace_event_no_delete BEFORE DELETE ON trace_event
BEGIN
  SELECT RAISE(ABORT, 'trace records are append-only (trace_event)');
END;
CREATE TRIGGER trace_checkpoint_no_update BEFORE UPDATE ON trace_checkpoint
BEGIN
  SELECT RAISE(ABORT, 'trace records are append-only (trace_checkpoint)');
END;
CREATE TRIGGER trace_checkpoint_no_delete BEFORE DELETE ON trace_checkpoint
BEGIN
  SELECT RAISE(ABORT, 'trace records are append-only (trace_checkpoint)');
END;
CREATE TRIGGER trace_checkpoint_head_no_update BEFORE UPDATE ON trace_checkpoint_head
BEGIN
  SELECT RAISE(ABORT, 'trace records are append-only (trace_checkpoint_head)');
END;
CREATE TRIGGER trace_checkpoint_head_no_delete BEFORE DELETE ON trace_checkpoint_head
BEGIN
  SELECT RAISE(ABORT, 'trace records are append-only (trace_checkpoint_head)');
END;
CREATE TRIGGER trace_key_no_update BEFORE UPDATE ON trace_key
BEGIN
  SELECT RAISE(ABORT, 'trace records are append-only (trace_key)');
END;
CREATE TRIGGER trace_key_no_delete BEFORE DELETE ON trace_key
BEGIN
  SELECT RAISE(ABORT, 'trace records are append-only (trace_key)');
END;
