-- KPIs (统计): pre-aggregated facts of the case records, kept exact in the transaction of every
-- case change (see docs/kpi.md). Periods are 'YYYY-MM-DD' for grain 'd' and 'YYYY-MM' for
-- grain 'm'. The month grain leaves out the matter and the window ('').

CREATE TABLE kpi_fact (
  grain TEXT NOT NULL,
  period TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  matter_code TEXT NOT NULL,
  channel TEXT NOT NULL,
  window_code TEXT NOT NULL,
  applications BIGINT NOT NULL,
  accepted BIGINT NOT NULL,
  concluded BIGINT NOT NULL,
  approved BIGINT NOT NULL,
  denied BIGINT NOT NULL,
  on_time BIGINT NOT NULL,
  refused BIGINT NOT NULL,
  withdrawn BIGINT NOT NULL,
  terminated BIGINT NOT NULL,
  cross_region BIGINT NOT NULL,
  online BIGINT NOT NULL,
  working_days BIGINT NOT NULL,
  promised_days BIGINT NOT NULL,
  legal_days BIGINT NOT NULL,
  materials BIGINT NOT NULL,
  not_brought BIGINT NOT NULL,
  from_licence BIGINT NOT NULL,
  from_register BIGINT NOT NULL,
  uploaded BIGINT NOT NULL,
  clerk_scan BIGINT NOT NULL,
  proof_waived BIGINT NOT NULL,
  gap BIGINT NOT NULL,
  supply_later BIGINT NOT NULL,
  visits BIGINT NOT NULL,
  PRIMARY KEY (grain, period, region_code, department_code, matter_code, channel, window_code)
);

-- The working days each concluded case took, by the day it was decided: an exact histogram.
-- The month grain keeps only the region.
CREATE TABLE kpi_duration (
  grain TEXT NOT NULL,
  period TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  matter_code TEXT NOT NULL,
  channel TEXT NOT NULL,
  window_code TEXT NOT NULL,
  working_days BIGINT NOT NULL,
  cases BIGINT NOT NULL,
  PRIMARY KEY (grain, period, region_code, department_code, matter_code, channel, window_code,
               working_days)
);

-- What each counted case contributes now (its rows, one per line), so that a change subtracts
-- exactly what was added before. decided_on is kept for synthetic cases without a decision
-- document.
CREATE TABLE kpi_case (
  case_id TEXT PRIMARY KEY,
  decided_on TEXT NOT NULL,
  rows TEXT NOT NULL
);

-- 走流程: the sandbox cases of staff walk-throughs (never counted) and the friction noted at
-- each step; a note that is a finding opens a rectification item.
CREATE TABLE walkthrough_case (
  case_id TEXT PRIMARY KEY,
  case_number TEXT NOT NULL UNIQUE,
  staff_account TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  matter_code TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE walkthrough_note (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES walkthrough_case (case_id),
  step TEXT NOT NULL,
  friction TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX walkthrough_note_case ON walkthrough_note (case_id, created_at);

CREATE TABLE rectification_item (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  source_id TEXT NOT NULL,
  case_number TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  matter_code TEXT NOT NULL,
  description TEXT NOT NULL,
  state TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX rectification_item_department ON rectification_item (department_code, created_at);
