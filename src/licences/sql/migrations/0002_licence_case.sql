-- The licence a case's conclusion issued: one per case, so a repeated issue for the same case
-- (a retried job, a restart, a second conclusion) fails on the key instead of issuing twice.
-- Renewals and reissues are versions of that licence and carry no case.
CREATE TABLE licence_case (
  case_id TEXT PRIMARY KEY,
  licence_id TEXT NOT NULL
);
