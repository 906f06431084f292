-- name: list_calendar_years
SELECT region, year, schedule, version, updated_at, updated_by FROM calendar_year
ORDER BY region, year;

-- name: find_calendar_year
SELECT schedule, version, updated_at, updated_by FROM calendar_year
WHERE region = :region AND year = :year;

-- name: insert_calendar_year
INSERT INTO calendar_year (region, year, schedule, version, updated_at, updated_by)
VALUES (:region, :year, :schedule, 1, :updated_at, :updated_by);

-- name: update_calendar_year
UPDATE calendar_year SET schedule = :schedule, version = version + 1,
  updated_at = :updated_at, updated_by = :updated_by
WHERE region = :region AND year = :year AND version = :version;

-- name: insert_due_job
INSERT INTO calendar_due_job (region, year, version, queued_at, done_at, open_cases, moved)
VALUES (:region, :year, :version, :queued_at, '', 0, 0);

-- name: list_queued_due_jobs
SELECT region, year, version FROM calendar_due_job WHERE done_at = ''
ORDER BY queued_at, region, year, version;

-- name: finish_due_job
UPDATE calendar_due_job SET done_at = :done_at, open_cases = :open_cases, moved = :moved
WHERE region = :region AND year = :year AND version = :version AND done_at = '';
