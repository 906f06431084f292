-- Named queries of the trace module (see store/queries.h for the format). Comments between
-- queries become part of the query before them, so they hold no colons and no quotes.

-- Appending reads and locks the stream's head row, adds the event, moves the head. A stream's
-- first event creates the head already at that event, or nothing when a concurrent first append
-- created it meanwhile.
-- name: create_head
INSERT INTO trace_head (stream, seq, hash) VALUES (:stream, :seq, :hash)
ON CONFLICT (stream) DO NOTHING;

-- SQLite write transactions already hold the write lock of the database (BEGIN IMMEDIATE).
-- name: lock_head
SELECT seq, hash FROM trace_head WHERE stream = :stream;

-- name: lock_head [postgresql]
SELECT seq, hash FROM trace_head WHERE stream = :stream FOR UPDATE;

-- name: insert_event
INSERT INTO trace_event (stream, seq, time, actor, action, payload, prev_hash, hash)
VALUES (:stream, :seq, :time, :actor, :action, :payload, :prev_hash, :hash);

-- name: advance_head
UPDATE trace_head SET seq = :seq, hash = :hash WHERE stream = :stream;

-- name: read_events
SELECT seq, time, actor, action, payload, prev_hash, hash
FROM trace_event WHERE stream = :stream AND seq > :after
ORDER BY seq LIMIT :limit;

-- Checkpoints are taken one at a time, so the checkpoint chain cannot fork either.
-- name: lock_checkpoints
SELECT 1;

-- name: lock_checkpoints [postgresql]
SELECT pg_advisory_xact_lock(7283002);

-- name: last_checkpoint
SELECT id, digest FROM trace_checkpoint ORDER BY id DESC LIMIT 1;

-- A head an appender is moving right now is skipped; the next checkpoint takes it.
-- name: pending_heads
SELECT stream, seq, hash FROM trace_head WHERE seq > checkpointed_seq;

-- name: pending_heads [postgresql]
SELECT stream, seq, hash FROM trace_head WHERE seq > checkpointed_seq FOR UPDATE SKIP LOCKED;

-- name: register_key
INSERT INTO trace_key (key_id, public_key, created_at) VALUES (:key_id, :public_key, :created_at)
ON CONFLICT (key_id) DO NOTHING;

-- name: insert_checkpoint
INSERT INTO trace_checkpoint (id, time, prev_digest, digest, key_id, signature, head_count)
VALUES (:id, :time, :prev_digest, :digest, :key_id, :signature, :head_count);

-- name: insert_checkpoint_head
INSERT INTO trace_checkpoint_head (checkpoint_id, stream, seq, hash)
VALUES (:checkpoint_id, :stream, :seq, :hash);

-- name: mark_checkpointed
UPDATE trace_head SET checkpointed_seq = :seq WHERE stream = :stream;

-- Verification walks the events in (stream, seq) order, a page at a time, with the recorded
-- head of each stream beside its events.
-- name: verify_events_page
SELECT e.stream, e.seq, e.time, e.actor, e.action, e.payload, e.prev_hash, e.hash,
       COALESCE(h.seq, -1), COALESCE(h.hash, '')
FROM trace_event e LEFT JOIN trace_head h ON h.stream = e.stream
WHERE (e.stream, e.seq) > (:stream, :seq)
ORDER BY e.stream, e.seq LIMIT :limit;

-- Heads whose stream has no events at all (every event removed).
-- name: orphan_heads
SELECT h.stream, h.seq FROM trace_head h
WHERE NOT EXISTS (SELECT 1 FROM trace_event e WHERE e.stream = h.stream)
ORDER BY h.stream LIMIT :limit;

-- name: keys
SELECT key_id, public_key FROM trace_key ORDER BY key_id;

-- name: checkpoints_page
SELECT id, time, prev_digest, digest, key_id, signature, head_count
FROM trace_checkpoint WHERE id > :after ORDER BY id LIMIT :limit;

-- name: checkpoint_heads
SELECT h.stream, h.seq, h.hash, COALESCE(e.hash, '')
FROM trace_checkpoint_head h
LEFT JOIN trace_event e ON e.stream = h.stream AND e.seq = h.seq
WHERE h.checkpoint_id = :id;

-- name: count_checkpoints
SELECT COUNT(*) FROM trace_checkpoint;
