-- Cards of other subjects than cases. A card's subject_kind says what its case_id and
-- case_number name: 'case' (a case_record), 'project' (a construction project of src/projects:
-- "project:<id>" and its 投资项目统一代码). Notices route by it: a case's warnings go to the
-- responsible person through the case notice outbox (case_notice, whose case_id must be a
-- case); another subject's warnings and cards go to the recipients its issuer named
-- (supervision_card_recipient) through supervision_notice.
ALTER TABLE supervision_card ADD COLUMN subject_kind TEXT NOT NULL DEFAULT 'case';

-- Who a card of a non-case subject reaches besides the card's department: for a project, its
-- service commissioner and the owner enterprise's agents. Written with the card, by its key.
CREATE TABLE supervision_card_recipient (
  dedupe_key TEXT NOT NULL,
  account_id TEXT NOT NULL,
  role TEXT NOT NULL,
  PRIMARY KEY (dedupe_key, account_id)
);

-- The notice outbox of non-case subjects: one row per card and recipient, sent by SMS like the
-- case notices (sms_state) and read by the recipient (read_at).
CREATE TABLE supervision_notice (
  id TEXT PRIMARY KEY,
  card_id BIGINT NOT NULL,
  subject_kind TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  subject_number TEXT NOT NULL,
  account_id TEXT NOT NULL,
  role TEXT NOT NULL,
  level TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  sms_state TEXT NOT NULL,
  read_at BIGINT NOT NULL
);
CREATE INDEX supervision_notice_account ON supervision_notice (account_id, created_at);
CREATE INDEX supervision_notice_subject ON supervision_notice (subject_id, created_at);
