-- The evaluation module's named queries. `__key__` in the statistics queries is replaced by one
-- fixed column name (department_code, matter_code, window_code, region_code), never by input.

-- name: select_case
SELECT id, number, state, region_code, department_code, matter_code, applicant_kind,
  applicant_code, submitted_by, agent_account, updated_at, window_code
FROM case_record WHERE number = :number;

-- name: insert_visit
INSERT INTO evaluation_visit (id, case_number, channel, window_code, terminal, region_code,
  department_code, matter_code, clerk_account, applicant_account, applicant_code, opened_at)
VALUES (:id, :case_number, :channel, :window_code, :terminal, :region, :department, :matter,
  :clerk, :applicant_account, :applicant_code, :opened_at);

-- name: select_visit
SELECT v.id, v.case_number, v.channel, v.window_code, v.terminal, v.region_code,
  v.department_code, v.matter_code, v.clerk_account, v.applicant_account, v.applicant_code,
  v.opened_at, COALESCE((SELECT e.id FROM evaluation e WHERE e.visit_id = v.id), '')
FROM evaluation_visit v WHERE v.id = :id;

-- name: insert_evaluation
INSERT INTO evaluation (id, source, case_number, visit_id, region_code, department_code,
  matter_code, window_code, level, tags, text, rater_account, rater_code, named, created_at,
  voided)
VALUES (:id, :source, :case_number, :visit_id, :region, :department, :matter, :window_code,
  :level, :tags, :text, :rater_account, :rater_code, :named, :created_at, 0);

-- name: select_online_evaluation
SELECT id, created_at FROM evaluation WHERE case_number = :number AND source = 'online';

-- name: select_visit_evaluation
SELECT id FROM evaluation WHERE visit_id = :visit_id;

-- name: void_evaluation
UPDATE evaluation SET voided = 1 WHERE id = :id;

-- name: list_evaluations
SELECT e.id, e.source, e.case_number, e.visit_id, e.region_code, e.department_code,
  e.matter_code, e.window_code, e.level, e.tags, e.text, e.rater_account, e.named, e.created_at,
  e.voided, COALESCE((SELECT r.id FROM rectification r WHERE r.evaluation_id = e.id), '')
FROM evaluation e
WHERE (:before = '' OR e.id < :before)
  AND e.region_code LIKE :region
  AND (:department = '' OR e.department_code = :department)
  AND (:level = '' OR e.level = :level)
  AND (:bad_only = 0 OR e.level IN ('dissatisfied', 'very_dissatisfied'))
ORDER BY e.id DESC LIMIT :limit;

-- name: insert_token
INSERT INTO evaluation_token (token_hash, visit_id, expires_at, used_at)
VALUES (:token_hash, :visit_id, :expires_at, 0);

-- name: use_token
UPDATE evaluation_token SET used_at = :now WHERE token_hash = :token_hash AND used_at = 0;

-- name: select_token
SELECT visit_id, expires_at, used_at FROM evaluation_token WHERE token_hash = :token_hash;

-- name: insert_notice
INSERT INTO case_notice (id, case_id, case_number, account_id, applicant_code, kind, text,
  created_at, sms_state, read_at)
VALUES (:id, :case_id, :case_number, :account_id, :applicant_code, :kind, :text, :created_at,
  'pending', 0);

-- name: select_invite_due
SELECT c.id, c.number, c.submitted_by, c.applicant_kind, c.applicant_code FROM case_record c
WHERE c.state IN ('concluded', 'refused', 'withdrawn')
  AND c.updated_at <= :cutoff AND c.updated_at > :oldest
  AND NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.case_number = c.number)
  AND NOT EXISTS (SELECT 1 FROM evaluation_invitation i WHERE i.case_number = c.number)
ORDER BY c.updated_at LIMIT 1000;

-- name: insert_invitation
INSERT INTO evaluation_invitation (case_number, sent_at) VALUES (:case_number, :sent_at)
ON CONFLICT (case_number) DO NOTHING;

-- name: insert_rectification
INSERT INTO rectification (id, evaluation_id, case_number, visit_id, region_code,
  department_code, matter_code, window_code, level, named, rater_account, rater_code, state,
  opened_at, due_on, callback_at, callback_outcome, callback_note, action_note, acted_by,
  acted_at, review_decision, review_note, reviewed_by, applicant_level, updated_at)
VALUES (:id, :evaluation_id, :case_number, :visit_id, :region, :department, :matter,
  :window_code, :level, :named, :rater_account, :rater_code, 'open', :opened_at, :due_on, 0, '',
  '', '', '', 0, '', '', '', '', :opened_at);

-- name: select_rectification
SELECT r.id, r.evaluation_id, r.case_number, r.visit_id, r.region_code, r.department_code,
  r.matter_code, r.window_code, r.level, r.named, r.rater_account, r.rater_code, r.state,
  r.opened_at, r.due_on, r.callback_at, r.callback_outcome, r.callback_note, r.action_note,
  r.acted_by, r.acted_at, r.review_decision, r.review_note, r.reviewed_by, r.applicant_level,
  e.tags, e.text
FROM rectification r JOIN evaluation e ON e.id = r.evaluation_id WHERE r.id = :id;

-- name: list_rectifications
SELECT r.id, r.evaluation_id, r.case_number, r.visit_id, r.region_code, r.department_code,
  r.matter_code, r.window_code, r.level, r.named, r.rater_account, r.rater_code, r.state,
  r.opened_at, r.due_on, r.callback_at, r.callback_outcome, r.callback_note, r.action_note,
  r.acted_by, r.acted_at, r.review_decision, r.review_note, r.reviewed_by, r.applicant_level,
  e.tags, e.text
FROM rectification r JOIN evaluation e ON e.id = r.evaluation_id
WHERE r.region_code LIKE :region
  AND (:department = '' OR r.department_code = :department)
  AND (:state = '' OR r.state = :state)
  AND (:overdue_before = '' OR (r.state IN ('open', 'appealed') AND r.due_on < :overdue_before))
ORDER BY r.due_on, r.id LIMIT :limit;

-- name: update_rectification
UPDATE rectification SET state = :state, callback_at = :callback_at,
  callback_outcome = :callback_outcome, callback_note = :callback_note,
  action_note = :action_note, acted_by = :acted_by, acted_at = :acted_at,
  review_decision = :review_decision, review_note = :review_note, reviewed_by = :reviewed_by,
  applicant_level = :applicant_level, updated_at = :updated_at
WHERE id = :id AND state = :old_state;

-- name: statistics_ratings
SELECT __key__, level, COUNT(*) FROM evaluation
WHERE voided = 0 AND created_at >= :from AND created_at < :to AND region_code LIKE :region
GROUP BY __key__, level;

-- name: statistics_rectifications
SELECT __key__, COUNT(*),
  CAST(SUM(CASE WHEN state IN ('rectified', 'explained') THEN 1 ELSE 0 END) AS BIGINT),
  CAST(SUM(named) AS BIGINT),
  CAST(SUM(CASE WHEN named = 1 AND callback_at > 0 THEN 1 ELSE 0 END) AS BIGINT)
FROM rectification
WHERE state <> 'voided' AND opened_at >= :from AND opened_at < :to AND region_code LIKE :region
GROUP BY __key__;

-- name: statistics_unrated
SELECT c.__key__, COUNT(*) FROM case_record c
WHERE c.state IN ('concluded', 'refused', 'withdrawn')
  AND c.updated_at >= :from AND c.updated_at < :to AND c.region_code LIKE :region
  AND NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.case_number = c.number AND e.voided = 0)
GROUP BY c.__key__;

-- name: statistics_unrated_visits
SELECT v.window_code, COUNT(*) FROM evaluation_visit v
WHERE v.opened_at >= :from AND v.opened_at < :to AND v.region_code LIKE :region
  AND NOT EXISTS (SELECT 1 FROM evaluation e WHERE e.visit_id = v.id AND e.voided = 0)
GROUP BY v.window_code;

-- name: add_stat
INSERT INTO evaluation_stat (day, region_code, department_code, matter_code, window_code, level,
  rated, rectifications, rectified, named_bad, called_back)
VALUES (:day, :region, :department, :matter, :window_code, :level, :rated, :rectifications,
  :rectified, :named_bad, :called_back)
ON CONFLICT (day, region_code, department_code, matter_code, window_code, level) DO UPDATE SET
  rated = evaluation_stat.rated + excluded.rated,
  rectifications = evaluation_stat.rectifications + excluded.rectifications,
  rectified = evaluation_stat.rectified + excluded.rectified,
  named_bad = evaluation_stat.named_bad + excluded.named_bad,
  called_back = evaluation_stat.called_back + excluded.called_back;

-- name: add_stat_month
INSERT INTO evaluation_stat_month (month, region_code, department_code, window_code, level, rated,
  rectifications, rectified, named_bad, called_back)
VALUES (:month, :region, :department, :window_code, :level, :rated, :rectifications, :rectified,
  :named_bad, :called_back)
ON CONFLICT (month, region_code, department_code, window_code, level) DO UPDATE SET
  rated = evaluation_stat_month.rated + excluded.rated,
  rectifications = evaluation_stat_month.rectifications + excluded.rectifications,
  rectified = evaluation_stat_month.rectified + excluded.rectified,
  named_bad = evaluation_stat_month.named_bad + excluded.named_bad,
  called_back = evaluation_stat_month.called_back + excluded.called_back;

-- name: statistics_aggregates
SELECT __key__, level, CAST(SUM(rated) AS BIGINT), CAST(SUM(rectifications) AS BIGINT),
  CAST(SUM(rectified) AS BIGINT), CAST(SUM(named_bad) AS BIGINT),
  CAST(SUM(called_back) AS BIGINT)
FROM evaluation_stat
WHERE day >= :from_day AND day <= :to_day AND region_code LIKE :region
GROUP BY __key__, level;

-- name: statistics_aggregates_months
SELECT __key__, level, CAST(SUM(rated) AS BIGINT), CAST(SUM(rectifications) AS BIGINT),
  CAST(SUM(rectified) AS BIGINT), CAST(SUM(named_bad) AS BIGINT),
  CAST(SUM(called_back) AS BIGINT)
FROM evaluation_stat_month
WHERE month >= :from_month AND month <= :to_month AND region_code LIKE :region
GROUP BY __key__, level;

-- name: clear_stats
DELETE FROM evaluation_stat;

-- name: clear_stat_months
DELETE FROM evaluation_stat_month;

-- The rebuild, set-based: the day rows grouped from the ratings and their rectification items
-- (what Contribution() adds per rating; a rating voided with its item voided adds nothing),
-- then the month rows from the day rows. `__day__` is replaced by the dialect's expression of the
-- rating's day in China time (UTC+8) from created_at.
-- name: rebuild_stat_days
INSERT INTO evaluation_stat (day, region_code, department_code, matter_code, window_code, level,
  rated, rectifications, rectified, named_bad, called_back)
SELECT __day__, e.region_code, e.department_code, e.matter_code, e.window_code, e.level,
  CAST(SUM(CASE WHEN e.voided = 0 THEN 1 ELSE 0 END) AS BIGINT),
  CAST(SUM(CASE WHEN r.state <> 'voided' THEN 1 ELSE 0 END) AS BIGINT),
  CAST(SUM(CASE WHEN r.state IN ('rectified', 'explained') THEN 1 ELSE 0 END) AS BIGINT),
  CAST(SUM(CASE WHEN r.state <> 'voided' AND r.named <> 0 THEN 1 ELSE 0 END) AS BIGINT),
  CAST(SUM(CASE WHEN r.state <> 'voided' AND r.named <> 0 AND r.callback_at > 0 THEN 1 ELSE 0
    END) AS BIGINT)
FROM evaluation e LEFT JOIN rectification r ON r.evaluation_id = e.id
GROUP BY 1, 2, 3, 4, 5, 6
HAVING SUM(CASE WHEN e.voided = 0 THEN 1 ELSE 0 END) > 0
  OR SUM(CASE WHEN r.state <> 'voided' THEN 1 ELSE 0 END) > 0;

-- name: rebuild_stat_months
INSERT INTO evaluation_stat_month (month, region_code, department_code, window_code, level, rated,
  rectifications, rectified, named_bad, called_back)
SELECT substr(day, 1, 7), region_code, department_code, window_code, level,
  CAST(SUM(rated) AS BIGINT), CAST(SUM(rectifications) AS BIGINT), CAST(SUM(rectified) AS BIGINT),
  CAST(SUM(named_bad) AS BIGINT), CAST(SUM(called_back) AS BIGINT)
FROM evaluation_stat
GROUP BY substr(day, 1, 7), region_code, department_code, window_code, level;

-- name: count_stat_sources
SELECT COUNT(*) FROM evaluation;
