-- Case views and search: one index per access path, each ending in (received_at, id) so that a
-- listing newest first is read from the index in order and keyset-paged by (received_at, id).

-- The last day of the promised limit while the clock runs ('' otherwise): the overdue search.
ALTER TABLE case_record ADD COLUMN due_on TEXT NOT NULL DEFAULT '';

CREATE INDEX case_record_received ON case_record (received_at, id);
CREATE INDEX case_record_matter ON case_record (matter_code, received_at, id);
CREATE INDEX case_record_department ON case_record (department_code, received_at, id);
CREATE INDEX case_record_state ON case_record (state, received_at, id);
CREATE INDEX case_record_due ON case_record (state, due_on, id);
CREATE INDEX case_record_applicant_time ON case_record (applicant_code, received_at, id);
CREATE INDEX case_record_submitter ON case_record (submitted_by, received_at, id);
CREATE INDEX case_record_agent ON case_record (agent_account, received_at, id);
