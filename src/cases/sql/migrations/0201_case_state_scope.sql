-- The state-based listings (a state, the approver's inbox, overdue) walk one index newest first
-- and check the caller's grant (region, department) and the overdue day on the index entry
-- itself, so a row is read from the table only when it is listed. The grant's region is
-- written as substr(region_code, 1, n) = prefix in search.cc, which no index can drive: SQLite
-- then never answers a state from case_record_queue (state, region_code, …) and sorts.
DROP INDEX case_record_state;
CREATE INDEX case_record_state_scope
  ON case_record (state, received_at, id, region_code, department_code, due_on);
