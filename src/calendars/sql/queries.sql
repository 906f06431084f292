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
