-- People, roles and scope. Times are milliseconds since the epoch (UTC). Secrets are stored
-- only as hashes: password_hash (Argon2id), token_hash (SHA-256), code_hash (salted BLAKE2b).

CREATE TABLE permission (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL
);

-- Roles are data: a security administrator owns them after installation.
CREATE TABLE role (
  name TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  account_kind TEXT NOT NULL,            -- citizen | staff: who may hold the role
  admin_duty TEXT NOT NULL DEFAULT 'none' -- none | system | security | audit (三员分立)
);

CREATE TABLE role_permission (
  role TEXT NOT NULL REFERENCES role (name),
  permission TEXT NOT NULL REFERENCES permission (name),
  PRIMARY KEY (role, permission)
);

CREATE TABLE account (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,                    -- citizen | staff
  name TEXT NOT NULL,
  username TEXT UNIQUE,                  -- staff
  id_number TEXT UNIQUE,                 -- citizens (normalised 18 characters)
  phone TEXT,
  region TEXT NOT NULL DEFAULT '',
  department TEXT NOT NULL DEFAULT '',
  password_hash TEXT,                    -- Argon2id string; NULL: no password login
  status TEXT NOT NULL DEFAULT 'active', -- active | disabled
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  created_by TEXT
);
-- One citizen account per phone (phone + code login finds it); staff phones may repeat.
CREATE UNIQUE INDEX account_citizen_phone ON account (phone) WHERE kind = 'citizen';

CREATE TABLE role_grant (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES account (id),
  role TEXT NOT NULL REFERENCES role (name),
  region TEXT NOT NULL,                  -- region code (subtree) or '*'
  department TEXT NOT NULL,              -- department code or '*'
  matters TEXT NOT NULL,                 -- '*' or comma-separated matter codes
  valid_from BIGINT NOT NULL,
  valid_until BIGINT,                    -- exclusive; NULL: no end
  granted_by TEXT,
  granted_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoked_by TEXT
);
CREATE INDEX role_grant_account ON role_grant (account_id);

CREATE TABLE enterprise (
  uscc TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  legal_representative TEXT NOT NULL REFERENCES account (id),
  registered_at BIGINT NOT NULL,
  registered_by TEXT NOT NULL
);
CREATE INDEX enterprise_legal_representative ON enterprise (legal_representative);

-- A legal representative's authorisation of an agent (经办人).
CREATE TABLE agent_authorisation (
  id TEXT PRIMARY KEY,
  uscc TEXT NOT NULL REFERENCES enterprise (uscc),
  agent_account TEXT NOT NULL REFERENCES account (id),
  valid_from BIGINT NOT NULL,
  valid_until BIGINT,
  granted_by TEXT NOT NULL,
  granted_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoked_by TEXT
);
CREATE INDEX agent_authorisation_agent ON agent_authorisation (agent_account);
CREATE INDEX agent_authorisation_uscc ON agent_authorisation (uscc);

-- Bearer-token sessions; the token itself is never stored.
CREATE TABLE auth_session (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES account (id),
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX auth_session_account ON auth_session (account_id);

-- One-time codes sent by SMS; the code itself is never stored.
CREATE TABLE sms_code (
  id TEXT PRIMARY KEY,
  phone TEXT NOT NULL,
  purpose TEXT NOT NULL,                 -- register | login
  salt TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  consumed_at BIGINT
);
CREATE INDEX sms_code_phone ON sms_code (phone, created_at);
