-- Read-only queries over the runtime's tables for listings (see bpmn/inspect.h). Times are µs
-- since the epoch.

-- name: list_process_versions
SELECT v.process_id, v.version, d.id, d.deployed_by, d.created_at
FROM bpmn_process_version v JOIN bpmn_deployment d ON d.id = v.deployment_id
ORDER BY v.process_id, v.version;

-- name: list_instances
SELECT id, process_id, version, status, started_by, created_at, updated_at, region, department
FROM bpmn_instance
WHERE (:process_any = 1 OR process_id = :process_id)
  AND (:status_any = 1 OR status = :status)
  AND (created_at > :after_created OR (created_at = :after_created2 AND id > :after_id))
ORDER BY created_at, id
LIMIT :limit;

-- name: instance_open_tasks
SELECT id, element_id FROM bpmn_task
WHERE instance_id = :instance_id AND state IN ('open', 'claimed') ORDER BY created_at, id;

-- name: instance_timers
SELECT id, element_id, due_at FROM bpmn_timer WHERE instance_id = :instance_id
ORDER BY due_at, id;

-- name: instance_jobs
SELECT id, element_id, task_type, state FROM bpmn_job WHERE instance_id = :instance_id
ORDER BY id;

-- name: instance_subscriptions
SELECT id, message_name, correlation_key FROM bpmn_subscription
WHERE instance_id = :instance_id ORDER BY created_at, id;

-- name: process_version_xml
SELECT d.xml FROM bpmn_process_version v JOIN bpmn_deployment d ON d.id = v.deployment_id
WHERE v.process_id = :process_id AND (:version_any = 1 OR v.version = :version)
ORDER BY v.version DESC LIMIT 1;
