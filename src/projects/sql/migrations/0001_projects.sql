-- Construction projects (工程建设项目): the project, its stages and matters (each matter's
-- materials as JSON), pauses of the clock, the versioned flow table (一企一策), batch reviews,
-- escalations (吹哨报到), delegations (赋权) and every step taken. Days are YYYY-MM-DD text ("" for
-- not yet), times ms since the epoch.
CREATE TABLE project (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  uscc TEXT NOT NULL,
  enterprise_name TEXT NOT NULL,
  region TEXT NOT NULL,
  project_type TEXT NOT NULL,
  budget_days INTEGER NOT NULL,
  commissioner TEXT NOT NULL,
  state TEXT NOT NULL,
  flow_version INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE INDEX project_region ON project (region, created_at);
CREATE INDEX project_uscc ON project (uscc);

CREATE TABLE project_stage (
  project_id TEXT NOT NULL REFERENCES project (id),
  seq INTEGER NOT NULL,
  stage_key TEXT NOT NULL,
  title TEXT NOT NULL,
  share_days INTEGER NOT NULL,
  state TEXT NOT NULL,
  started_on TEXT NOT NULL,
  concluded_on TEXT NOT NULL,
  PRIMARY KEY (project_id, seq)
);

CREATE TABLE project_matter (
  project_id TEXT NOT NULL REFERENCES project (id),
  code TEXT NOT NULL,
  stage INTEGER NOT NULL,
  title TEXT NOT NULL,
  department TEXT NOT NULL,
  delegation_basis TEXT NOT NULL,
  legal_days INTEGER NOT NULL,
  limit_days INTEGER NOT NULL,
  fee_fen BIGINT NOT NULL,
  state TEXT NOT NULL,
  basis TEXT NOT NULL,
  started_on TEXT NOT NULL,
  decided_on TEXT NOT NULL,
  findings TEXT NOT NULL,
  pre_reviewed_by TEXT NOT NULL,
  document_number TEXT NOT NULL,
  batch_id TEXT NOT NULL,
  materials TEXT NOT NULL,
  PRIMARY KEY (project_id, code)
);
CREATE INDEX project_matter_state ON project_matter (state, code);

CREATE TABLE project_pause (
  project_id TEXT NOT NULL REFERENCES project (id),
  seq INTEGER NOT NULL,
  stage INTEGER NOT NULL,
  kind TEXT NOT NULL,
  from_on TEXT NOT NULL,
  to_on TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (project_id, seq)
);

CREATE TABLE project_flow_table (
  project_id TEXT NOT NULL REFERENCES project (id),
  version INTEGER NOT NULL,
  edited_by TEXT NOT NULL,
  edited_at BIGINT NOT NULL,
  note TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (project_id, version)
);

CREATE TABLE project_batch (
  id TEXT PRIMARY KEY,
  matter TEXT NOT NULL,
  decision TEXT NOT NULL,
  reviewed_by TEXT NOT NULL,
  at BIGINT NOT NULL,
  note TEXT NOT NULL,
  projects INTEGER NOT NULL
);

CREATE TABLE project_escalation (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES project (id),
  reason TEXT NOT NULL,
  meeting_on TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX project_escalation_project ON project_escalation (project_id);

CREATE TABLE project_escalation_part (
  escalation_id TEXT NOT NULL REFERENCES project_escalation (id),
  department TEXT NOT NULL,
  task TEXT NOT NULL,
  due_on TEXT NOT NULL,
  done_on TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (escalation_id, department)
);

CREATE TABLE project_delegation (
  region TEXT NOT NULL,
  matter TEXT NOT NULL,
  from_department TEXT NOT NULL,
  to_department TEXT NOT NULL,
  basis TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL,
  PRIMARY KEY (region, matter, to_department, valid_from)
);

CREATE TABLE project_event (
  project_id TEXT NOT NULL REFERENCES project (id),
  seq INTEGER NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  at BIGINT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (project_id, seq)
);
