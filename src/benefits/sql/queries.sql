-- Named queries of the benefits module (see store/queries.h).

-- name: insert_policy
INSERT INTO benefit_policy (name, version, kind, title, region, valid_from, valid_to, source,
  published_at, published_by)
VALUES (:name, :version, :kind, :title, :region, :valid_from, :valid_to, :source, :published_at,
  :published_by);

-- name: newest_policy_version
SELECT COALESCE(MAX(version), 0) FROM benefit_policy WHERE name = :name;

-- name: policy_source
SELECT source FROM benefit_policy WHERE name = :name AND version = :version;

-- name: policy_sources
SELECT source FROM benefit_policy WHERE name = :name ORDER BY version DESC;

-- name: newest_policies
SELECT p.source FROM benefit_policy p
WHERE p.version = (SELECT MAX(q.version) FROM benefit_policy q WHERE q.name = p.name)
ORDER BY p.name;

-- name: insert_grant
INSERT INTO benefit_grant (policy, person_id, start_date, end_date, amount_fen, region, source,
  run_id, created_at, created_by)
VALUES (:policy, :person_id, :start_date, :end_date, :amount_fen, :region, :source, :run_id,
  :created_at, :created_by)
ON CONFLICT (policy, person_id, start_date) DO NOTHING;

-- name: receiving
SELECT DISTINCT person_id FROM benefit_grant
WHERE policy = :policy AND start_date <= :day AND (end_date = '' OR end_date >= :day);

-- name: payment_roll
SELECT person_id, region, amount_fen FROM benefit_grant
WHERE policy = :policy AND start_date <= :last AND (end_date = '' OR end_date >= :first)
ORDER BY person_id, start_date;

-- name: person_region
SELECT household_region FROM person WHERE id = :id;

-- name: insert_run
INSERT INTO match_run (id, policy, version, region, reference_date, as_of, created_by,
  group_digits, screened, eligible, eligible_not_receiving, no_longer_eligible)
VALUES (:id, :policy, :version, :region, :reference_date, :as_of, :created_by, :group_digits,
  :screened, :eligible, :eligible_not_receiving, :no_longer_eligible);

-- name: get_run
SELECT policy, version, region, reference_date, as_of, created_by, group_digits, screened,
  eligible, eligible_not_receiving, no_longer_eligible
FROM match_run WHERE id = :id;

-- name: insert_run_region
INSERT INTO match_region (run_id, region, screened, eligible, eligible_not_receiving,
  no_longer_eligible)
VALUES (:run_id, :region, :screened, :eligible, :eligible_not_receiving, :no_longer_eligible);

-- name: run_regions
SELECT region, screened, eligible, eligible_not_receiving, no_longer_eligible
FROM match_region WHERE run_id = :run_id ORDER BY region;

-- name: insert_result
INSERT INTO match_result (run_id, person_id, region, kind, amount_fen, explanation)
VALUES (:run_id, :person_id, :region, :kind, :amount_fen, :explanation);

-- name: run_results
SELECT person_id, region, kind, amount_fen, explanation FROM match_result
WHERE run_id = :run_id AND person_id > :after AND (:kind = '' OR kind = :kind)
ORDER BY person_id LIMIT :limit;

-- name: get_result
SELECT region, kind, amount_fen FROM match_result WHERE run_id = :run_id AND person_id = :person_id;

-- name: unnotified
SELECT r.person_id, r.region FROM match_result r
WHERE r.run_id = :run_id AND r.kind = 'eligible_not_receiving'
  AND NOT EXISTS (SELECT 1 FROM benefit_notice n WHERE n.run_id = r.run_id
                  AND n.person_id = r.person_id)
ORDER BY r.person_id LIMIT :limit;

-- name: count_unnotified
SELECT COUNT(*) FROM match_result r
WHERE r.run_id = :run_id AND r.kind = 'eligible_not_receiving'
  AND NOT EXISTS (SELECT 1 FROM benefit_notice n WHERE n.run_id = r.run_id
                  AND n.person_id = r.person_id);

-- name: insert_notice
INSERT INTO benefit_notice (run_id, person_id, channel, status, assigned_region, due_date, outcome,
  created_at, send_at_ms)
VALUES (:run_id, :person_id, :channel, :status, :assigned_region, :due_date, '', :created_at,
  :send_at_ms)
ON CONFLICT (run_id, person_id) DO NOTHING;

-- name: notices
SELECT n.person_id, n.channel, n.status, n.assigned_region, n.due_date, n.outcome, n.created_at,
  n.send_at_ms, COALESCE(c.decision, '')
FROM benefit_notice n
LEFT JOIN benefit_consent c ON c.run_id = n.run_id AND c.person_id = n.person_id
WHERE n.run_id = :run_id ORDER BY n.person_id;

-- name: notice_of
SELECT created_at FROM benefit_notice WHERE run_id = :run_id AND person_id = :person_id;

-- name: notices_of_person
SELECT n.run_id, r.policy, r.version, m.amount_fen, n.channel, n.created_at,
  COALESCE(c.decision, '')
FROM benefit_notice n
JOIN match_run r ON r.id = n.run_id
JOIN match_result m ON m.run_id = n.run_id AND m.person_id = n.person_id
LEFT JOIN benefit_consent c ON c.run_id = n.run_id AND c.person_id = n.person_id
WHERE n.person_id = :person_id
ORDER BY n.created_at DESC, n.run_id;

-- name: insert_consent
INSERT INTO benefit_consent (run_id, person_id, decision, recorded_by, by_staff, evidence,
  recorded_at)
VALUES (:run_id, :person_id, :decision, :recorded_by, :by_staff, :evidence, :recorded_at)
ON CONFLICT (run_id, person_id) DO NOTHING;

-- name: withdraw_consent
DELETE FROM benefit_consent
WHERE run_id = :run_id AND person_id = :person_id AND recorded_at = :recorded_at;

-- name: undecided_notified
SELECT n.person_id, n.created_at, r.region, r.amount_fen FROM benefit_notice n
JOIN match_result r ON r.run_id = n.run_id AND r.person_id = n.person_id
WHERE n.run_id = :run_id
  AND NOT EXISTS (SELECT 1 FROM benefit_consent c WHERE c.run_id = n.run_id
                  AND c.person_id = n.person_id)
ORDER BY n.person_id;

-- name: funnel_lists
SELECT r.region,
  SUM(CASE WHEN n.person_id IS NULL THEN 0 ELSE 1 END),
  SUM(CASE WHEN c.decision IN ('accepted', 'no_objection') THEN 1 ELSE 0 END),
  SUM(CASE WHEN g.person_id IS NULL THEN 0 ELSE 1 END),
  SUM(CASE WHEN n.read_at IS NULL OR n.read_at = '' THEN 0 ELSE 1 END)
FROM match_result r
LEFT JOIN benefit_notice n ON n.run_id = r.run_id AND n.person_id = r.person_id
LEFT JOIN benefit_consent c ON c.run_id = r.run_id AND c.person_id = r.person_id
LEFT JOIN (SELECT DISTINCT run_id, person_id FROM benefit_grant) g
  ON g.run_id = r.run_id AND g.person_id = r.person_id
WHERE r.run_id = :run_id AND r.kind = 'eligible_not_receiving'
GROUP BY r.region ORDER BY r.region;

-- name: update_notice_status
UPDATE benefit_notice SET status = :status WHERE run_id = :run_id AND person_id = :person_id;

-- name: person_by_id_number_index
SELECT id FROM person WHERE id_number_index = :idx;

-- name: latest_run_reference
SELECT COALESCE(MAX(reference_date), '') FROM match_run WHERE policy = :policy;

-- name: insert_review
INSERT INTO benefit_review (run_id, person_id, decision, reviewer, note, end_date, reviewed_at)
VALUES (:run_id, :person_id, :decision, :reviewer, :note, :end_date, :reviewed_at)
ON CONFLICT (run_id, person_id) DO NOTHING;

-- name: reviews
SELECT person_id, decision, reviewer, note, end_date, reviewed_at FROM benefit_review
WHERE run_id = :run_id ORDER BY person_id;

-- name: end_grants
UPDATE benefit_grant SET end_date = :end_date
WHERE policy = :policy AND person_id = :person_id AND start_date <= :end_date
  AND (end_date = '' OR end_date > :end_date);

-- name: insert_grant_case
INSERT INTO benefit_grant_case (case_number, policy, version, run_id, person_id, region,
  amount_fen, start_date, decision, created_at)
VALUES (:case_number, :policy, :version, :run_id, :person_id, :region, :amount_fen, :start_date,
  '', :created_at)
ON CONFLICT (case_number) DO NOTHING;

-- name: grant_case
SELECT policy, run_id, person_id, region, amount_fen, start_date, decision
FROM benefit_grant_case WHERE case_number = :case_number;

-- name: grant_case_of
SELECT case_number FROM benefit_grant_case WHERE run_id = :run_id AND person_id = :person_id;

-- name: set_grant_case_decision
UPDATE benefit_grant_case SET decision = :decision WHERE case_number = :case_number;

-- name: run_group_digits
SELECT group_digits FROM match_run WHERE id = :id;

-- name: receiving_as_of
SELECT DISTINCT g.person_id FROM benefit_grant g
WHERE g.policy = :policy AND g.created_at <= :as_of AND g.start_date <= :day
  AND (g.end_date = '' OR g.end_date >= :day2);

-- name: stopped_after
SELECT DISTINCT r.person_id FROM benefit_review r JOIN match_run m ON m.id = r.run_id
WHERE m.policy = :policy AND r.decision = 'stop' AND r.reviewed_at > :as_of;

-- name: grant_started_before
SELECT MIN(start_date) FROM benefit_grant
WHERE policy = :policy AND person_id = :person_id AND created_at <= :as_of AND start_date <= :day
HAVING COUNT(*) > 0;

-- name: mark_notice_read
UPDATE benefit_notice SET read_at = :read_at
WHERE run_id = :run_id AND person_id = :person_id AND read_at = '';

-- name: notice_exists
SELECT channel FROM benefit_notice WHERE run_id = :run_id AND person_id = :person_id;

-- name: policy_runs
SELECT id, version, region, reference_date, as_of, created_by, screened, eligible,
  eligible_not_receiving, no_longer_eligible
FROM match_run WHERE policy = :policy AND (:before = '' OR id < :before2)
ORDER BY id DESC LIMIT :limit;

-- name: channel_last_send
SELECT COALESCE(MAX(send_at_ms), 0) FROM benefit_notice WHERE channel = :channel;

-- name: channel_sends_between
SELECT COUNT(*) FROM benefit_notice
WHERE channel = :channel AND send_at_ms >= :from_ms AND send_at_ms < :to_ms;

-- name: due_notices
SELECT run_id, person_id, channel FROM benefit_notice
WHERE status = 'scheduled' AND send_at_ms <= :now_ms
ORDER BY send_at_ms, run_id, person_id LIMIT :limit;

-- name: send_slot_ensure
INSERT INTO benefit_send_slot (channel, window_start_ms, window_ms, used)
VALUES (:channel, :window_start_ms, :window_ms, :used)
ON CONFLICT (channel) DO NOTHING;

-- name: send_slot_lock
SELECT window_start_ms, window_ms, used FROM benefit_send_slot WHERE channel = :channel;

-- name: send_slot_lock [postgresql]
SELECT window_start_ms, window_ms, used FROM benefit_send_slot WHERE channel = :channel
FOR UPDATE;

-- name: send_slot_set
UPDATE benefit_send_slot SET window_start_ms = :window_start_ms, window_ms = :window_ms,
  used = :used
WHERE channel = :channel;
