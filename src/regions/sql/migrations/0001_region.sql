-- Regions imported by `tongban regions import` (the nationwide village list and any region the
-- embedded list lacks). The embedded list (src/base/region.cc) is consulted first.
CREATE TABLE region (
  code TEXT PRIMARY KEY,        -- canonical: 6, 9 or 12 digits
  name TEXT NOT NULL,
  level TEXT NOT NULL,          -- province, city, county, town, village
  parent_code TEXT NOT NULL     -- '' for a province
);
CREATE INDEX region_parent ON region (parent_code);
