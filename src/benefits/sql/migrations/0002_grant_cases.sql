-- The proactive grant case opened for each consent (or opt-out without objection), and the human
-- review of persons who receive a benefit and are no longer eligible.
CREATE TABLE benefit_grant_case (
  case_number TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  version INTEGER NOT NULL,
  run_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  region TEXT NOT NULL,
  amount_fen BIGINT NOT NULL,
  start_date TEXT NOT NULL,
  decision TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (run_id, person_id)
);
CREATE TABLE benefit_review (
  run_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  decision TEXT NOT NULL,
  reviewer TEXT NOT NULL,
  note TEXT NOT NULL,
  end_date TEXT NOT NULL,
  reviewed_at TEXT NOT NULL,
  PRIMARY KEY (run_id, person_id)
);
