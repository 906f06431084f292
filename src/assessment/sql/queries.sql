-- Inputs of the staff assessment (绩效考核), one query per source, each grouped by department
-- and person so that one pass serves both the department and the person report. Periods are
-- days (:from, :to inclusive, 'YYYY-MM-DD') or milliseconds [:from_ms, :to_ms); regions a
-- subtree range [:lo, :hi); :department is '' for every department.

-- name: card_inputs
SELECT department_code, person, MIN(region_code),
  SUM(CASE WHEN level = 'warning' THEN 1 ELSE 0 END),
  SUM(CASE WHEN level = 'yellow' THEN 1 ELSE 0 END),
  SUM(CASE WHEN level = 'red' THEN 1 ELSE 0 END),
  SUM(CASE WHEN level <> 'warning' AND state = 'answered' THEN 1 ELSE 0 END)
FROM supervision_card
WHERE issued_on >= :from AND issued_on <= :to AND region_code >= :lo AND region_code < :hi
  AND (:department = '' OR department_code = :department2)
GROUP BY department_code, person;

-- The person rated is the clerk of the visit (一次一评), else whoever accepted the case, else its
-- clerk (一事一评). Voided ratings (an appeal upheld) do not count.
-- name: rating_inputs
SELECT e.department_code,
  COALESCE(NULLIF(v.clerk_account, ''),
    CASE WHEN c.accepted_by <> '' THEN c.accepted_by ELSE c.clerk_account END, ''),
  MIN(e.region_code),
  COUNT(*),
  SUM(CASE WHEN e.level IN ('very_satisfied', 'satisfied', 'basically_satisfied') THEN 1 ELSE 0
    END),
  SUM(CASE WHEN e.level IN ('dissatisfied', 'very_dissatisfied') THEN 1 ELSE 0 END)
FROM evaluation e
LEFT JOIN evaluation_visit v ON v.id = e.visit_id AND e.visit_id <> ''
LEFT JOIN case_record c ON c.number = e.case_number AND e.case_number <> ''
WHERE e.voided = 0 AND e.created_at >= :from_ms AND e.created_at < :to_ms
  AND e.region_code >= :lo AND e.region_code < :hi
  AND (:department = '' OR e.department_code = :department2)
GROUP BY 1, 2;

-- Rectifications opened in the period and, of them, those closed (rectified, explained, or
-- voided on appeal) and those still open past their due day.
-- name: rectification_inputs
SELECT r.department_code,
  COALESCE(NULLIF(v.clerk_account, ''),
    CASE WHEN c.accepted_by <> '' THEN c.accepted_by ELSE c.clerk_account END, ''),
  MIN(r.region_code),
  COUNT(*),
  SUM(CASE WHEN r.state IN ('rectified', 'explained', 'voided') THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.state NOT IN ('rectified', 'explained', 'voided') AND r.due_on < :today
    THEN 1 ELSE 0 END)
FROM rectification r
LEFT JOIN evaluation_visit v ON v.id = r.visit_id AND r.visit_id <> ''
LEFT JOIN case_record c ON c.number = r.case_number AND r.case_number <> ''
WHERE r.opened_at >= :from_ms AND r.opened_at < :to_ms
  AND r.region_code >= :lo AND r.region_code < :hi
  AND (:department = '' OR r.department_code = :department2)
GROUP BY 1, 2;

-- Work orders closed in the period; the person is who signed for it (else its assignee).
-- name: demand_inputs
SELECT w.department,
  CASE WHEN w.signed_by <> '' THEN w.signed_by ELSE w.assignee END,
  MIN(d.region),
  COUNT(*),
  SUM(CASE WHEN w.closed_at <= w.due THEN 1 ELSE 0 END),
  SUM(CASE WHEN w.callback = 'satisfied' THEN 1 ELSE 0 END),
  SUM(CASE WHEN w.callback = 'unsatisfied' THEN 1 ELSE 0 END)
FROM work_order w JOIN demand d ON d.id = w.demand_id
WHERE w.state = 'closed' AND w.closed_at >= :from_ms AND w.closed_at < :to_ms
  AND d.region >= :lo AND d.region < :hi
  AND (:department = '' OR w.department = :department2)
GROUP BY 1, 2;
