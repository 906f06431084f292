-- An instance's region and department, set when it starts (e.g. from its case): the listings of
-- instances, tasks and incidents show a caller only those within its grants. Its tasks carry
-- the instance's region so that an inbox is filtered without a join.
ALTER TABLE bpmn_instance ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE bpmn_instance ADD COLUMN department TEXT NOT NULL DEFAULT '';
CREATE INDEX bpmn_instance_region ON bpmn_instance (region, created_at);
ALTER TABLE bpmn_task ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE bpmn_task ADD COLUMN department TEXT NOT NULL DEFAULT '';

-- The HTTP request that caused a step, when there was one (X-Request-Id).
ALTER TABLE bpmn_history ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
