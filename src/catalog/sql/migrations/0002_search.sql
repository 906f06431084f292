-- The search index of matter versions (catalog/search.h): one row per term of a version, with
-- the weight of the highest field it occurs in. Written with the version's content, so drafts
-- are indexed too; searches join the versions in force. Ordinary rows, identical on SQLite and
-- PostgreSQL. A catalog migrated from before this table is indexed by
-- CatalogService::IndexMissingVersions when the service starts.
CREATE TABLE catalog_search_term (
  term TEXT NOT NULL,
  version_id TEXT NOT NULL REFERENCES catalog_item_version (id),
  weight INTEGER NOT NULL,
  PRIMARY KEY (term, version_id)
);
CREATE INDEX catalog_search_term_version ON catalog_search_term (version_id);
