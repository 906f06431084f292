-- Named queries of the durable workflow runtime (see store/queries.h). Times are µs since the
-- epoch.

-- name: find_deployment_by_checksum
SELECT id FROM bpmn_deployment WHERE checksum = :checksum;

-- name: insert_deployment
INSERT INTO bpmn_deployment (id, checksum, xml, deployed_by, created_at)
VALUES (:id, :checksum, :xml, :deployed_by, :created_at);

-- name: latest_version
SELECT COALESCE(MAX(version), 0) FROM bpmn_process_version WHERE process_id = :process_id;

-- name: insert_process_version
INSERT INTO bpmn_process_version (process_id, version, deployment_id)
VALUES (:process_id, :version, :deployment_id);

-- name: deployment_versions
SELECT process_id, version FROM bpmn_process_version WHERE deployment_id = :deployment_id
ORDER BY process_id;

-- name: find_process_xml
SELECT d.id, d.xml FROM bpmn_process_version v JOIN bpmn_deployment d ON d.id = v.deployment_id
WHERE v.process_id = :process_id AND v.version = :version;

-- name: insert_instance
-- A new instance is written once, with the state its first step left (revision 1).
INSERT INTO bpmn_instance (id, process_id, version, status, state, revision, history_seq,
                           parent_instance, parent_activity, started_by, region, department,
                           created_at, updated_at)
VALUES (:id, :process_id, :version, :status, :state, 1, :history_seq, :parent_instance,
        :parent_activity, :started_by, :region, :department, :created_at, :created_at);

-- name: load_instance
SELECT process_id, version, status, state, revision, history_seq, COALESCE(parent_instance, ''),
       COALESCE(parent_activity, -1), region, department
FROM bpmn_instance WHERE id = :id;

-- name: lock_instance [postgresql]
-- A step holds its instance's row from the load to the commit, so a concurrent step on the same
-- instance waits and then sees the new state (SQLite's write transaction already serialises).
SELECT process_id, version, status, state, revision, history_seq, COALESCE(parent_instance, ''),
       COALESCE(parent_activity, -1), region, department
FROM bpmn_instance WHERE id = :id FOR UPDATE;

-- name: lock_instance [sqlite]
SELECT process_id, version, status, state, revision, history_seq, COALESCE(parent_instance, ''),
       COALESCE(parent_activity, -1), region, department
FROM bpmn_instance WHERE id = :id;

-- name: update_instance
UPDATE bpmn_instance SET state = :state, status = :status, revision = revision + 1,
                         history_seq = :history_seq, updated_at = :updated_at
WHERE id = :id AND revision = :revision;

-- name: bump_instance
UPDATE bpmn_instance SET revision = revision + 1, history_seq = history_seq + 1
WHERE id = :id;

-- name: instance_history_seq
SELECT history_seq FROM bpmn_instance WHERE id = :id;

-- name: called_instances
SELECT id FROM bpmn_instance
WHERE parent_instance = :id AND status IN ('running', 'incident');

-- name: called_instance_of
SELECT id FROM bpmn_instance
WHERE parent_instance = :id AND parent_activity = :activity AND status IN ('running', 'incident');

-- name: insert_task
INSERT INTO bpmn_task (id, instance_id, activity, element_id, name, process_id, assignee,
                       candidate_groups, due_at, headers, step, state, created_at, region,
                       department)
VALUES (:id, :instance_id, :activity, :element_id, :name, :process_id, :assignee,
        :candidate_groups, :due_at, :headers, :step, :state, :created_at, :region, :department);

-- name: insert_task_candidate
INSERT INTO bpmn_task_candidate (group_name, created_at, task_id)
VALUES (:group_name, :created_at, :task_id);

-- name: close_task
UPDATE bpmn_task SET state = :state, completed_by = :completed_by, closed_at = :closed_at
WHERE id = :id;

-- name: delete_task_candidates
DELETE FROM bpmn_task_candidate WHERE task_id = :task_id;

-- name: open_tasks_of_instance
SELECT id FROM bpmn_task WHERE instance_id = :instance_id AND state IN ('open', 'claimed');

-- name: find_task
SELECT id, instance_id, activity, element_id, name, process_id, COALESCE(assignee, ''),
       candidate_groups, COALESCE(due_at, -1), headers, state, COALESCE(delegated_by, ''),
       COALESCE(completed_by, ''), created_at, region, department
FROM bpmn_task WHERE id = :id;

-- name: group_tasks
SELECT t.id, t.instance_id, t.activity, t.element_id, t.name, t.process_id,
       COALESCE(t.assignee, ''), t.candidate_groups, COALESCE(t.due_at, -1), t.headers, t.state,
       COALESCE(t.delegated_by, ''), COALESCE(t.completed_by, ''), t.created_at, t.region,
       t.department
FROM bpmn_task_candidate c JOIN bpmn_task t ON t.id = c.task_id
WHERE c.group_name = :group_name
  AND (c.created_at, c.task_id) > (:after_created, :after_id)
ORDER BY c.created_at, c.task_id
LIMIT :limit;

-- name: assignee_tasks
SELECT id, instance_id, activity, element_id, name, process_id, COALESCE(assignee, ''),
       candidate_groups, COALESCE(due_at, -1), headers, state, COALESCE(delegated_by, ''),
       COALESCE(completed_by, ''), created_at, region, department
FROM bpmn_task
WHERE assignee = :assignee AND state = 'claimed'
  AND (created_at, id) > (:after_created, :after_id)
ORDER BY created_at, id
LIMIT :limit;

-- name: claim_task
UPDATE bpmn_task SET assignee = :assignee, state = 'claimed'
WHERE id = :id AND state = 'open' AND assignee IS NULL;

-- name: unclaim_task
UPDATE bpmn_task SET assignee = NULL, state = 'open'
WHERE id = :id AND state = 'claimed' AND assignee = :assignee;

-- name: delegate_task
UPDATE bpmn_task SET assignee = :to_account, state = 'claimed', delegated_by = :delegated_by
WHERE id = :id AND state IN ('open', 'claimed');

-- name: count_acceptances_by
SELECT COUNT(*) FROM bpmn_task
WHERE instance_id = :instance_id AND step = 'acceptance' AND state = 'completed'
  AND completed_by = :account;

-- name: insert_timer
INSERT INTO bpmn_timer (id, instance_id, timer, element_id, due_at)
VALUES (:id, :instance_id, :timer, :element_id, :due_at);

-- name: delete_timer
DELETE FROM bpmn_timer WHERE id = :id;

-- name: due_timers [sqlite]
SELECT t.id, t.instance_id, t.timer FROM bpmn_timer t
JOIN bpmn_instance i ON i.id = t.instance_id AND i.status = 'running'
WHERE t.due_at <= :now AND t.lease_until < :now
ORDER BY t.due_at LIMIT :limit;

-- name: due_timers [postgresql]
SELECT t.id, t.instance_id, t.timer FROM bpmn_timer t
JOIN bpmn_instance i ON i.id = t.instance_id AND i.status = 'running'
WHERE t.due_at <= :now AND t.lease_until < :now
ORDER BY t.due_at LIMIT :limit
FOR UPDATE OF t SKIP LOCKED;

-- name: lease_timer
UPDATE bpmn_timer SET lease_owner = :owner, lease_until = :until
WHERE id = :id AND lease_until < :now;

-- name: timer_lease_owner
SELECT lease_owner FROM bpmn_timer WHERE id = :id;

-- name: insert_job
INSERT INTO bpmn_job (id, instance_id, activity, element_id, task_type, state, run_at)
VALUES (:id, :instance_id, :activity, :element_id, :task_type, 'ready', :run_at);

-- name: delete_job
DELETE FROM bpmn_job WHERE id = :id;

-- name: due_jobs [sqlite]
SELECT j.id, j.instance_id, j.activity, j.element_id, j.task_type, j.attempts FROM bpmn_job j
JOIN bpmn_instance i ON i.id = j.instance_id AND i.status = 'running'
WHERE j.state = 'ready' AND j.run_at <= :now AND j.lease_until < :now
ORDER BY j.run_at LIMIT :limit;

-- name: due_jobs [postgresql]
SELECT j.id, j.instance_id, j.activity, j.element_id, j.task_type, j.attempts FROM bpmn_job j
JOIN bpmn_instance i ON i.id = j.instance_id AND i.status = 'running'
WHERE j.state = 'ready' AND j.run_at <= :now AND j.lease_until < :now
ORDER BY j.run_at LIMIT :limit
FOR UPDATE OF j SKIP LOCKED;

-- name: lease_job
-- run_at moves to the end of the lease (the earliest the job may run again, should this lease be
-- lost). The runnable index range (state, run_at up to now) then no longer holds leased jobs, so
-- due_jobs does not walk over every job in flight.
UPDATE bpmn_job SET lease_owner = :owner, lease_until = :until, run_at = :run_at
WHERE id = :id AND lease_until < :now;

-- name: delete_leased_job
DELETE FROM bpmn_job WHERE id = :id AND lease_owner = :owner;

-- name: job_lease_owner
SELECT lease_owner FROM bpmn_job WHERE id = :id;

-- name: fail_job
UPDATE bpmn_job SET attempts = :attempts, state = :state, run_at = :run_at, lease_owner = '',
                    lease_until = 0, last_error = :last_error
WHERE id = :id;

-- name: reset_job
UPDATE bpmn_job SET attempts = 0, state = 'ready', run_at = :now, lease_owner = '',
                    lease_until = 0
WHERE id = :id;

-- name: insert_subscription
INSERT INTO bpmn_subscription (id, instance_id, message_name, correlation_key, created_at)
VALUES (:id, :instance_id, :message_name, :correlation_key, :created_at);

-- name: delete_subscription
DELETE FROM bpmn_subscription WHERE id = :id;

-- name: find_subscription
SELECT instance_id FROM bpmn_subscription
WHERE message_name = :message_name AND correlation_key = :correlation_key
ORDER BY created_at, id LIMIT 1;

-- name: insert_message
INSERT INTO bpmn_message (id, message_name, correlation_key, variables, created_at, expires_at)
VALUES (:id, :message_name, :correlation_key, :variables, :created_at, :expires_at);

-- name: find_buffered_message
SELECT id, variables FROM bpmn_message
WHERE message_name = :message_name AND correlation_key = :correlation_key AND expires_at > :now
ORDER BY created_at, id LIMIT 1;

-- name: delete_message
DELETE FROM bpmn_message WHERE id = :id;

-- name: delete_expired_messages
DELETE FROM bpmn_message WHERE expires_at <= :now;

-- name: insert_incident
INSERT INTO bpmn_incident (id, instance_id, element_id, message, job_id, retry_trigger, state,
                           created_at)
VALUES (:id, :instance_id, :element_id, :message, :job_id, :retry_trigger, 'open', :created_at);

-- name: find_incident
SELECT instance_id, element_id, message, job_id, retry_trigger, state FROM bpmn_incident
WHERE id = :id;

-- name: resolve_incident
UPDATE bpmn_incident SET state = 'resolved', resolved_at = :now, resolved_by = :resolved_by
WHERE id = :id AND state = 'open';

-- name: resolve_instance_incidents
UPDATE bpmn_incident SET state = 'resolved', resolved_at = :now, resolved_by = :resolved_by
WHERE instance_id = :instance_id AND state = 'open';

-- name: list_incidents
SELECT n.id, n.instance_id, n.element_id, n.message, n.job_id, n.state, n.created_at,
       COALESCE(i.region, ''), COALESCE(i.department, '')
FROM bpmn_incident n LEFT JOIN bpmn_instance i ON i.id = n.instance_id
WHERE n.state = 'open' ORDER BY n.created_at, n.id;

-- name: list_instance_incidents
SELECT n.id, n.instance_id, n.element_id, n.message, n.job_id, n.state, n.created_at,
       COALESCE(i.region, ''), COALESCE(i.department, '')
FROM bpmn_incident n LEFT JOIN bpmn_instance i ON i.id = n.instance_id
WHERE n.instance_id = :instance_id ORDER BY n.created_at, n.id;

-- name: list_history
SELECT seq, element_id, kind, happened_at, actor, request_id FROM bpmn_history
WHERE instance_id = :instance_id ORDER BY seq;

-- name: delete_instance_timers
DELETE FROM bpmn_timer WHERE instance_id = :instance_id;

-- name: delete_instance_jobs
DELETE FROM bpmn_job WHERE instance_id = :instance_id;

-- name: delete_instance_subscriptions
DELETE FROM bpmn_subscription WHERE instance_id = :instance_id;

-- name: set_instance_status
UPDATE bpmn_instance SET status = :status, revision = revision + 1, updated_at = :now
WHERE id = :id;
