-- Case views and search (search.cc). The staff search itself is composed from fixed fragments
-- in search.cc (one condition per filter given, every value bound), so that each access path is
-- a plain conjunction the planner answers from that path's index.

-- name: update_case_due
UPDATE case_record SET due_on = :due_on WHERE id = :id;

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
