-- SQLite rebuilds its step tables WITHOUT ROWID in this version; PostgreSQL's tables are heaps
-- with their primary key index already, so nothing changes here.
COMMENT ON TABLE bpmn_history IS 'every step of every instance, in order';
