-- The licence a case's conclusion issues (src/sources/case_licences.h): queued in the
-- conclusion's transaction, issued after it by IssueDue. One row per case; the licence itself
-- is unique per case in licence_case (src/licences), so a retried job never issues twice.
CREATE TABLE case_licence (
  case_id TEXT PRIMARY KEY,
  case_number TEXT NOT NULL UNIQUE,
  type_code TEXT NOT NULL,
  state TEXT NOT NULL,  -- pending | issued | failed
  licence_id TEXT NOT NULL,
  error TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  queued_at BIGINT NOT NULL,
  issued_at BIGINT NOT NULL
);
CREATE INDEX case_licence_pending ON case_licence (state, queued_at);
