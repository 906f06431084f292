-- Cross-region service (跨省通办): this installation's identity, its partners and agreements, the
-- signed-message outbox and inbox, the hash-chained message log, and the cross-region cases with
-- their timelines. Times are milliseconds since the epoch (UTC).

CREATE TABLE xregion_identity (
  id INTEGER PRIMARY KEY,  -- always 1
  region TEXT NOT NULL,
  name TEXT NOT NULL,
  hub INTEGER NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL
);

CREATE TABLE xregion_partner (
  region TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  base_url TEXT NOT NULL,
  public_key TEXT NOT NULL,          -- SM2 SubjectPublicKeyInfo PEM
  hub INTEGER NOT NULL DEFAULT 0,    -- relays for others; its hop stamps are trusted
  via TEXT NOT NULL DEFAULT '',      -- the hub partner to relay through; '' = direct
  updated_at BIGINT NOT NULL
);

CREATE TABLE xregion_agreement (
  id TEXT PRIMARY KEY,
  partner TEXT NOT NULL,
  mode TEXT NOT NULL,                -- online, proxy, joint
  title TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE xregion_agreement_matter (
  agreement_id TEXT NOT NULL,
  matter TEXT NOT NULL,
  name TEXT NOT NULL,
  handling_region TEXT NOT NULL,
  PRIMARY KEY (agreement_id, matter)
);

-- The last sequence number this installation used towards each receiver.
CREATE TABLE xregion_sequence (
  receiver TEXT PRIMARY KEY,
  last_sequence BIGINT NOT NULL
);

CREATE TABLE xregion_outbox (
  message_id TEXT PRIMARY KEY,
  ordinal BIGINT NOT NULL,           -- the log position: delivery order
  receiver TEXT NOT NULL,
  next_hop TEXT NOT NULL,            -- the partner whose URL is posted to
  case_ref TEXT NOT NULL,
  kind TEXT NOT NULL,
  wire TEXT NOT NULL,                -- the signed envelope, without its hop stamp
  relayed INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,               -- pending, delivered, dead
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  delivered_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX xregion_outbox_due ON xregion_outbox (state, next_hop, ordinal);

CREATE TABLE xregion_inbox (
  message_id TEXT PRIMARY KEY,
  sender TEXT NOT NULL,
  sequence BIGINT NOT NULL,
  case_ref TEXT NOT NULL,
  kind TEXT NOT NULL,
  wire TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  applied_at BIGINT NOT NULL DEFAULT 0,
  apply_error TEXT NOT NULL DEFAULT '',
  UNIQUE (sender, sequence)
);

-- The last sequence applied per sender: messages are applied in sequence order.
CREATE TABLE xregion_applied (
  sender TEXT PRIMARY KEY,
  last_sequence BIGINT NOT NULL
);

CREATE TABLE xregion_log_head (
  id INTEGER PRIMARY KEY,  -- always 1; its row lock serialises appends
  position BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO xregion_log_head (id, position, hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE xregion_log (
  position BIGINT PRIMARY KEY,
  direction TEXT NOT NULL,           -- out, in, relay
  message_id TEXT NOT NULL,
  partner TEXT NOT NULL,
  digest TEXT NOT NULL,              -- SM3 of the canonical envelope and its signature
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,                -- SM3(prev_hash || digest)
  at BIGINT NOT NULL
);

CREATE TABLE xregion_case (
  ref TEXT PRIMARY KEY,              -- "<origin region>-<id>", the same on every side
  mode TEXT NOT NULL,
  role TEXT NOT NULL,                -- receiving, handling, lead, part
  matter TEXT NOT NULL,
  matter_name TEXT NOT NULL,
  receiving_region TEXT NOT NULL,    -- 收件地
  handling_region TEXT NOT NULL,     -- 办理地
  counterpart TEXT NOT NULL,
  parent_ref TEXT NOT NULL DEFAULT '',
  applicant_name TEXT NOT NULL,
  applicant_code TEXT NOT NULL,
  form TEXT NOT NULL,
  materials TEXT NOT NULL,
  delivery TEXT NOT NULL,
  state TEXT NOT NULL,
  result TEXT NOT NULL DEFAULT '',
  tracking_number TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX xregion_case_queue ON xregion_case (role, state, created_at);

CREATE TABLE xregion_part (
  parent_ref TEXT NOT NULL,
  part_ref TEXT NOT NULL,
  region TEXT NOT NULL,
  matter TEXT NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (parent_ref, part_ref)
);

CREATE TABLE xregion_event (
  case_ref TEXT NOT NULL,
  id TEXT NOT NULL,
  at BIGINT NOT NULL,
  region TEXT NOT NULL,
  kind TEXT NOT NULL,
  note TEXT NOT NULL,
  PRIMARY KEY (case_ref, id)
);

-- Material files, content-addressed (SM3 hex), stored as hex text.
CREATE TABLE xregion_file (
  hash TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  content TEXT NOT NULL
);

-- Which files a partner already holds: each is sent once.
CREATE TABLE xregion_file_sent (
  partner TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (partner, hash)
);
