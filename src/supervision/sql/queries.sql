-- name: select_rule_set
SELECT yaml FROM supervision_rule_set WHERE region_code = :region;

-- name: select_rule_sets
SELECT region_code, yaml FROM supervision_rule_set ORDER BY region_code;

-- name: upsert_rule_set
INSERT INTO supervision_rule_set (region_code, yaml, updated_by, updated_at)
VALUES (:region, :yaml, :updated_by, :updated_at)
ON CONFLICT (region_code) DO UPDATE SET yaml = excluded.yaml, updated_by = excluded.updated_by,
  updated_at = excluded.updated_at;

-- name: insert_rule_set_if_missing
INSERT INTO supervision_rule_set (region_code, yaml, updated_by, updated_at)
VALUES (:region, :yaml, 'builtin', :updated_at)
ON CONFLICT (region_code) DO NOTHING;

-- name: select_card
SELECT id, case_id, case_number, step, step_name, trigger_name, level, reason, region_code,
  department_code, person, issued_on, issued_at, state, answer, answered_by, handed_over_by
FROM supervision_card WHERE id = :id;

-- name: select_card_events
SELECT seq, at, actor, action, note FROM supervision_card_event WHERE card_id = :id ORDER BY seq;

-- name: insert_card_event
INSERT INTO supervision_card_event (card_id, seq, at, actor, action, note)
SELECT :id, COALESCE(MAX(seq), 0) + 1, :at, :actor, :action, :note
FROM supervision_card_event WHERE card_id = :id2;

-- name: answer_card
UPDATE supervision_card SET state = 'answered', answer = :answer, answered_by = :by,
  answered_at = :at
WHERE id = :id AND state = 'open';

-- name: hand_over_card
UPDATE supervision_card SET state = 'handed_over', handed_over_by = :by, handed_over_at = :at
WHERE id = :id AND state <> 'handed_over';

-- name: insert_clue
INSERT INTO supervision_clue (card_id, case_id, bundle, digest, note, handed_over_by,
  handed_over_at)
VALUES (:id, :case_id, :bundle, :digest, :note, :by, :at);

-- name: select_clue
SELECT bundle, digest FROM supervision_clue WHERE card_id = :id;

-- name: select_case_documents
SELECT id, kind, issued_on, department_code, content, key_id, signature, seal_proof
FROM case_document
WHERE case_id = :case_id ORDER BY id;

-- name: select_case_trace
SELECT seq, time, actor, action, payload, hash FROM trace_event WHERE stream = :stream
ORDER BY seq;

-- name: insert_sweep
INSERT INTO supervision_sweep (id, as_of, region_code, started_at, finished_at, open_cases,
  warnings, yellow, red, issued)
VALUES (:id, :as_of, :region, :started_at, :finished_at, :open_cases, :warnings, :yellow, :red,
  :issued);

-- name: queue_warning_notices
INSERT INTO case_notice (id, case_id, case_number, account_id, applicant_code, kind, text,
  created_at, sms_state, read_at)
SELECT 'supervision-' || CAST(k.id AS TEXT), k.case_id, k.case_number, k.person, '',
  'supervision_warning', '电子监察预警：办件 ' || k.case_number || ' ' || k.reason,
  CAST(:now AS BIGINT), 'pending', 0
FROM supervision_card k
WHERE k.id > :after AND k.level = 'warning' AND k.subject_kind = 'case' AND k.person <> ''
  AND k.case_id <> ''
ON CONFLICT (id) DO NOTHING;

-- name: queue_subject_notices
INSERT INTO supervision_notice (id, card_id, subject_kind, subject_id, subject_number,
  account_id, role, level, text, created_at, sms_state, read_at)
SELECT 'card-' || CAST(k.id AS TEXT) || '-' || r.account_id, k.id, k.subject_kind, k.case_id,
  k.case_number, r.account_id, r.role, k.level,
  CASE k.level WHEN 'warning' THEN '电子监察预警' WHEN 'yellow' THEN '电子监察黄牌'
    ELSE '电子监察红牌' END || '：项目 ' || k.case_number || ' ' || k.reason,
  CAST(:now AS BIGINT), 'pending', 0
FROM supervision_card k JOIN supervision_card_recipient r ON r.dedupe_key = k.dedupe_key
WHERE k.id > :after AND k.subject_kind <> 'case'
ON CONFLICT (id) DO NOTHING;

-- The cards a sweep's trace event records (ids after … last), as issued: the columns an answer or
-- a hand-over never rewrites.
-- name: select_issued_cards
SELECT id, dedupe_key, case_id, level, reason, department_code, person, issued_on, issued_at
FROM supervision_card WHERE id > :after AND id <= :last ORDER BY id;

-- name: select_last_card
SELECT COALESCE(MAX(id), 0) FROM supervision_card;

-- name: lock_card_writers
SELECT 1;

-- name: lock_card_writers [postgresql]
SELECT pg_advisory_xact_lock(7315001);

-- name: select_sweep_mark
SELECT through FROM supervision_sweep_mark WHERE statement_key = :key;

-- name: upsert_sweep_mark
INSERT INTO supervision_sweep_mark (statement_key, through, updated_at)
VALUES (:key, :through, :updated_at)
ON CONFLICT (statement_key) DO UPDATE SET through = excluded.through,
  updated_at = excluded.updated_at;

-- name: delete_old_sweep_marks
DELETE FROM supervision_sweep_mark WHERE updated_at < :before AND statement_key <> 'notices';

-- name: select_rule_mark
SELECT today, warning_day, red_day, full_on, through FROM supervision_rule_mark WHERE rule_key = :key;

-- name: upsert_rule_mark
INSERT INTO supervision_rule_mark (rule_key, today, warning_day, red_day, full_on, through,
  updated_at)
VALUES (:key, :today, :warning_day, :red_day, :full_on, :through, :updated_at)
ON CONFLICT (rule_key) DO UPDATE SET today = excluded.today,
  warning_day = excluded.warning_day, red_day = excluded.red_day, full_on = excluded.full_on,
  through = excluded.through,
  updated_at = excluded.updated_at;

-- name: delete_old_rule_marks
DELETE FROM supervision_rule_mark WHERE updated_at < :before;
