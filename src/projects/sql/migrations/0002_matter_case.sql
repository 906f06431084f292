-- A stage's matter handled as a real case (issue 12): the number of the case the stage's start
-- opened for it ("" while it has none: a matter the region's catalog does not publish, or one
-- whose case could not be opened yet). The case's steps find the matter by it.
ALTER TABLE project_matter ADD COLUMN case_number TEXT NOT NULL DEFAULT '';
CREATE INDEX project_matter_case ON project_matter (case_number);
