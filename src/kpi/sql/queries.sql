-- The kpi module's named queries. The fact upsert and the report sums are composed in
-- service.cc from the column list (kFactColumns), every value bound.

-- name: select_kpi_case
SELECT rows, decided_on FROM kpi_case WHERE case_id = :id;

-- name: upsert_kpi_case
INSERT INTO kpi_case (case_id, decided_on, rows) VALUES (:id, :decided_on, :rows)
ON CONFLICT (case_id) DO UPDATE SET decided_on = excluded.decided_on, rows = excluded.rows;

-- name: upsert_duration
INSERT INTO kpi_duration (grain, period, region_code, department_code, matter_code, channel,
  window_code, working_days, cases)
VALUES (:grain, :period, :region, :department, :matter, :channel, :window, :days, :cases)
ON CONFLICT (grain, period, region_code, department_code, matter_code, channel, window_code,
  working_days) DO UPDATE SET cases = kpi_duration.cases + excluded.cases;

-- name: clear_facts
DELETE FROM kpi_fact;

-- name: clear_durations
DELETE FROM kpi_duration;

-- name: clear_cases
DELETE FROM kpi_case;

-- name: select_matter_versions
SELECT DISTINCT matter_version FROM case_record;

-- name: select_case_chunk
SELECT c.id, c.region_code, c.department_code, c.matter_code, c.matter_version, c.channel,
  c.applicant_code, c.state, c.received_on, c.accepted_on, c.suspended_days, c.extension_days,
  c.updated_at, COALESCE(r.joint, 0), COALESCE(k.decided_on, ''), c.window_code
FROM case_record c
LEFT JOIN case_review r ON r.case_id = c.id
LEFT JOIN kpi_case k ON k.case_id = c.id
WHERE c.id > :after AND NOT EXISTS (SELECT 1 FROM walkthrough_case w WHERE w.case_id = c.id)
ORDER BY c.id
LIMIT :limit;

-- name: select_material_chunk
SELECT case_id, state, origin FROM case_material
WHERE case_id > :after AND case_id <= :last
ORDER BY case_id, idx;

-- name: select_decision_chunk
SELECT case_id, kind, issued_on FROM case_document
WHERE case_id > :after AND case_id <= :last
  AND kind IN ('approval_decision', 'denial_decision')
ORDER BY case_id, issued_on;

-- name: select_durations
SELECT grain, period, region_code, department_code, matter_code, channel, window_code,
  working_days, cases
FROM kpi_duration;

-- name: select_walkthrough_case
SELECT case_number FROM walkthrough_case WHERE case_id = :id;

-- name: select_walkthrough_by_number
SELECT case_id, region_code, department_code, matter_code FROM walkthrough_case
WHERE case_number = :number;

-- name: insert_walkthrough_case
INSERT INTO walkthrough_case (case_id, case_number, staff_account, region_code,
  department_code, matter_code, created_at)
VALUES (:id, :number, :staff, :region, :department, :matter, :created_at);

-- name: insert_note
INSERT INTO walkthrough_note (id, case_id, step, friction, author, created_at)
VALUES (:id, :case_id, :step, :friction, :author, :created_at);

-- name: select_notes
SELECT n.id, n.step, n.friction, n.author, n.created_at, COALESCE(r.id, '')
FROM walkthrough_note n
LEFT JOIN rectification_item r ON r.source = 'walkthrough' AND r.source_id = n.id
WHERE n.case_id = :case_id
ORDER BY n.created_at, n.id;

-- name: insert_rectification
INSERT INTO rectification_item (id, source, source_id, case_number, region_code,
  department_code, matter_code, description, state, created_by, created_at)
VALUES (:id, :source, :source_id, :number, :region, :department, :matter, :description, 'open',
  :created_by, :created_at);

-- name: select_rectifications
SELECT id, source, source_id, case_number, region_code, department_code, matter_code,
  description, state, created_by, created_at
FROM rectification_item
WHERE region_code >= :region_lo AND region_code < :region_hi
  AND (:department = '' OR department_code = :department)
ORDER BY created_at DESC, id DESC
LIMIT 500;
