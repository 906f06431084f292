-- The catalog's named queries. Entries named version_* and matters_* are fragments the
-- repository joins into one statement (filters are added only when used, so each list query can
-- use the index of its most selective filter).

-- name: upsert_region
INSERT INTO catalog_region (code, name) VALUES (:code, :name)
ON CONFLICT (code) DO UPDATE SET name = excluded.name;

-- name: upsert_department
INSERT INTO catalog_department (code, name, uscc, region_code)
VALUES (:code, :name, :uscc, :region)
ON CONFLICT (code) DO UPDATE SET name = excluded.name, uscc = excluded.uscc,
  region_code = excluded.region_code;

-- name: upsert_window
INSERT INTO catalog_window (code, name, region_code, kind, department_code, address, hours)
VALUES (:code, :name, :region, :kind, :department, :address, :hours)
ON CONFLICT (code) DO UPDATE SET name = excluded.name, region_code = excluded.region_code,
  kind = excluded.kind, department_code = excluded.department_code,
  address = excluded.address, hours = excluded.hours;

-- name: upsert_certificate
INSERT INTO catalog_certificate (code, name, issuer, basis, status, cancelled_basis, licence_type)
VALUES (:code, :name, :issuer, :basis, :status, :cancelled_basis, :licence_type)
ON CONFLICT (code) DO UPDATE SET name = excluded.name, issuer = excluded.issuer,
  basis = excluded.basis, status = excluded.status, cancelled_basis = excluded.cancelled_basis,
  licence_type = excluded.licence_type;

-- name: upsert_basic_item
INSERT INTO catalog_basic_item (code, name, kind, legal_basis)
VALUES (:code, :name, :kind, :legal_basis)
ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
  legal_basis = excluded.legal_basis;

-- name: upsert_bundle
INSERT INTO catalog_bundle (code, name, region_code, process)
VALUES (:code, :name, :region, :process)
ON CONFLICT (code) DO UPDATE SET name = excluded.name, region_code = excluded.region_code,
  process = excluded.process;

-- name: delete_bundle_matters
DELETE FROM catalog_bundle_matter WHERE bundle_code = :code;

-- name: insert_bundle_matter
INSERT INTO catalog_bundle_matter (bundle_code, seq, item_code) VALUES (:code, :seq, :item);

-- name: department_codes
SELECT code FROM catalog_department;

-- name: window_codes
SELECT code FROM catalog_window;

-- name: basic_item_codes
SELECT code FROM catalog_basic_item;

-- name: item_codes
SELECT code FROM catalog_item;

-- name: certificate_statuses
SELECT code, status FROM catalog_certificate;

-- name: imported_region_name
SELECT name FROM region WHERE code = :code;

-- name: list_regions
SELECT code, name FROM catalog_region ORDER BY code;

-- name: list_departments
SELECT code, name, uscc, region_code FROM catalog_department ORDER BY code;

-- name: list_windows
SELECT code, name, region_code, kind, department_code, address, hours
FROM catalog_window ORDER BY code;

-- name: list_certificates
SELECT code, name, issuer, basis, status, cancelled_basis, licence_type
FROM catalog_certificate ORDER BY code;

-- name: count_certificates
SELECT status, COUNT(*) FROM catalog_certificate GROUP BY status;

-- name: list_basic_items
SELECT code, name, kind, legal_basis FROM catalog_basic_item ORDER BY code;

-- name: get_basic_item
SELECT code, name, kind, legal_basis FROM catalog_basic_item WHERE code = :code;

-- name: list_bundles
SELECT code, name, region_code, process FROM catalog_bundle ORDER BY code;

-- name: list_bundle_matters
SELECT bundle_code, item_code FROM catalog_bundle_matter ORDER BY bundle_code, seq;

-- name: get_item
SELECT revision, latest_version FROM catalog_item WHERE code = :code;

-- name: insert_item
INSERT INTO catalog_item (code, revision, latest_version) VALUES (:code, :revision, :version);

-- name: advance_item
UPDATE catalog_item SET revision = revision + 1, latest_version = :version
WHERE code = :code AND revision = :revision;

-- name: insert_version
INSERT INTO catalog_item_version (id, item_code, version, status, effective_from, basic_code,
  name, kind, legal_basis, department_code, region_code, region_province, region_city,
  region_county, region_town, handling_type, legal_limit_value,
  legal_limit_unit, promised_limit_value, promised_limit_unit, online_depth, visits, lists, modes,
  search_text, body, created_by, created_at, updated_by, updated_at)
VALUES (:id, :item_code, :version, 'draft', NULL, :basic_code, :name, :kind, :legal_basis,
  :department_code, :region_code, :region_province, :region_city, :region_county,
  :region_town, :handling_type, :legal_limit_value, :legal_limit_unit,
  :promised_limit_value, :promised_limit_unit, :online_depth, :visits, :lists, :modes,
  :search_text, :body, :actor, :at, :actor2, :at2);

-- name: update_version_content
UPDATE catalog_item_version SET basic_code = :basic_code, name = :name, kind = :kind,
  legal_basis = :legal_basis, department_code = :department_code, region_code = :region_code,
  region_province = :region_province, region_city = :region_city,
  region_county = :region_county, region_town = :region_town,
  handling_type = :handling_type, legal_limit_value = :legal_limit_value,
  legal_limit_unit = :legal_limit_unit, promised_limit_value = :promised_limit_value,
  promised_limit_unit = :promised_limit_unit, online_depth = :online_depth, visits = :visits,
  lists = :lists, modes = :modes, search_text = :search_text, body = :body,
  updated_by = :actor, updated_at = :at
WHERE id = :id AND status = 'draft';

-- name: revert_to_draft
UPDATE catalog_item_version SET status = 'draft', approved_by = NULL, approved_at = NULL
WHERE id = :id AND status = 'approved';

-- name: approve_version
UPDATE catalog_item_version SET status = 'approved', approved_by = :actor, approved_at = :at,
  updated_by = :actor2, updated_at = :at2
WHERE id = :id AND status = 'draft';

-- name: publish_version
UPDATE catalog_item_version SET status = 'published', effective_from = :effective_from,
  published_by = :actor, published_at = :at, updated_by = :actor2, updated_at = :at2
WHERE id = :id AND status = 'approved';

-- name: delete_version_lists
DELETE FROM catalog_version_list WHERE version_id = :id;

-- name: insert_version_list
INSERT INTO catalog_version_list (version_id, list, level) VALUES (:id, :list, :level);

-- name: delete_version_modes
DELETE FROM catalog_version_mode WHERE version_id = :id;

-- name: insert_version_mode
INSERT INTO catalog_version_mode (version_id, mode) VALUES (:id, :mode);

-- name: latest_effective_from
SELECT MAX(effective_from) FROM catalog_item_version
WHERE item_code = :code AND status = 'published';

-- name: analyze_versions
ANALYZE catalog_item_version;

-- name: analyze_version_lists
ANALYZE catalog_version_list;

-- name: version_columns
v.id, v.item_code, v.version, v.status, v.effective_from, v.basic_code, v.name, v.kind,
v.legal_basis, v.department_code, COALESCE(d.name, ''), v.region_code, v.handling_type,
v.legal_limit_value, v.legal_limit_unit, v.promised_limit_value, v.promised_limit_unit,
v.online_depth, v.visits, v.lists, v.modes, v.created_by, v.created_at, v.updated_by,
v.updated_at, v.approved_by, v.approved_at, v.published_by, v.published_at,
(SELECT i.revision FROM catalog_item i WHERE i.code = v.item_code)

-- name: version_from
-- The revision of the item is a subquery in version_columns rather than a join, because a join
-- lets PostgreSQL merge-join catalog_item from its first row on every page.
FROM catalog_item_version v
LEFT JOIN catalog_department d ON d.code = v.department_code

-- name: version_where_number
WHERE v.item_code = :code AND v.version = :version

-- name: version_where_id
WHERE v.id = :id

-- name: version_where_item
WHERE v.item_code = :code ORDER BY v.version

-- name: version_where_in_force
WHERE v.item_code = :code AND v.status = 'published' AND v.effective_from <= :as_of
ORDER BY v.version DESC LIMIT 1

-- name: export_latest_bodies
SELECT v.body FROM catalog_item_version v
JOIN catalog_item i ON i.code = v.item_code AND i.latest_version = v.version
ORDER BY v.item_code;

-- name: export_in_force_bodies
SELECT v.body FROM catalog_item_version v
WHERE v.status = 'published' AND v.effective_from <= :as_of
  AND NOT EXISTS (SELECT 1 FROM catalog_item_version n
                  WHERE n.item_code = v.item_code AND n.status = 'published'
                    AND n.effective_from <= :as_of2 AND n.version > v.version)
ORDER BY v.item_code;

-- name: matters_in_force
-- The version of each item in force at a date is its newest published version whose effective
-- date has come; keyset pagination continues after the last item code of the previous page.
WHERE v.status = 'published' AND v.effective_from <= :as_of
  AND NOT EXISTS (SELECT 1 FROM catalog_item_version n
                  WHERE n.item_code = v.item_code AND n.status = 'published'
                    AND n.effective_from <= :as_of2 AND n.version > v.version)
  AND v.item_code > :after

-- name: matters_region_province
AND v.region_province = :region

-- name: matters_region_city
AND v.region_city = :region

-- name: matters_region_county
AND v.region_county = :region

-- name: matters_region_town
AND v.region_town = :region

-- name: matters_region_village
AND v.region_code = :region

-- name: matters_department
AND v.department_code = :department

-- name: matters_kind
AND v.kind = :kind

-- name: matters_list
AND EXISTS (SELECT 1 FROM catalog_version_list l WHERE l.version_id = v.id AND l.list = :list)

-- name: matters_list_level
AND EXISTS (SELECT 1 FROM catalog_version_list l
            WHERE l.version_id = v.id AND l.list = :list AND l.level = :level)

-- name: matters_level
AND EXISTS (SELECT 1 FROM catalog_version_list l WHERE l.version_id = v.id AND l.level = :level)

-- name: matters_mode
AND EXISTS (SELECT 1 FROM catalog_version_mode m WHERE m.version_id = v.id AND m.mode = :mode)

-- name: matters_keyword
AND v.search_text LIKE :keyword ESCAPE '!'

-- name: matters_order
ORDER BY v.item_code LIMIT :limit

-- name: delete_search_terms
DELETE FROM catalog_search_term WHERE version_id = :id;

-- name: insert_search_term
INSERT INTO catalog_search_term (term, version_id, weight) VALUES (:term, :id, :weight);

-- name: versions_without_terms
SELECT v.id, v.basic_code, v.name, v.kind, v.legal_basis, v.body FROM catalog_item_version v
WHERE NOT EXISTS (SELECT 1 FROM catalog_search_term t WHERE t.version_id = v.id);

-- name: search_select
-- The matters in force holding any of the query's terms, each with the sum of its weights,
-- ranked by score, then name and code in byte order (COLLATE "C" on PostgreSQL, SQLite's
-- default BINARY), so both backends rank and page alike. The terms are summed per version
-- first, so the in-force condition runs once per version, not once per term.
SELECT v.id, v.item_code, v.name, s.score
FROM (SELECT t.version_id, SUM(t.weight) AS score FROM catalog_search_term t
      WHERE t.term IN (:terms) GROUP BY t.version_id) s
JOIN catalog_item_version v ON v.id = s.version_id

-- name: search_after
AND (s.score < :score OR (s.score = :score2 AND (v.name > :name
     OR (v.name = :name2 AND v.item_code > :code))))

-- name: search_after [postgresql]
AND (s.score < :score OR (s.score = :score2 AND (v.name COLLATE "C" > :name
     OR (v.name = :name2 AND v.item_code COLLATE "C" > :code))))

-- name: search_order
ORDER BY s.score DESC, v.name, v.item_code LIMIT :limit

-- name: search_order [postgresql]
ORDER BY s.score DESC, v.name COLLATE "C", v.item_code COLLATE "C" LIMIT :limit

-- name: version_where_ids
WHERE v.id IN
