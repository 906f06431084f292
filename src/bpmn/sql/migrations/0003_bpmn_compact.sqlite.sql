-- The tables written by every step, rebuilt WITHOUT ROWID: their rows are small and looked up
-- by their primary key, so SQLite keeps one B-tree per table instead of a rowid table plus a
-- separate index for the key. A step then dirties (and writes to the WAL) fewer pages.
CREATE TABLE bpmn_task_candidate_new (
  group_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  task_id TEXT NOT NULL,
  PRIMARY KEY (group_name, created_at, task_id)
) WITHOUT ROWID;
INSERT INTO bpmn_task_candidate_new SELECT group_name, created_at, task_id
FROM bpmn_task_candidate;
DROP TABLE bpmn_task_candidate;
ALTER TABLE bpmn_task_candidate_new RENAME TO bpmn_task_candidate;
CREATE INDEX bpmn_task_candidate_task ON bpmn_task_candidate (task_id);

CREATE TABLE bpmn_history_new (
  instance_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  element_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  happened_at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  request_id TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (instance_id, seq)
) WITHOUT ROWID;
INSERT INTO bpmn_history_new
SELECT instance_id, seq, element_id, kind, happened_at, actor, request_id FROM bpmn_history;
DROP TABLE bpmn_history;
ALTER TABLE bpmn_history_new RENAME TO bpmn_history;

CREATE TABLE bpmn_job_new (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  activity INTEGER NOT NULL,
  element_id TEXT NOT NULL,
  task_type TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  run_at BIGINT NOT NULL,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
INSERT INTO bpmn_job_new
SELECT id, instance_id, activity, element_id, task_type, state, attempts, run_at, lease_owner,
       lease_until, last_error
FROM bpmn_job;
DROP TABLE bpmn_job;
ALTER TABLE bpmn_job_new RENAME TO bpmn_job;
CREATE INDEX bpmn_job_runnable ON bpmn_job (state, run_at);
CREATE INDEX bpmn_job_instance ON bpmn_job (instance_id);

CREATE TABLE bpmn_timer_new (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  timer INTEGER NOT NULL,
  element_id TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0
) WITHOUT ROWID;
INSERT INTO bpmn_timer_new
SELECT id, instance_id, timer, element_id, due_at, lease_owner, lease_until FROM bpmn_timer;
DROP TABLE bpmn_timer;
ALTER TABLE bpmn_timer_new RENAME TO bpmn_timer;
CREATE INDEX bpmn_timer_due ON bpmn_timer (due_at);
CREATE INDEX bpmn_timer_instance ON bpmn_timer (instance_id);

CREATE TABLE bpmn_subscription_new (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  message_name TEXT NOT NULL,
  correlation_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
) WITHOUT ROWID;
INSERT INTO bpmn_subscription_new
SELECT id, instance_id, message_name, correlation_key, created_at FROM bpmn_subscription;
DROP TABLE bpmn_subscription;
ALTER TABLE bpmn_subscription_new RENAME TO bpmn_subscription;
CREATE INDEX bpmn_subscription_message ON bpmn_subscription (message_name, correlation_key,
                                                             created_at);
CREATE INDEX bpmn_subscription_instance ON bpmn_subscription (instance_id);
