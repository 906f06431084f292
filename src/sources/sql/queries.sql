-- Named queries of the sources module (see store/queries.h).

-- name: insert_source
INSERT INTO material_source (case_id, case_number, idx, name, matter_code, region_code, required,
  catalog_source, source, reference, detail, received_on, sandbox)
VALUES (:case_id, :case_number, :idx, :name, :matter_code, :region_code, :required,
  :catalog_source, :source, :reference, :detail, :received_on, :sandbox);

-- name: update_source
UPDATE material_source SET source = :source, reference = :reference, detail = :detail
WHERE case_number = :case_number AND idx = :idx;

-- name: insert_resolution
INSERT INTO case_resolution (case_id, case_number, outcome, requested_matter, competent_matter,
  competent_region, competent_department, note, authorised_licences)
VALUES (:case_id, :case_number, :outcome, :requested_matter, :competent_matter,
  :competent_region, :competent_department, :note, :authorised_licences);

-- name: select_resolution
SELECT outcome, requested_matter, competent_matter, competent_region, competent_department, note,
  authorised_licences
FROM case_resolution WHERE case_number = :case_number;

-- name: select_sources
SELECT idx, name, required, catalog_source, source, reference, detail
FROM material_source WHERE case_number = :case_number ORDER BY idx;

-- name: insert_request
INSERT INTO certificate_request (id, case_id, case_number, idx, material, certificate,
  licence_type, department, region_code, applicant_code, applicant_name, state, requested_at,
  due_on, answered_at, answered_by, licence_id, reason)
VALUES (:id, :case_id, :case_number, :idx, :material, :certificate, :licence_type, :department,
  :region_code, :applicant_code, :applicant_name, 'requested', :requested_at, :due_on, 0, '', '',
  '');

-- name: request_columns
SELECT id, case_number, idx, material, certificate, licence_type, department, region_code,
  applicant_code, applicant_name, state, requested_at, due_on, answered_by, licence_id, reason
FROM certificate_request

-- name: close_request
UPDATE certificate_request SET state = :state, answered_at = :answered_at,
  answered_by = :answered_by, licence_id = :licence_id, reason = :reason
WHERE id = :id AND state = 'requested';

-- The library (材料库) - the latest stored file of the applicant for a material of that name,
-- in a case received since the reuse period began and not refused or withdrawn.
-- name: library_material
SELECT r.number, m.idx, m.content_hash, m.size, m.media_type, m.file_name
FROM case_material m JOIN case_record r ON r.id = m.case_id
WHERE r.applicant_code = :applicant_code AND r.received_at >= :since AND m.name = :name
  AND m.state = 'provided' AND m.content_hash <> '' AND r.state NOT IN ('refused', 'withdrawn')
ORDER BY r.received_at DESC, m.idx
LIMIT 1;

-- name: report_rows
SELECT s.matter_code, s.source, COUNT(*), COUNT(DISTINCT s.case_id)
FROM material_source s
WHERE s.required = 1 AND s.sandbox = 0 AND s.received_on >= :from AND s.received_on <= :to
  AND s.region_code LIKE :region AND (:matter = '' OR s.matter_code = :matter)
GROUP BY s.matter_code, s.source
ORDER BY s.matter_code, s.source;

-- name: report_cases
SELECT s.matter_code, COUNT(DISTINCT s.case_id)
FROM material_source s
WHERE s.sandbox = 0 AND s.received_on >= :from AND s.received_on <= :to
  AND s.region_code LIKE :region AND (:matter = '' OR s.matter_code = :matter)
GROUP BY s.matter_code
ORDER BY s.matter_code;
