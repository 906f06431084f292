-- The durable workflow runtime. Times are microseconds since the epoch (UTC). An instance row
-- holds the whole engine state; every other table is derived from it in the same transaction
-- (tasks, timers, jobs, subscriptions) or appended by it (history, incidents).

-- One row per deployed file; the same bytes deploy once (checksum).
CREATE TABLE bpmn_deployment (
  id TEXT PRIMARY KEY,
  checksum TEXT NOT NULL UNIQUE,
  xml TEXT NOT NULL,
  deployed_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- Each process id of a deployment gets the next version of that id.
CREATE TABLE bpmn_process_version (
  process_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  deployment_id TEXT NOT NULL REFERENCES bpmn_deployment (id),
  PRIMARY KEY (process_id, version)
);

CREATE TABLE bpmn_instance (
  id TEXT PRIMARY KEY,
  process_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,                  -- running | completed | incident | cancelled
  state TEXT NOT NULL,                   -- EncodeState
  revision BIGINT NOT NULL,              -- +1 per step: the compare-and-set guard
  history_seq BIGINT NOT NULL DEFAULT 0, -- the last history event's sequence number
  parent_instance TEXT,                  -- a called instance: its caller
  parent_activity INTEGER,
  started_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX bpmn_instance_process ON bpmn_instance (process_id, version);

-- One row per user task, open or not (the inbox reads the open ones through the indexes).
CREATE TABLE bpmn_task (
  id TEXT PRIMARY KEY,                   -- instance id '/' activity id
  instance_id TEXT NOT NULL,
  activity INTEGER NOT NULL,
  element_id TEXT NOT NULL,
  name TEXT NOT NULL,
  process_id TEXT NOT NULL,
  assignee TEXT,
  candidate_groups TEXT NOT NULL,        -- comma-separated
  due_at BIGINT,
  headers TEXT NOT NULL,                 -- JSON object
  step TEXT NOT NULL,                    -- header tongban.step: acceptance | approval | ''
  state TEXT NOT NULL,                   -- open | claimed | completed | cancelled
  delegated_by TEXT,
  completed_by TEXT,
  created_at BIGINT NOT NULL,
  closed_at BIGINT
);
CREATE INDEX bpmn_task_assignee ON bpmn_task (assignee, state, created_at, id);
CREATE INDEX bpmn_task_instance ON bpmn_task (instance_id, step, state);

-- The group inbox: one row per (open task, candidate group), deleted when the task closes.
CREATE TABLE bpmn_task_candidate (
  group_name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  task_id TEXT NOT NULL,
  PRIMARY KEY (group_name, created_at, task_id)
);
CREATE INDEX bpmn_task_candidate_task ON bpmn_task_candidate (task_id);

CREATE TABLE bpmn_timer (
  id TEXT PRIMARY KEY,                   -- instance id '/' timer id
  instance_id TEXT NOT NULL,
  timer INTEGER NOT NULL,
  element_id TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX bpmn_timer_due ON bpmn_timer (due_at);
CREATE INDEX bpmn_timer_instance ON bpmn_timer (instance_id);

CREATE TABLE bpmn_job (
  id TEXT PRIMARY KEY,                   -- instance id '/' activity id
  instance_id TEXT NOT NULL,
  activity INTEGER NOT NULL,
  element_id TEXT NOT NULL,
  task_type TEXT NOT NULL,
  state TEXT NOT NULL,                   -- ready | incident
  attempts INTEGER NOT NULL DEFAULT 0,
  run_at BIGINT NOT NULL,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX bpmn_job_runnable ON bpmn_job (state, run_at);
CREATE INDEX bpmn_job_instance ON bpmn_job (instance_id);

-- Open message subscriptions of waiting instances.
CREATE TABLE bpmn_subscription (
  id TEXT PRIMARY KEY,                   -- instance id '/' activity id '/' element id
  instance_id TEXT NOT NULL,
  message_name TEXT NOT NULL,
  correlation_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX bpmn_subscription_message ON bpmn_subscription (message_name, correlation_key,
                                                             created_at);
CREATE INDEX bpmn_subscription_instance ON bpmn_subscription (instance_id);

-- Messages that arrived before their subscription, kept until expires_at.
CREATE TABLE bpmn_message (
  id TEXT PRIMARY KEY,
  message_name TEXT NOT NULL,
  correlation_key TEXT NOT NULL,
  variables TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX bpmn_message_key ON bpmn_message (message_name, correlation_key, created_at);

CREATE TABLE bpmn_incident (
  id TEXT PRIMARY KEY,
  instance_id TEXT NOT NULL,
  element_id TEXT NOT NULL,
  message TEXT NOT NULL,
  job_id TEXT NOT NULL,                  -- a failed job, or '' for a failed step
  retry_trigger TEXT NOT NULL,           -- a failed step: the trigger to run again (JSON)
  state TEXT NOT NULL,                   -- open | resolved
  created_at BIGINT NOT NULL,
  resolved_at BIGINT,
  resolved_by TEXT
);
CREATE INDEX bpmn_incident_open ON bpmn_incident (state, created_at);
CREATE INDEX bpmn_incident_instance ON bpmn_incident (instance_id);

CREATE TABLE bpmn_history (
  instance_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  element_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  happened_at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  PRIMARY KEY (instance_id, seq)
);
