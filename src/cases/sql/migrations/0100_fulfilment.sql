-- After the decision: the payment order, the delivery step and the applicant's notices (the
-- outbox drained after each commit). Times are ms since the epoch; dates 'YYYY-MM-DD' (CST).

-- One payment order per case whose matter charges a fee, opened on approval.
CREATE TABLE case_payment (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL UNIQUE REFERENCES case_record (id),
  fees TEXT NOT NULL,
  amount_fen BIGINT NOT NULL,
  state TEXT NOT NULL,
  waiver_reason TEXT NOT NULL,
  waived_by TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  settled_at BIGINT NOT NULL
);

-- 第44条: the delivery step of a decided case, due 10 working days after the decision.
CREATE TABLE case_delivery (
  case_id TEXT PRIMARY KEY REFERENCES case_record (id),
  decided_on TEXT NOT NULL,
  due_on TEXT NOT NULL,
  method TEXT NOT NULL,
  address TEXT NOT NULL,
  tracking_number TEXT NOT NULL,
  delivered_by TEXT NOT NULL,
  delivered_on TEXT NOT NULL
);

-- The applicant's notices; sms_state is 'pending' until handed to the SMS gateway.
CREATE TABLE case_notice (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES case_record (id),
  case_number TEXT NOT NULL,
  account_id TEXT NOT NULL,
  applicant_code TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  sms_state TEXT NOT NULL,
  read_at BIGINT NOT NULL
);
CREATE INDEX case_notice_account ON case_notice (account_id, created_at);
CREATE INDEX case_notice_applicant ON case_notice (applicant_code, created_at);
CREATE INDEX case_notice_outbox ON case_notice (sms_state, created_at);
