-- The review stage: the workflow instance that runs a case's review (its scenario's process on
-- the durable runtime). One per case; the instance's variables carry the case number.
CREATE TABLE case_review (
  case_id TEXT PRIMARY KEY REFERENCES case_record (id),
  instance_id TEXT NOT NULL UNIQUE,
  process_id TEXT NOT NULL,
  joint INTEGER NOT NULL,
  started_at BIGINT NOT NULL
);

-- One-thing bundles (一件事一次办): one application, one sub-case per matter, and the bundle's
-- process (bundle_parallel, bundle_sequence) that waits for each sub-case's decision.
CREATE TABLE bundle_application (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  bundle_code TEXT NOT NULL,
  bundle_name TEXT NOT NULL,
  region_code TEXT NOT NULL,
  submitted_by TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  form TEXT NOT NULL,
  process_id TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  received_at BIGINT NOT NULL
);
CREATE INDEX bundle_application_key ON bundle_application (submitted_by, idempotency_key);

CREATE TABLE bundle_case (
  bundle_id TEXT NOT NULL REFERENCES bundle_application (id),
  idx INTEGER NOT NULL,
  case_id TEXT NOT NULL UNIQUE REFERENCES case_record (id),
  PRIMARY KEY (bundle_id, idx)
);
