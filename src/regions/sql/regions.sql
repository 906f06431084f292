-- name: upsert_region
INSERT INTO region (code, name, level, parent_code) VALUES (:code, :name, :level, :parent_code)
ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level,
  parent_code = excluded.parent_code;

-- name: find_region
SELECT name, level, parent_code FROM region WHERE code = :code;

-- name: count_regions
SELECT COUNT(*) FROM region;
