-- Case views and search (search.cc). The staff search itself is composed from fixed fragments
-- in search.cc (one condition per filter given, every value bound), so that each access path is
-- a plain conjunction the planner answers from that path's index.

-- name: select_due_inputs
-- RecomputeDueDays: the clock's inputs of the cases under review in a region's subtree, a page
-- after the id :after (:everywhere = 1: every region).
SELECT c.id, c.matter_version, c.region_code, c.accepted_on, c.suspended_days, c.extension_days,
  c.due_on, COALESCE(r.joint, 0)
FROM case_record c LEFT JOIN case_review r ON r.case_id = c.id
WHERE c.state = 'under_review' AND c.id > :after
  AND (:everywhere = 1 OR (c.region_code >= :lo AND c.region_code < :hi))
ORDER BY c.id LIMIT :page;

-- name: move_case_due
-- Only while the case is as RecomputeDueDays read it: a step in between wrote its own due day.
UPDATE case_record SET due_on = :due_on, updated_at = :updated_at
WHERE id = :id AND state = 'under_review' AND due_on = :read_due_on;

-- name: own_cases
SELECT number, received_at, id FROM case_record
WHERE (applicant_code = :code OR submitted_by = :account OR agent_account = :account)
  AND (received_at < :after_at OR (received_at = :after_at AND id < :after_id))
ORDER BY received_at DESC, id DESC
LIMIT :limit;

-- name: select_sequence_last
SELECT last FROM case_sequence WHERE region_code = :region AND day = :day;

-- name: raise_sequence
INSERT INTO case_sequence (region_code, day, last) VALUES (:region, :day, :last)
ON CONFLICT (region_code, day) DO UPDATE SET last = excluded.last
WHERE case_sequence.last < excluded.last;
