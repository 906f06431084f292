-- The applicant credit record (失信 / 违诺) and 告知承诺 verifications (核查).

CREATE TABLE case_credit_entry (
  id TEXT PRIMARY KEY,
  applicant_code TEXT NOT NULL,
  kind TEXT NOT NULL,
  serious BIGINT NOT NULL,
  source TEXT NOT NULL,
  reason TEXT NOT NULL,
  recorded_on TEXT NOT NULL,
  expires_on TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  repaired_on TEXT NOT NULL,
  repaired_by TEXT NOT NULL,
  repair_note TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX case_credit_applicant ON case_credit_entry (applicant_code, created_at);

CREATE TABLE case_verification (
  case_id TEXT PRIMARY KEY REFERENCES case_record (id),
  case_number TEXT NOT NULL,
  department_code TEXT NOT NULL,
  due_on TEXT NOT NULL,
  state TEXT NOT NULL,
  rectify_by TEXT NOT NULL,
  verified_by TEXT NOT NULL,
  note TEXT NOT NULL
);
CREATE INDEX case_verification_due ON case_verification (state, department_code, due_on);
