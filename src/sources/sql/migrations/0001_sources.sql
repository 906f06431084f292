-- Material sources, jurisdiction and certificate requests (src/sources). Times are milliseconds
-- since the epoch (UTC); dates 'YYYY-MM-DD' in China Standard Time; absent text is ''.

-- One row per material of a case: where it came from, as resolved at submission.
CREATE TABLE material_source (
  case_id TEXT NOT NULL,
  case_number TEXT NOT NULL,
  idx BIGINT NOT NULL,
  name TEXT NOT NULL,
  matter_code TEXT NOT NULL,
  region_code TEXT NOT NULL,
  required BIGINT NOT NULL,
  catalog_source TEXT NOT NULL,
  source TEXT NOT NULL,
  reference TEXT NOT NULL,
  detail TEXT NOT NULL,
  received_on TEXT NOT NULL,
  sandbox BIGINT NOT NULL,  -- 走流程 walk-through cases are recorded but never counted
  PRIMARY KEY (case_id, idx)
);
CREATE INDEX material_source_report ON material_source (received_on, matter_code);
CREATE INDEX material_source_number ON material_source (case_number);

-- One row per case: the jurisdiction decision and the 授权用证 the applicant gave.
CREATE TABLE case_resolution (
  case_id TEXT PRIMARY KEY,
  case_number TEXT NOT NULL UNIQUE,
  outcome TEXT NOT NULL,
  requested_matter TEXT NOT NULL,
  competent_matter TEXT NOT NULL,
  competent_region TEXT NOT NULL,
  competent_department TEXT NOT NULL,
  note TEXT NOT NULL,
  authorised_licences TEXT NOT NULL
);

-- 在线开具: requests in the issuing departments' inboxes.
CREATE TABLE certificate_request (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL,
  case_number TEXT NOT NULL,
  idx BIGINT NOT NULL,
  material TEXT NOT NULL,
  certificate TEXT NOT NULL,
  licence_type TEXT NOT NULL,
  department TEXT NOT NULL,
  region_code TEXT NOT NULL,
  applicant_code TEXT NOT NULL,
  applicant_name TEXT NOT NULL,
  state TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  due_on TEXT NOT NULL,
  answered_at BIGINT NOT NULL,
  answered_by TEXT NOT NULL,
  licence_id TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX certificate_request_inbox ON certificate_request (department, state, due_on);
CREATE INDEX certificate_request_case ON certificate_request (case_number);
