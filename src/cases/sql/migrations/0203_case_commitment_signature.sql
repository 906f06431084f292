-- 承诺签名: the applicant's drawn signature under the case's commitments (告知承诺, 容缺 and
-- 承诺补交 declarations), taken at a kiosk or window and stored content-addressed like a
-- material's file. One per case: it is never replaced.
CREATE TABLE case_commitment_signature (
  case_id TEXT PRIMARY KEY REFERENCES case_record (id),
  content_hash TEXT NOT NULL,
  size BIGINT NOT NULL,
  signed_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
