-- Benefit policies, the grant roll and matching runs (免申即享). Dates are 'YYYY-MM-DD' text
-- ('' for none), times ISO text, money whole fen.
CREATE TABLE benefit_policy (
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  region TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL,
  source TEXT NOT NULL,
  published_at TEXT NOT NULL,
  published_by TEXT NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE TABLE benefit_grant (
  policy TEXT NOT NULL,
  person_id TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  amount_fen BIGINT NOT NULL,
  region TEXT NOT NULL,
  source TEXT NOT NULL,
  run_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (policy, person_id, start_date)
);
CREATE TABLE match_run (
  id TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  version INTEGER NOT NULL,
  region TEXT NOT NULL,
  reference_date TEXT NOT NULL,
  as_of TEXT NOT NULL,
  created_by TEXT NOT NULL,
  group_digits INTEGER NOT NULL,
  screened BIGINT NOT NULL,
  eligible BIGINT NOT NULL,
  eligible_not_receiving BIGINT NOT NULL,
  no_longer_eligible BIGINT NOT NULL
);
CREATE TABLE match_region (
  run_id TEXT NOT NULL,
  region TEXT NOT NULL,
  screened BIGINT NOT NULL,
  eligible BIGINT NOT NULL,
  eligible_not_receiving BIGINT NOT NULL,
  no_longer_eligible BIGINT NOT NULL,
  PRIMARY KEY (run_id, region)
);
-- One row per run and person: a person is listed once per run, and notified once per run.
CREATE TABLE match_result (
  run_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  region TEXT NOT NULL,
  kind TEXT NOT NULL,
  amount_fen BIGINT NOT NULL,
  explanation TEXT NOT NULL,
  PRIMARY KEY (run_id, person_id)
);
CREATE TABLE benefit_notice (
  run_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  status TEXT NOT NULL,
  assigned_region TEXT NOT NULL,
  due_date TEXT NOT NULL,
  outcome TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, person_id)
);
CREATE TABLE benefit_consent (
  run_id TEXT NOT NULL,
  person_id TEXT NOT NULL,
  decision TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  by_staff INTEGER NOT NULL,
  evidence TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (run_id, person_id)
);
