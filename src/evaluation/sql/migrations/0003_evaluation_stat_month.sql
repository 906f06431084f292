-- The public statistics by month (issue 9): what evaluation_stat holds, summed per month
-- ('YYYY-MM', China time) without the matter. Kept exact in the same transaction as the day rows
-- (every change adds the same difference to both). A period's statistics by department, window
-- or region read its whole months here (a few rows per month and key) and only the days of its
-- partial first and last months from evaluation_stat; by matter they read the day rows.
CREATE TABLE evaluation_stat_month (
  month TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  window_code TEXT NOT NULL,
  level TEXT NOT NULL,
  rated BIGINT NOT NULL,
  rectifications BIGINT NOT NULL,
  rectified BIGINT NOT NULL,
  named_bad BIGINT NOT NULL,
  called_back BIGINT NOT NULL,
  PRIMARY KEY (month, region_code, department_code, window_code, level)
);
INSERT INTO evaluation_stat_month (month, region_code, department_code, window_code, level, rated,
  rectifications, rectified, named_bad, called_back)
SELECT substr(day, 1, 7), region_code, department_code, window_code, level,
  CAST(SUM(rated) AS BIGINT), CAST(SUM(rectifications) AS BIGINT), CAST(SUM(rectified) AS BIGINT),
  CAST(SUM(named_bad) AS BIGINT), CAST(SUM(called_back) AS BIGINT)
FROM evaluation_stat
GROUP BY substr(day, 1, 7), region_code, department_code, window_code, level;
