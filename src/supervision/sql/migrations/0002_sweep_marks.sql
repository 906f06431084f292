-- The incremental sweep. A rule's statement, judged again on the same day with the same
-- constants, can only change its verdict for a case that changed since the statement last ran
-- to completion: every write to case_record sets updated_at to the time of the write (the cases
-- module does). So each completed statement leaves a mark (SM3 of its text and parameters → the
-- time from which cases are judged again, a margin before it started), written in the
-- statement's own transaction; the next run of the same text reads only cases updated since.
-- A new day, new rules or new constants make a new text, hence a full pass.
CREATE TABLE supervision_sweep_mark (
  statement_key TEXT PRIMARY KEY,
  through BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX supervision_case_updated ON case_record (updated_at);
