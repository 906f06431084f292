-- Electronic supervision (电子监察). Times are milliseconds since the epoch (UTC); dates are
-- 'YYYY-MM-DD' in China Standard Time.

-- One rule set per region, as its YAML text (what PUT /supervision/rules/{region} saved).
CREATE TABLE supervision_rule_set (
  region_code TEXT PRIMARY KEY,
  yaml TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- Warnings and cards. `dedupe_key` makes issuing idempotent: case|step|trigger for a case or
-- step, repeated_yellow|<department or person>|<month> for an escalation, so a re-run of the
-- sweep (or a crashed one run again) inserts nothing twice.
CREATE TABLE supervision_card (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key TEXT NOT NULL UNIQUE,
  case_id TEXT NOT NULL,
  case_number TEXT NOT NULL,
  step TEXT NOT NULL,
  step_name TEXT NOT NULL,
  trigger_name TEXT NOT NULL,
  level TEXT NOT NULL,
  reason TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  person TEXT NOT NULL,
  issued_on TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  state TEXT NOT NULL,
  notified INTEGER NOT NULL,
  answer TEXT NOT NULL,
  answered_by TEXT NOT NULL,
  answered_at BIGINT NOT NULL,
  handed_over_by TEXT NOT NULL,
  handed_over_at BIGINT NOT NULL
);
CREATE INDEX supervision_card_department ON supervision_card (department_code, issued_on, id);
CREATE INDEX supervision_card_person ON supervision_card (person, issued_on, id);
CREATE INDEX supervision_card_region ON supervision_card (region_code, id);
CREATE INDEX supervision_card_pending ON supervision_card (notified, level);
-- Escalation counts yellow cards of recent days per department and person, from the index alone.
CREATE INDEX supervision_card_level ON supervision_card (level, issued_on, region_code,
  department_code, person);

-- Each card's history: issued, answered, handed over.
CREATE TABLE supervision_card_event (
  card_id BIGINT NOT NULL,
  seq INTEGER NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (card_id, seq)
);

-- Each sweep: when, as of which day, what it found and issued.
CREATE TABLE supervision_sweep (
  id TEXT PRIMARY KEY,
  as_of TEXT NOT NULL,
  region_code TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL,
  open_cases BIGINT NOT NULL,
  warnings BIGINT NOT NULL,
  yellow BIGINT NOT NULL,
  red BIGINT NOT NULL,
  issued BIGINT NOT NULL
);

-- Clues handed to the discipline inspectors (移交): the case file as one JSON bundle and its SM3.
CREATE TABLE supervision_clue (
  card_id BIGINT PRIMARY KEY,
  case_id TEXT NOT NULL,
  bundle TEXT NOT NULL,
  digest TEXT NOT NULL,
  note TEXT NOT NULL,
  handed_over_by TEXT NOT NULL,
  handed_over_at BIGINT NOT NULL
);

-- The sweep's view of a case names its last due day NULLIF(due_on, '') (the cases module writes
-- '' when the clock does not run); this index lets a rule such as `due on < today` read only the
-- overdue cases of a state instead of all of them; with the region, the id and the acceptance day
-- a case of another region, or one already carded for the rule, is skipped before its row is read.
CREATE INDEX supervision_case_due ON case_record (state, NULLIF(due_on, ''), region_code, id,
  accepted_on);
