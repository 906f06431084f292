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
