-- The catalog: reference data keyed by code, and implementation items with their versions.
-- One script for both backends. Dates are 'YYYY-MM-DD' text and instants ISO 8601 UTC text, so
-- they compare correctly as strings on both.

CREATE TABLE catalog_region (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE catalog_department (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  uscc TEXT NOT NULL,
  region_code TEXT NOT NULL
);
CREATE INDEX catalog_department_region ON catalog_department (region_code);

CREATE TABLE catalog_window (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  region_code TEXT NOT NULL,
  kind TEXT NOT NULL,
  department_code TEXT NOT NULL,  -- '' when the window serves every department
  address TEXT NOT NULL,
  hours TEXT NOT NULL
);
CREATE INDEX catalog_window_region ON catalog_window (region_code);

CREATE TABLE catalog_certificate (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  issuer TEXT NOT NULL,
  basis TEXT NOT NULL,
  status TEXT NOT NULL,           -- retained | cancelled
  cancelled_basis TEXT NOT NULL,
  licence_type TEXT NOT NULL
);

CREATE TABLE catalog_basic_item (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  legal_basis TEXT NOT NULL
);

-- One row per implementation item. `revision` grows with every change to any of its versions
-- and is the ETag that optimistic concurrency compares.
CREATE TABLE catalog_item (
  code TEXT PRIMARY KEY,
  revision BIGINT NOT NULL,
  latest_version INTEGER NOT NULL
);

-- Every version of every implementation item. The columns are what lists filter and show; `body`
-- is the whole item as canonical YAML (the file format's entry). Name, kind and legal basis are
-- copied from the basic item when the version is saved, so a published version never changes.
CREATE TABLE catalog_item_version (
  id TEXT PRIMARY KEY,            -- '<code>@<version>', what a case pins
  item_code TEXT NOT NULL REFERENCES catalog_item (code),
  version INTEGER NOT NULL,
  status TEXT NOT NULL,           -- draft | approved | published
  effective_from TEXT,            -- published versions only
  basic_code TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  department_code TEXT NOT NULL,
  region_code TEXT NOT NULL,
  -- The region's ancestors by level ('' above the region's own level), so a subtree filter is
  -- an equality the index can serve in item-code order: 431128101000 has province '43', city
  -- '4311', county '431128' and town '431128101'.
  region_province TEXT NOT NULL,
  region_city TEXT NOT NULL,
  region_county TEXT NOT NULL,
  region_town TEXT NOT NULL,
  handling_type TEXT NOT NULL,
  legal_limit_value INTEGER NOT NULL,
  legal_limit_unit TEXT NOT NULL,
  promised_limit_value INTEGER,
  promised_limit_unit TEXT,
  online_depth INTEGER NOT NULL,
  visits INTEGER NOT NULL,
  lists TEXT NOT NULL,            -- 'nearby:town nearby:village online:county'
  modes TEXT NOT NULL,            -- 'online proxy_acceptance'
  search_text TEXT NOT NULL,      -- lower-cased code, name, keywords and aliases, one per line
  body TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  approved_by TEXT,
  approved_at TEXT,
  published_by TEXT,
  published_at TEXT,
  UNIQUE (item_code, version)
);
-- Lists of matters in force: the status leads each index, the sort key (item_code) ends it.
CREATE INDEX catalog_version_in_force ON catalog_item_version (status, item_code, version);
CREATE INDEX catalog_version_province
  ON catalog_item_version (status, region_province, item_code);
CREATE INDEX catalog_version_city ON catalog_item_version (status, region_city, item_code);
CREATE INDEX catalog_version_county ON catalog_item_version (status, region_county, item_code);
CREATE INDEX catalog_version_town ON catalog_item_version (status, region_town, item_code);
CREATE INDEX catalog_version_region ON catalog_item_version (status, region_code, item_code);
CREATE INDEX catalog_version_department
  ON catalog_item_version (status, department_code, item_code);
CREATE INDEX catalog_version_kind ON catalog_item_version (status, kind, item_code);

-- The four lists and the cross-region modes of each version, for filters.
CREATE TABLE catalog_version_list (
  version_id TEXT NOT NULL REFERENCES catalog_item_version (id),
  list TEXT NOT NULL,
  level TEXT NOT NULL,
  PRIMARY KEY (version_id, list, level)
);
CREATE INDEX catalog_version_list_by_list ON catalog_version_list (list, level, version_id);

CREATE TABLE catalog_version_mode (
  version_id TEXT NOT NULL REFERENCES catalog_item_version (id),
  mode TEXT NOT NULL,
  PRIMARY KEY (version_id, mode)
);
CREATE INDEX catalog_version_mode_by_mode ON catalog_version_mode (mode, version_id);

CREATE TABLE catalog_bundle (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  region_code TEXT NOT NULL,
  process TEXT NOT NULL
);

CREATE TABLE catalog_bundle_matter (
  bundle_code TEXT NOT NULL REFERENCES catalog_bundle (code),
  seq INTEGER NOT NULL,
  item_code TEXT NOT NULL REFERENCES catalog_item (code),
  PRIMARY KEY (bundle_code, seq)
);
