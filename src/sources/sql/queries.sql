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

-- name: cancel_case_requests
-- A case that ended takes its open certificate requests out of the inboxes of their issuers.
-- This comment sits below the name line since request_columns above is extended by its callers,
-- and holds no quote mark or colon, which the PostgreSQL binding would misread.
UPDATE certificate_request SET state = 'cancelled', answered_at = :answered_at,
  reason = :reason
WHERE case_id = :case_id AND state = 'requested';

-- name: close_request
UPDATE certificate_request SET state = :state, answered_at = :answered_at,
  answered_by = :answered_by, licence_id = :licence_id, reason = :reason
WHERE id = :id AND state = 'requested';

-- name: reopen_request
-- An answer whose certificate could not be supplied to the case goes back to the inbox.
UPDATE certificate_request SET state = 'requested', answered_at = 0, answered_by = '',
  licence_id = ''
WHERE id = :id AND state = 'answered';

-- The library (材料库) - the latest stored file of the applicant for a material of that name,
-- in a case received since the reuse period began and not refused or withdrawn (one read of
-- material_library_lookup).
-- name: library_material
SELECT case_number, idx, content_hash, size, media_type, file_name
FROM material_library
WHERE applicant_code = :applicant_code AND name = :name AND received_at >= :since
  AND (valid_until = '' OR valid_until >= :today)
ORDER BY received_at DESC, idx DESC
LIMIT 1;

-- name: library_put
INSERT INTO material_library (case_id, idx, applicant_code, name, case_number, content_hash,
  size, media_type, file_name, received_at, valid_until)
VALUES (:case_id, :idx, :applicant_code, :name, :case_number, :content_hash, :size, :media_type,
  :file_name, :received_at, '')
ON CONFLICT (case_id, idx) DO UPDATE SET content_hash = excluded.content_hash,
  size = excluded.size, media_type = excluded.media_type, file_name = excluded.file_name;

-- name: library_remove_case
DELETE FROM material_library WHERE case_id = :case_id;

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

-- The licence a conclusion issues (case_licences.cc).

-- name: licence_type_by_name
SELECT code FROM licence_type WHERE name = :name ORDER BY code LIMIT 1;

-- name: queue_case_licence
INSERT INTO case_licence (case_id, case_number, type_code, state, licence_id, error, attempts,
  queued_at, issued_at)
VALUES (:case_id, :case_number, :type_code, 'pending', '', '', 0, :queued_at, 0)
ON CONFLICT (case_id) DO NOTHING;

-- name: pending_case_licences
SELECT case_id, case_number, type_code FROM case_licence WHERE state = 'pending'
ORDER BY queued_at, case_id LIMIT :limit;

-- name: case_licence_done
UPDATE case_licence SET state = :state, licence_id = :licence_id, error = :error,
  attempts = attempts + 1, issued_at = :issued_at
WHERE case_id = :case_id AND state = 'pending';

-- name: case_licence_retry
UPDATE case_licence SET attempts = attempts + 1, error = :error
WHERE case_id = :case_id AND state = 'pending';

-- name: case_licence_by_number
SELECT case_id, case_number, type_code, state, licence_id, error, attempts, queued_at, issued_at
FROM case_licence WHERE case_number = :case_number;
