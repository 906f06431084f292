-- The public statistics, pre-aggregated (issue 9): per day the rating was given (China time) and
-- department, matter, window, region and level, what its ratings and their rectification items
-- contribute. Kept exact by the service in the transaction of every change (a rating given, a
-- rectification item's step, a rating voided on appeal): it applies the difference of the
-- item's contribution before and after; `EvaluationService::RebuildStatistics` recomputes it
-- from the rows. Statistics read these rows only, a handful per day and key, not every rating.
CREATE TABLE evaluation_stat (
  day TEXT NOT NULL,
  region_code TEXT NOT NULL,
  department_code TEXT NOT NULL,
  matter_code TEXT NOT NULL,
  window_code TEXT NOT NULL,
  level TEXT NOT NULL,
  rated BIGINT NOT NULL,           -- ratings not voided
  rectifications BIGINT NOT NULL,  -- their rectification items not voided
  rectified BIGINT NOT NULL,       -- rectified or explained
  named_bad BIGINT NOT NULL,       -- items of named (实名) ratings
  called_back BIGINT NOT NULL,     -- named items called back
  PRIMARY KEY (day, region_code, department_code, matter_code, window_code, level)
);
