-- Named queries of the demands module (see store/queries.h).

-- name: insert_demand
INSERT INTO demand (id, number, channel, demand_class, urgency, complex, region, uscc, title,
  content, submitted_by, caller_name, caller_phone, state, limit_days, created_at, closed_at,
  answer, satisfied, callback_due)
VALUES (:id, :number, :channel, :demand_class, :urgency, :complex, :region, :uscc, :title,
  :content, :submitted_by, :caller_name, :caller_phone, :state, :limit_days, :created_at,
  :closed_at, :answer, :satisfied, :callback_due);

-- name: update_demand
UPDATE demand SET state = :state, complex = :complex, limit_days = :limit_days,
  closed_at = :closed_at, answer = :answer, satisfied = :satisfied, callback_due = :callback_due
WHERE id = :id;

-- name: count_numbers
SELECT COUNT(*) FROM demand WHERE number LIKE :prefix;

-- name: get_demand
SELECT id, number, channel, demand_class, urgency, complex, region, uscc, title, content,
  submitted_by, caller_name, caller_phone, state, limit_days, created_at, closed_at, answer,
  satisfied, callback_due
FROM demand WHERE id = :id;

-- Writers lock the demand first, so two steps on one demand run one after the other (SQLite
-- writers are serialised already).
-- name: lock_demand
SELECT id FROM demand WHERE id = :id;

-- name: lock_demand [postgresql]
SELECT id FROM demand WHERE id = :id FOR UPDATE;

-- name: list_by_region
SELECT id, number, channel, demand_class, urgency, complex, region, uscc, title, content,
  submitted_by, caller_name, caller_phone, state, limit_days, created_at, closed_at, answer,
  satisfied, callback_due
FROM demand WHERE region LIKE :prefix ORDER BY created_at DESC, id DESC LIMIT :limit;

-- name: list_by_uscc
SELECT id, number, channel, demand_class, urgency, complex, region, uscc, title, content,
  submitted_by, caller_name, caller_phone, state, limit_days, created_at, closed_at, answer,
  satisfied, callback_due
FROM demand WHERE uscc = :uscc ORDER BY created_at DESC, id DESC LIMIT :limit;

-- name: list_by_submitter
SELECT id, number, channel, demand_class, urgency, complex, region, uscc, title, content,
  submitted_by, caller_name, caller_phone, state, limit_days, created_at, closed_at, answer,
  satisfied, callback_due
FROM demand WHERE submitted_by = :submitted_by ORDER BY created_at DESC, id DESC LIMIT :limit;

-- name: duplicate_candidates
SELECT id, number, title, content, state FROM demand
WHERE created_at >= :since AND id <> :id AND (uscc = :uscc OR region = :region)
ORDER BY created_at DESC LIMIT 500;

-- name: insert_order
INSERT INTO work_order (id, demand_id, seq, receiver_kind, department, assignee, arbitrated,
  state, dispatched_by, dispatched_at, sign_due, due, signed_by, signed_at, return_reason,
  extension, extension_days, extension_reason, reminders, sign_overdue, late_reminded,
  supervised, answer, closed_at, callback)
VALUES (:id, :demand_id, :seq, :receiver_kind, :department, :assignee, :arbitrated, :state,
  :dispatched_by, :dispatched_at, :sign_due, :due, :signed_by, :signed_at, :return_reason,
  :extension, :extension_days, :extension_reason, :reminders, :sign_overdue,
  :late_reminded, :supervised, :answer, :closed_at, :callback);

-- name: update_order
UPDATE work_order SET state = :state, due = :due, signed_by = :signed_by, signed_at = :signed_at,
  return_reason = :return_reason, extension = :extension, extension_days = :extension_days,
  extension_reason = :extension_reason, reminders = :reminders, sign_overdue = :sign_overdue,
  late_reminded = :late_reminded, supervised = :supervised, answer = :answer,
  closed_at = :closed_at, callback = :callback
WHERE id = :id;

-- name: orders_of_demand
SELECT id, demand_id, seq, receiver_kind, department, assignee, arbitrated, state,
  dispatched_by, dispatched_at, sign_due, due, signed_by, signed_at, return_reason, extension,
  extension_days, extension_reason, reminders, sign_overdue, late_reminded, supervised, answer,
  closed_at, callback
FROM work_order WHERE demand_id = :demand_id ORDER BY seq;

-- name: late_orders
SELECT id, demand_id, seq, receiver_kind, department, assignee, arbitrated, state,
  dispatched_by, dispatched_at, sign_due, due, signed_by, signed_at, return_reason, extension,
  extension_days, extension_reason, reminders, sign_overdue, late_reminded, supervised, answer,
  closed_at, callback
FROM work_order
WHERE (state = 'pending' OR state = 'signed') AND (due < :now1 OR sign_due < :now2)
ORDER BY dispatched_at, id;

-- name: callbacks_overdue
SELECT COUNT(*) FROM demand WHERE state = 'closed' AND satisfied = -1 AND callback_due < :now;

-- name: orders_visible_to
SELECT DISTINCT demand_id FROM work_order WHERE department = :department OR assignee = :account;

-- name: insert_step
INSERT INTO demand_step (demand_id, seq, action, actor, at, detail)
VALUES (:demand_id, :seq, :action, :actor, :at, :detail);

-- name: last_step
SELECT COALESCE(MAX(seq), 0) FROM demand_step WHERE demand_id = :demand_id;

-- name: steps_of_demand
SELECT seq, action, actor, at, detail FROM demand_step WHERE demand_id = :demand_id ORDER BY seq;

-- name: statistics
SELECT o.receiver_kind, o.department, COUNT(*),
  SUM(CASE WHEN o.state = 'closed' THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.state = 'closed' AND o.closed_at <= o.due THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.callback <> '' THEN 1 ELSE 0 END),
  SUM(CASE WHEN o.callback = 'satisfied' THEN 1 ELSE 0 END)
FROM work_order o JOIN demand d ON d.id = o.demand_id
WHERE o.state <> 'returned' AND o.dispatched_at >= :from_ms AND o.dispatched_at < :to_ms
  AND d.region LIKE :prefix
GROUP BY o.receiver_kind, o.department
ORDER BY o.receiver_kind, o.department;

-- name: find_account
SELECT id, kind FROM account WHERE id = :id OR username = :username;

-- name: commissioner_of
SELECT account_id FROM enterprise_contact WHERE uscc = :uscc AND kind = 'commissioner'
ORDER BY assigned_at, account_id;

-- name: delete_contacts
DELETE FROM enterprise_contact WHERE uscc = :uscc AND kind = :kind;

-- name: insert_contact
INSERT INTO enterprise_contact (uscc, kind, account_id, assigned_by, assigned_at)
VALUES (:uscc, :kind, :account_id, :assigned_by, :assigned_at);

-- name: contacts_of_enterprise
SELECT c.uscc, c.kind, c.account_id, COALESCE(a.name, ''), COALESCE(e.name, ''), c.assigned_by,
  c.assigned_at
FROM enterprise_contact c LEFT JOIN account a ON a.id = c.account_id
  LEFT JOIN enterprise e ON e.uscc = c.uscc
WHERE c.uscc = :uscc ORDER BY c.kind, c.assigned_at, c.account_id;

-- name: enterprises_of_account
SELECT c.uscc, c.kind, c.account_id, COALESCE(a.name, ''), COALESCE(e.name, ''), c.assigned_by,
  c.assigned_at
FROM enterprise_contact c LEFT JOIN account a ON a.id = c.account_id
  LEFT JOIN enterprise e ON e.uscc = c.uscc
WHERE c.account_id = :account_id ORDER BY c.uscc, c.kind;
