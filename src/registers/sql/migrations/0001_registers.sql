-- The base registers. Sensitive values are stored sealed ("<key id>:<hex>", see
-- registers/field_cipher.h), found by their blind index, and shown masked; nothing here holds
-- an ID number or phone number in clear. Absent values are '' (text) or 0 (numbers).
CREATE TABLE person (
  id TEXT PRIMARY KEY,
  id_number_index TEXT NOT NULL,
  id_number_sealed TEXT NOT NULL,
  id_number_masked TEXT NOT NULL,
  name TEXT NOT NULL,
  sex TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  household_region TEXT NOT NULL,
  address TEXT NOT NULL,
  phone_index TEXT NOT NULL,
  phone_sealed TEXT NOT NULL,
  phone_masked TEXT NOT NULL,
  income_band TEXT NOT NULL,
  assistance TEXT NOT NULL,
  disability_certificate_sealed TEXT NOT NULL,
  disability_certificate_masked TEXT NOT NULL,
  disability_category TEXT NOT NULL,
  disability_level INTEGER NOT NULL,
  long_term_care INTEGER NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE UNIQUE INDEX person_id_number_index ON person (id_number_index);
CREATE INDEX person_household_region ON person (household_region, id);
CREATE INDEX person_phone_index ON person (phone_index);

CREATE TABLE person_relation (
  person_id TEXT NOT NULL REFERENCES person (id),
  relative_id TEXT NOT NULL REFERENCES person (id),
  relation TEXT NOT NULL,
  PRIMARY KEY (person_id, relative_id)
);

CREATE TABLE entity (
  uscc TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  legal_representative TEXT NOT NULL,
  industry TEXT NOT NULL,
  size TEXT NOT NULL,
  registered_region TEXT NOT NULL,
  status TEXT NOT NULL,
  version INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE INDEX entity_registered_region ON entity (registered_region, uscc);

-- Every change after creation: who, when, and each changed field's old value (sealed values
-- stay sealed) as a JSON object {"field": old, ...}.
CREATE TABLE register_history (
  register TEXT NOT NULL,
  record_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  changed_at TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  action TEXT NOT NULL,
  old_values TEXT NOT NULL,
  PRIMARY KEY (register, record_id, version)
);

-- Bulk imports, so that a rerun continues after the last committed batch.
CREATE TABLE register_import (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  next_line INTEGER NOT NULL,
  next_offset TEXT NOT NULL,
  imported INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX register_import_fingerprint ON register_import (kind, fingerprint);
