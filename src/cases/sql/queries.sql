-- The case module's named queries.

-- name: next_sequence
INSERT INTO case_sequence (region_code, day, last) VALUES (:region, :day, 1)
ON CONFLICT (region_code, day) DO UPDATE SET last = case_sequence.last + 1
RETURNING last;

-- name: insert_case
INSERT INTO case_record (id, number, matter_code, matter_version, scenario, region_code,
  department_code, applicant_kind, applicant_code, applicant_name, agent_account, submitted_by,
  channel, clerk_account, form, state, version, received_on, received_at, accepted_on,
  accepted_by, correction_on, correction_items, suspension_reason, suspended_since,
  suspended_days, extension_days, extended_by, decided_by, decision_reasons, updated_at)
VALUES (:id, :number, :matter, :matter_version, :scenario, :region, :department,
  :applicant_kind, :applicant_code, :applicant_name, :agent_account, :submitted_by, :channel,
  :clerk_account, :form, :state, 1, :received_on, :received_at, '', '', '', '', '', '', 0, 0,
  '', '', '', :received_at);

-- name: select_case
SELECT id, number, matter_code, matter_version, scenario, region_code, department_code,
  applicant_kind, applicant_code, applicant_name, agent_account, submitted_by, channel,
  clerk_account, form, state, version, received_on, received_at, accepted_on, accepted_by,
  correction_on, correction_items, suspension_reason, suspended_since, suspended_days,
  extension_days, extended_by, decided_by, decision_reasons, window_code
FROM case_record WHERE number = :number;

-- name: select_matter_in_force
SELECT id FROM catalog_item_version
WHERE item_code = :code AND status = 'published' AND effective_from <= :as_of
ORDER BY version DESC LIMIT 1;

-- name: select_matter_version
SELECT matter_version FROM case_record WHERE number = :number;

-- name: select_case_by_id
SELECT number FROM case_record WHERE id = :id;

-- name: update_case
UPDATE case_record SET form = :form, state = :state, version = version + 1,
  accepted_on = :accepted_on, accepted_by = :accepted_by, correction_on = :correction_on,
  correction_items = :correction_items, suspension_reason = :suspension_reason,
  suspended_since = :suspended_since, suspended_days = :suspended_days,
  extension_days = :extension_days, extended_by = :extended_by, decided_by = :decided_by,
  decision_reasons = :decision_reasons, due_on = :due_on, updated_at = :updated_at
WHERE id = :id AND version = :version;

-- name: insert_material
INSERT INTO case_material (case_id, idx, name, required, core, state, origin, reference,
  content_hash, size, media_type, file_name, due_on)
VALUES (:case_id, :idx, :name, :required, :core, :state, :origin, :reference, :content_hash,
  :size, :media_type, :file_name, :due_on);

-- name: update_material
UPDATE case_material SET state = :state, origin = :origin, reference = :reference,
  content_hash = :content_hash, size = :size, media_type = :media_type, file_name = :file_name,
  due_on = :due_on
WHERE case_id = :case_id AND idx = :idx;

-- name: select_materials
SELECT idx, name, required, core, state, origin, reference, content_hash, size, media_type,
  file_name, due_on
FROM case_material WHERE case_id = :case_id ORDER BY idx;

-- name: insert_document
INSERT INTO case_document (id, case_id, kind, issued_on, department_code, content, key_id,
  signature, seal_proof, created_at)
VALUES (:id, :case_id, :kind, :issued_on, :department, :content, :key_id, :signature,
  :seal_proof, :created_at);

-- name: select_documents
SELECT id, kind, issued_on, department_code, key_id, signature, seal_proof
FROM case_document WHERE case_id = :case_id ORDER BY id;

-- name: select_document
SELECT d.id, d.kind, d.issued_on, d.department_code, d.content, d.key_id, d.signature,
  d.seal_proof
FROM case_document d JOIN case_record c ON c.id = d.case_id
WHERE c.number = :number AND d.id = :id;

-- name: legacy_department_key
-- A key that sealed documents before the key store's department keys did.
SELECT public_pem FROM case_department_key WHERE key_id = :key_id AND department_code = :department;

-- A key kept past its time is deleted before it is used again.
-- name: select_idempotency
SELECT fingerprint, case_id, created_at FROM case_idempotency
WHERE account_id = :account AND idem_key = :key;

-- name: delete_idempotency
DELETE FROM case_idempotency WHERE account_id = :account AND idem_key = :key;

-- name: insert_idempotency
INSERT INTO case_idempotency (account_id, idem_key, fingerprint, case_id, created_at)
VALUES (:account, :key, :fingerprint, :case_id, :created_at);

-- name: acceptance_queue
SELECT number, matter_code, region_code, department_code, applicant_name, state, received_on,
  received_at, id
FROM case_record
WHERE state IN ('submitted', 'correction_requested')
  AND region_code >= :region_low AND region_code < :region_high
  AND (:department = '' OR department_code = :department)
  AND (received_at > :after_at OR (received_at = :after_at AND id > :after_id))
ORDER BY received_at, id
LIMIT :limit;

-- name: submitted_before
SELECT number, matter_code, region_code, department_code, applicant_name, state, received_on,
  received_at, id
FROM case_record
WHERE state = 'submitted' AND received_on <= :before
ORDER BY received_at, id;

-- name: set_case_window
UPDATE case_record SET window_code = :window WHERE id = :id;

-- name: select_commitment_signature
SELECT s.content_hash, s.size, s.signed_by, s.created_at
FROM case_commitment_signature s JOIN case_record c ON c.id = s.case_id
WHERE c.number = :number;

-- name: insert_commitment_signature
INSERT INTO case_commitment_signature (case_id, content_hash, size, signed_by, created_at)
VALUES (:case_id, :content_hash, :size, :signed_by, :created_at);
