-- PostgreSQL only (statistics on the listings' expressions for its planner). SQLite plans these
-- listings without statistics (nothing runs ANALYZE on it), and the plans are asserted as they are.
SELECT 1;
