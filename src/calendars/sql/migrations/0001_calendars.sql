-- Working-day calendars changed at run time (docs/ARCHITECTURE.md "Working days"): one row per
-- region ("cn" for the national schedule, else a GB/T 2260 code's additions) and year. A stored
-- national year replaces the one compiled into the binary. `schedule` is JSON
-- {"source", "holidays": [{"name", "from", "to", "make_up_working_days": [...]}]}.
CREATE TABLE calendar_year (
  region TEXT NOT NULL,
  year INTEGER NOT NULL,
  schedule TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (region, year)
);
