-- Demands (诉求), their work orders (工单), every step taken, and the liaison cadres and service
-- commissioners of enterprises. Times are ms since the epoch (UTC); 0 means "not yet".
CREATE TABLE demand (
  id TEXT PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  channel TEXT NOT NULL,
  demand_class TEXT NOT NULL,
  urgency TEXT NOT NULL,
  complex INTEGER NOT NULL,
  region TEXT NOT NULL,
  uscc TEXT NOT NULL,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  submitted_by TEXT NOT NULL,
  caller_name TEXT NOT NULL,
  caller_phone TEXT NOT NULL,
  state TEXT NOT NULL,
  limit_days INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  closed_at BIGINT NOT NULL,
  answer TEXT NOT NULL,
  satisfied INTEGER NOT NULL,  -- -1 no callback yet, 0 not satisfied, 1 satisfied
  callback_due BIGINT NOT NULL
);
CREATE INDEX demand_region_created ON demand (region, created_at);
CREATE INDEX demand_uscc_created ON demand (uscc, created_at);
CREATE INDEX demand_submitter ON demand (submitted_by, created_at);

CREATE TABLE work_order (
  id TEXT PRIMARY KEY,
  demand_id TEXT NOT NULL REFERENCES demand (id),
  seq INTEGER NOT NULL,
  receiver_kind TEXT NOT NULL,
  department TEXT NOT NULL,
  assignee TEXT NOT NULL,
  arbitrated INTEGER NOT NULL,  -- dispatched by the arbiter: cannot be returned again
  state TEXT NOT NULL,
  dispatched_by TEXT NOT NULL,
  dispatched_at BIGINT NOT NULL,
  sign_due BIGINT NOT NULL,
  due BIGINT NOT NULL,
  signed_by TEXT NOT NULL,
  signed_at BIGINT NOT NULL,
  return_reason TEXT NOT NULL,
  extension TEXT NOT NULL,
  extension_days INTEGER NOT NULL,
  extension_reason TEXT NOT NULL,
  reminders INTEGER NOT NULL,
  sign_overdue INTEGER NOT NULL,  -- the sweep noted the sign-for limit passed
  late_reminded INTEGER NOT NULL,  -- the sweep reminded it after the handling limit passed
  supervised INTEGER NOT NULL,
  answer TEXT NOT NULL,
  closed_at BIGINT NOT NULL,
  callback TEXT NOT NULL,  -- '', satisfied, unsatisfied
  UNIQUE (demand_id, seq)
);
CREATE INDEX work_order_open ON work_order (state, due);
CREATE INDEX work_order_dispatched ON work_order (dispatched_at);

CREATE TABLE demand_step (
  demand_id TEXT NOT NULL REFERENCES demand (id),
  seq INTEGER NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  at BIGINT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (demand_id, seq)
);

CREATE TABLE enterprise_contact (
  uscc TEXT NOT NULL,
  kind TEXT NOT NULL,  -- commissioner, liaison
  account_id TEXT NOT NULL,
  assigned_by TEXT NOT NULL,
  assigned_at BIGINT NOT NULL,
  PRIMARY KEY (uscc, kind, account_id)
);
CREATE INDEX enterprise_contact_account ON enterprise_contact (account_id);
