-- The review stage's named queries (review.cc).

-- name: insert_case_review
INSERT INTO case_review (case_id, instance_id, process_id, joint, started_at)
VALUES (:case_id, :instance_id, :process_id, :joint, :started_at)
ON CONFLICT (case_id) DO NOTHING;

-- name: select_case_review
SELECT instance_id, process_id, joint FROM case_review WHERE case_id = :case_id;

-- name: select_case_by_instance
SELECT c.number FROM case_review r JOIN case_record c ON c.id = r.case_id
WHERE r.instance_id = :instance_id;

-- name: select_reviews_under_review
SELECT c.number, r.instance_id FROM case_review r JOIN case_record c ON c.id = r.case_id
WHERE c.state = 'under_review' ORDER BY c.number;

-- name: insert_bundle
INSERT INTO bundle_application (id, number, bundle_code, bundle_name, region_code, submitted_by,
  idempotency_key, form, process_id, instance_id, received_at)
VALUES (:id, :number, :bundle_code, :bundle_name, :region, :submitted_by, :idempotency_key,
  :form, :process_id, :instance_id, :received_at);

-- name: insert_bundle_case
INSERT INTO bundle_case (bundle_id, idx, case_id)
SELECT :bundle_id, :idx, id FROM case_record WHERE number = :number;

-- name: select_bundle
SELECT id, number, bundle_code, bundle_name, region_code, submitted_by, process_id, instance_id,
  received_at
FROM bundle_application WHERE number = :number;

-- name: select_bundle_by_key
SELECT number FROM bundle_application
WHERE submitted_by = :submitted_by AND idempotency_key = :idempotency_key;

-- name: select_bundle_cases
SELECT c.number FROM bundle_case b JOIN case_record c ON c.id = b.case_id
WHERE b.bundle_id = :bundle_id ORDER BY b.idx;

-- name: select_bundle_of_case
SELECT a.number, a.instance_id FROM bundle_case b JOIN bundle_application a ON a.id = b.bundle_id
WHERE b.case_id = :case_id;
