-- 好差评: visits, ratings, QR tokens, invitations and rectification items. Times are ms since the
-- epoch (UTC); dates 'YYYY-MM-DD' (CST); absent text is ''. Cases are referred to by number
-- (case_record.number); a visit may have no case.

CREATE TABLE evaluation_visit (
  id TEXT PRIMARY KEY,
  case_number TEXT NOT NULL,
  channel TEXT NOT NULL,
  window_code TEXT NOT NULL,
  terminal TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  matter_code TEXT NOT NULL,
  clerk_account TEXT NOT NULL,
  applicant_account TEXT NOT NULL,
  applicant_code TEXT NOT NULL,
  opened_at BIGINT NOT NULL
);

CREATE TABLE evaluation (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  case_number TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  matter_code TEXT NOT NULL,
  window_code TEXT NOT NULL,
  level TEXT NOT NULL,
  tags TEXT NOT NULL,
  text TEXT NOT NULL,
  rater_account TEXT NOT NULL,
  rater_code TEXT NOT NULL,
  named BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  voided BIGINT NOT NULL
);
-- 一事一评: one online rating per case; 一次一评: one rating per visit.
CREATE UNIQUE INDEX evaluation_online_once ON evaluation (case_number) WHERE source = 'online';
CREATE UNIQUE INDEX evaluation_visit_once ON evaluation (visit_id) WHERE visit_id <> '';
CREATE INDEX evaluation_case ON evaluation (case_number);
CREATE INDEX evaluation_created ON evaluation (created_at);

-- QR tokens: the SM3 of the token text; single use.
CREATE TABLE evaluation_token (
  token_hash TEXT PRIMARY KEY,
  visit_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL
);

-- The SMS invitation of an unrated ended case: at most one per case.
CREATE TABLE evaluation_invitation (
  case_number TEXT PRIMARY KEY,
  sent_at BIGINT NOT NULL
);

CREATE TABLE rectification (
  id TEXT PRIMARY KEY,
  evaluation_id TEXT NOT NULL UNIQUE,
  case_number TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  matter_code TEXT NOT NULL,
  window_code TEXT NOT NULL,
  level TEXT NOT NULL,
  named BIGINT NOT NULL,
  rater_account TEXT NOT NULL,
  rater_code TEXT NOT NULL,
  state TEXT NOT NULL,
  opened_at BIGINT NOT NULL,
  due_on TEXT NOT NULL,
  callback_at BIGINT NOT NULL,
  callback_outcome TEXT NOT NULL,
  callback_note TEXT NOT NULL,
  action_note TEXT NOT NULL,
  acted_by TEXT NOT NULL,
  acted_at BIGINT NOT NULL,
  review_decision TEXT NOT NULL,
  review_note TEXT NOT NULL,
  reviewed_by TEXT NOT NULL,
  applicant_level TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX rectification_department ON rectification (department_code, state, due_on);
CREATE INDEX rectification_opened ON rectification (opened_at);
