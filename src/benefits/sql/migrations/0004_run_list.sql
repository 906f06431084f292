-- A policy's runs, newest first (GET /api/v1/policies/{name}/runs pages by id).
CREATE INDEX match_run_policy ON match_run (policy, id);
