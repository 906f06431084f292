-- Cases (办件). Times are milliseconds since the epoch (UTC); dates are 'YYYY-MM-DD' in China
-- Standard Time, '' when not set. Absent text is '' rather than NULL.

CREATE TABLE case_record (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  matter_code TEXT NOT NULL,
  matter_version TEXT NOT NULL,
  scenario TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  applicant_kind TEXT NOT NULL,
  applicant_code TEXT NOT NULL,
  applicant_name TEXT NOT NULL,
  agent_account TEXT NOT NULL,
  submitted_by TEXT NOT NULL,
  channel TEXT NOT NULL,
  clerk_account TEXT NOT NULL,
  form TEXT NOT NULL,
  state TEXT NOT NULL,
  version BIGINT NOT NULL,
  received_on TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  accepted_on TEXT NOT NULL,
  accepted_by TEXT NOT NULL,
  correction_on TEXT NOT NULL,
  correction_items TEXT NOT NULL,
  suspension_reason TEXT NOT NULL,
  suspended_since TEXT NOT NULL,
  suspended_days BIGINT NOT NULL,
  extension_days BIGINT NOT NULL,
  extended_by TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decision_reasons TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- The acceptance queue and the 第32条 supervision query: by state, then region, then age.
CREATE INDEX case_record_queue ON case_record (state, region_code, received_at, id);
CREATE INDEX case_record_applicant ON case_record (applicant_code, received_at);

-- One row per region and day: the last case number's sequence, taken inside the submitting
-- transaction (a rollback gives the number back, so there are no gaps).
CREATE TABLE case_sequence (
  region_code TEXT NOT NULL,
  day TEXT NOT NULL,
  last BIGINT NOT NULL,
  PRIMARY KEY (region_code, day)
);

CREATE TABLE case_material (
  case_id TEXT NOT NULL REFERENCES case_record (id),
  idx BIGINT NOT NULL,
  name TEXT NOT NULL,
  required BIGINT NOT NULL,
  core BIGINT NOT NULL,
  state TEXT NOT NULL,
  origin TEXT NOT NULL,
  reference TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  size BIGINT NOT NULL,
  media_type TEXT NOT NULL,
  file_name TEXT NOT NULL,
  due_on TEXT NOT NULL,
  PRIMARY KEY (case_id, idx)
);

CREATE TABLE case_document (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES case_record (id),
  kind TEXT NOT NULL,
  issued_on TEXT NOT NULL,
  department_code TEXT NOT NULL,
  content TEXT NOT NULL,
  key_id TEXT NOT NULL,
  signature TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX case_document_case ON case_document (case_id, id);

-- The departments' e-seal keys (SM2), created at a department's first sealed document.
CREATE TABLE case_department_key (
  department_code TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  private_pem TEXT NOT NULL,
  public_pem TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- Idempotency-Key, scoped per submitting account: the request's fingerprint and the case.
CREATE TABLE case_idempotency (
  account_id TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  case_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, idem_key)
);
CREATE INDEX case_idempotency_age ON case_idempotency (created_at);
