-- Named queries of the projects module (see store/queries.h).

-- name: insert_project
INSERT INTO project (id, code, name, uscc, enterprise_name, region, project_type, budget_days,
  commissioner, state, flow_version, created_at, created_by)
VALUES (:id, :code, :name, :uscc, :enterprise_name, :region, :project_type, :budget_days,
  :commissioner, :state, :flow_version, :created_at, :created_by);

-- name: update_project
UPDATE project SET commissioner = :commissioner, state = :state, flow_version = :flow_version
WHERE id = :id;

-- name: project_columns
SELECT id, code, name, uscc, enterprise_name, region, project_type, budget_days, commissioner,
  state, flow_version, created_at, created_by FROM project WHERE id = :id;

-- Writers lock the project first, so two steps on one project run one after the other.
-- name: lock_project
SELECT id FROM project WHERE id = :id;

-- name: lock_project [postgresql]
SELECT id FROM project WHERE id = :id FOR UPDATE;

-- name: project_by_code
SELECT id FROM project WHERE code = :code;

-- name: list_projects
SELECT id, code, name, uscc, enterprise_name, region, project_type, budget_days, commissioner,
  state, flow_version, created_at, created_by FROM project
WHERE region LIKE :prefix ORDER BY created_at DESC, id DESC LIMIT :limit;

-- name: active_projects
SELECT id FROM project WHERE state = 'active' ORDER BY id;

-- name: insert_stage
INSERT INTO project_stage (project_id, seq, stage_key, title, share_days, state, started_on,
  concluded_on)
VALUES (:project_id, :seq, :stage_key, :title, :share_days, :state, :started_on, :concluded_on);

-- name: update_stage
UPDATE project_stage SET state = :state, started_on = :started_on, concluded_on = :concluded_on
WHERE project_id = :project_id AND seq = :seq;

-- name: stages_of_project
SELECT seq, stage_key, title, share_days, state, started_on, concluded_on FROM project_stage
WHERE project_id = :project_id ORDER BY seq;

-- name: insert_matter
INSERT INTO project_matter (project_id, code, stage, title, department, delegation_basis,
  legal_days, limit_days, fee_fen, state, basis, started_on, decided_on, findings,
  pre_reviewed_by, document_number, batch_id, materials, case_number)
VALUES (:project_id, :code, :stage, :title, :department, :delegation_basis, :legal_days,
  :limit_days, :fee_fen, :state, :basis, :started_on, :decided_on, :findings, :pre_reviewed_by,
  :document_number, :batch_id, :materials, :case_number);

-- name: delete_matters_of_project
DELETE FROM project_matter WHERE project_id = :project_id;

-- name: matters_of_project
SELECT code, stage, title, department, delegation_basis, legal_days, limit_days, fee_fen, state,
  basis, started_on, decided_on, findings, pre_reviewed_by, document_number, batch_id, materials,
  case_number
FROM project_matter WHERE project_id = :project_id ORDER BY stage, code;

-- name: matter_of_case
SELECT project_id, code FROM project_matter WHERE case_number = :case_number;

-- name: insert_pause
INSERT INTO project_pause (project_id, seq, stage, kind, from_on, to_on, note)
VALUES (:project_id, :seq, :stage, :kind, :from_on, :to_on, :note);

-- name: end_pause
UPDATE project_pause SET to_on = :to_on WHERE project_id = :project_id AND seq = :seq;

-- name: pauses_of_project
SELECT seq, stage, kind, from_on, to_on, note FROM project_pause
WHERE project_id = :project_id ORDER BY seq;

-- name: insert_flow_table
INSERT INTO project_flow_table (project_id, version, edited_by, edited_at, note, body)
VALUES (:project_id, :version, :edited_by, :edited_at, :note, :body);

-- name: flow_tables_of_project
SELECT version, edited_by, edited_at, note, body FROM project_flow_table
WHERE project_id = :project_id ORDER BY version;

-- name: insert_batch
INSERT INTO project_batch (id, matter, decision, reviewed_by, at, note, projects)
VALUES (:id, :matter, :decision, :reviewed_by, :at, :note, :projects);

-- name: insert_escalation
INSERT INTO project_escalation (id, project_id, reason, meeting_on, created_by, created_at)
VALUES (:id, :project_id, :reason, :meeting_on, :created_by, :created_at);

-- name: insert_escalation_part
INSERT INTO project_escalation_part (escalation_id, department, task, due_on, done_on, note)
VALUES (:escalation_id, :department, :task, :due_on, :done_on, :note);

-- name: complete_escalation_part
UPDATE project_escalation_part SET done_on = :done_on, note = :note
WHERE escalation_id = :escalation_id AND department = :department AND done_on = '';

-- name: escalations_of_project
SELECT e.id, e.reason, e.meeting_on, e.created_by, e.created_at, p.department, p.task, p.due_on,
  p.done_on, p.note
FROM project_escalation e JOIN project_escalation_part p ON p.escalation_id = e.id
WHERE e.project_id = :project_id ORDER BY e.created_at, e.id, p.department;

-- name: escalation_project
SELECT project_id FROM project_escalation WHERE id = :id;

-- name: upsert_delegation
INSERT INTO project_delegation (region, matter, from_department, to_department, basis,
  valid_from, valid_to)
VALUES (:region, :matter, :from_department, :to_department, :basis, :valid_from, :valid_to)
ON CONFLICT (region, matter, to_department, valid_from) DO UPDATE SET
  from_department = excluded.from_department, basis = excluded.basis,
  valid_to = excluded.valid_to;

-- name: delegations
SELECT region, matter, from_department, to_department, basis, valid_from, valid_to
FROM project_delegation ORDER BY region, matter, valid_from;

-- name: last_event
SELECT COALESCE(MAX(seq), 0) FROM project_event WHERE project_id = :project_id;

-- name: insert_event
INSERT INTO project_event (project_id, seq, action, actor, at, detail)
VALUES (:project_id, :seq, :action, :actor, :at, :detail);

-- name: events_of_project
SELECT seq, action, actor, at, detail FROM project_event WHERE project_id = :project_id
ORDER BY seq;

-- The sweep's cards go to the supervision module's card table, once per project, stage or
-- escalation part and trigger (dedupe_key), answered and handed over there like a case's.
-- name: insert_card
INSERT INTO supervision_card (dedupe_key, case_id, case_number, step, step_name, trigger_name,
  level, reason, region_code, department_code, person, issued_on, issued_at, state, notified,
  answer, answered_by, answered_at, handed_over_by, handed_over_at, subject_kind)
VALUES (:dedupe_key, :case_id, :case_number, :step, :step_name, :trigger_name, :level, :reason,
  :region_code, :department_code, :person, :issued_on, :issued_at, 'open', 0, '', '', 0, '', 0,
  'project')
ON CONFLICT (dedupe_key) DO NOTHING;

-- name: insert_card_recipient
INSERT INTO supervision_card_recipient (dedupe_key, account_id, role)
VALUES (:dedupe_key, :account_id, :role)
ON CONFLICT (dedupe_key, account_id) DO NOTHING;

-- name: enterprise_agents
SELECT agent_account FROM agent_authorisation
WHERE uscc = :uscc AND revoked_at IS NULL AND valid_from <= :now
  AND (valid_until IS NULL OR valid_until < 0 OR valid_until >= :now)
ORDER BY agent_account;

-- name: project_notices
SELECT id, subject_id, subject_number, role, level, text, created_at, read_at, sms_state
FROM supervision_notice WHERE account_id = :account_id AND subject_kind = 'project'
ORDER BY created_at DESC, id LIMIT :limit;

-- name: project_notice
SELECT id, subject_id, subject_number, role, level, text, created_at, read_at, sms_state
FROM supervision_notice
WHERE id = :id AND account_id = :account_id AND subject_kind = 'project';

-- name: mark_project_notice_read
UPDATE supervision_notice SET read_at = :now
WHERE id = :id AND account_id = :account_id AND subject_kind = 'project' AND read_at = 0;

-- An account disabled since the card was issued gets no message.
-- name: pending_project_notices
SELECT n.id, COALESCE(a.phone, ''), n.text
FROM supervision_notice n
LEFT JOIN account a ON a.id = n.account_id AND a.status = 'active'
WHERE n.subject_kind = 'project' AND n.sms_state = 'pending'
ORDER BY n.created_at, n.id LIMIT :limit;

-- name: mark_project_notice_sms
UPDATE supervision_notice SET sms_state = :sms_state WHERE id = :id AND sms_state = 'pending';

-- name: lock_card_writers
SELECT 1;

-- name: lock_card_writers [postgresql]
SELECT pg_advisory_xact_lock(7315001);
