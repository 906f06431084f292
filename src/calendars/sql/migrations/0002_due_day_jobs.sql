-- Recomputations of stored due days queued by a calendar change (docs/ARCHITECTURE.md "Working
-- days"): one row per change (the region, year and version it stored), written in the change's
-- transaction and finished after the commit, so a crash in between leaves it queued for the next
-- start. `done_at` is '' while queued; `open_cases` and `moved` count what the run read and
-- changed.
CREATE TABLE calendar_due_job (
  region TEXT NOT NULL,
  year INTEGER NOT NULL,
  version INTEGER NOT NULL,
  queued_at TEXT NOT NULL,
  done_at TEXT NOT NULL,
  open_cases BIGINT NOT NULL,
  moved BIGINT NOT NULL,
  PRIMARY KEY (region, year, version)
);
