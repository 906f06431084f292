-- The review stage: the workflow instance that runs a case's review (its scenario's process on
-- the durable runtime). One per case; the instance's variables carry the case number.
CREATE TABLE case_review (
  case_id TEXT PRIMARY KEY REFERENCES case_record (id),
  instance_id TEXT NOT NULL UNIQUE,
  process_id TEXT NOT NULL,
  joint INTEGER NOT NULL,
  started_at BIGINT NOT NULL
);
