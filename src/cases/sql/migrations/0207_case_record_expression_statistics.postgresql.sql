-- The listings filter by region subtree and by overdue day through expressions no index holds
-- (search.cc: substr(region_code, 1, n) for the prefix lengths people::RegionPrefix gives, and
-- substr(due_on, 1, 10)). Without statistics on them PostgreSQL guessed 0.5 % of the rows for
-- each, so that walking case_record_state_scope newest first looked like reading the whole state
-- to find 50 matches; once autovacuum had analysed 1,000,000 cases it chose a parallel scan of
-- the table and a sort instead: the overdue listing took 257 ms, the approver's inbox 43 ms.
-- ANALYZE now keeps the same statistics on each expression as on a column (no index to write).
-- An installation's cases are analysed here, so the statistics hold from this start on rather
-- than from autovacuum's next pass over the table; a table without rows is left to autovacuum
-- (analysed empty, it is planned as empty until then).
CREATE STATISTICS IF NOT EXISTS case_record_region2 ON (substr(region_code, 1, 2)) FROM case_record;
CREATE STATISTICS IF NOT EXISTS case_record_region4 ON (substr(region_code, 1, 4)) FROM case_record;
CREATE STATISTICS IF NOT EXISTS case_record_region6 ON (substr(region_code, 1, 6)) FROM case_record;
CREATE STATISTICS IF NOT EXISTS case_record_region9 ON (substr(region_code, 1, 9)) FROM case_record;
CREATE STATISTICS IF NOT EXISTS case_record_region12 ON (substr(region_code, 1, 12)) FROM case_record;
CREATE STATISTICS IF NOT EXISTS case_record_due_day ON (substr(due_on, 1, 10)) FROM case_record;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM case_record) THEN
    ANALYZE case_record;
  END IF;
END
$$;
