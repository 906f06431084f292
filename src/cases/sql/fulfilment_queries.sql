-- Queries of fees.cc, notices.cc and delivery.cc.

-- name: insert_payment
INSERT INTO case_payment (id, case_id, fees, amount_fen, state, waiver_reason, waived_by,
  transaction_id, created_at, settled_at)
VALUES (:id, :case_id, :fees, :amount_fen, 'due', '', '', '', :created_at, 0);

-- name: select_payment_of_case
SELECT p.id, r.number, p.fees, p.amount_fen, p.state, p.waiver_reason, p.waived_by,
  p.transaction_id, p.created_at, p.settled_at
FROM case_payment p JOIN case_record r ON r.id = p.case_id WHERE p.case_id = :case_id;

-- name: select_payment_case
SELECT r.number FROM case_payment p JOIN case_record r ON r.id = p.case_id WHERE p.id = :id;

-- name: update_payment
UPDATE case_payment SET state = :state, waiver_reason = :waiver_reason, waived_by = :waived_by,
  transaction_id = :transaction_id, settled_at = :settled_at
WHERE id = :id AND state = :old_state;

-- name: insert_delivery
INSERT INTO case_delivery (case_id, decided_on, due_on, method, address, tracking_number,
  delivered_by, delivered_on)
VALUES (:case_id, :decided_on, :due_on, '', '', '', '', '');

-- name: select_delivery
SELECT decided_on, due_on, method, address, tracking_number, delivered_by, delivered_on
FROM case_delivery WHERE case_id = :case_id;

-- name: update_delivery
UPDATE case_delivery SET method = :method, address = :address,
  tracking_number = :tracking_number, delivered_by = :delivered_by, delivered_on = :delivered_on
WHERE case_id = :case_id AND method = '';

-- name: insert_notice
INSERT INTO case_notice (id, case_id, case_number, account_id, applicant_code, kind, text,
  created_at, sms_state, read_at)
VALUES (:id, :case_id, :case_number, :account_id, :applicant_code, :kind, :text, :created_at,
  'pending', 0);

-- name: select_notices
SELECT id, case_number, kind, text, created_at, sms_state, read_at FROM case_notice
WHERE (account_id = :account_id OR (applicant_code <> '' AND applicant_code = :applicant_code))
  AND (:unread_only = 0 OR read_at = 0)
ORDER BY created_at DESC, id DESC LIMIT :limit;

-- name: select_notice_owner
SELECT account_id, applicant_code FROM case_notice WHERE id = :id;

-- name: mark_notice_read
UPDATE case_notice SET read_at = :read_at WHERE id = :id AND read_at = 0;

-- name: select_outbox
SELECT id, account_id, text, created_at FROM case_notice WHERE sms_state = 'pending'
ORDER BY created_at, id LIMIT 100;

-- name: mark_notice_sent
UPDATE case_notice SET sms_state = :sms_state WHERE id = :id AND sms_state = 'pending';

-- name: overdue_gaps
SELECT DISTINCT r.number, r.matter_code, r.region_code, r.department_code, r.applicant_name,
  r.state, r.received_on, r.received_at
FROM case_record r JOIN case_material m ON m.case_id = r.id
WHERE m.state IN ('gap', 'supply_later') AND m.due_on <> '' AND m.due_on < :as_of
  AND r.state IN ('submitted', 'correction_requested', 'under_review', 'suspended')
ORDER BY r.received_at, r.number;

-- name: insert_credit
INSERT INTO case_credit_entry (id, applicant_code, kind, serious, source, reason, recorded_on,
  expires_on, recorded_by, repaired_on, repaired_by, repair_note, created_at)
VALUES (:id, :applicant_code, :kind, :serious, :source, :reason, :recorded_on, :expires_on,
  :recorded_by, '', '', '', :created_at);

-- name: select_credit
SELECT id, applicant_code, kind, serious, source, reason, recorded_on, expires_on, recorded_by,
  repaired_on, repaired_by, repair_note
FROM case_credit_entry WHERE applicant_code = :applicant_code ORDER BY created_at DESC, id DESC;

-- name: select_credit_entry
SELECT applicant_code FROM case_credit_entry WHERE id = :id;

-- name: repair_credit
UPDATE case_credit_entry SET repaired_on = :repaired_on, repaired_by = :repaired_by,
  repair_note = :repair_note
WHERE id = :id AND repaired_on = '';

-- name: insert_verification
INSERT INTO case_verification (case_id, case_number, department_code, due_on, state, rectify_by,
  verified_by, note)
VALUES (:case_id, :case_number, :department_code, :due_on, 'scheduled', '', '', '');

-- name: select_verification
SELECT case_number, department_code, due_on, state, rectify_by, verified_by, note
FROM case_verification WHERE case_id = :case_id;

-- name: update_verification
UPDATE case_verification SET state = :state, rectify_by = :rectify_by,
  verified_by = :verified_by, note = :note
WHERE case_id = :case_id AND state = :old_state;

-- name: due_verifications
SELECT case_number, department_code, due_on, state, rectify_by, verified_by, note
FROM case_verification
WHERE state IN ('scheduled', 'rectifying') AND (:department = '' OR department_code = :department)
  AND due_on <= :until
ORDER BY due_on, case_number;
