-- The handling side's cross-region case is a real case (src/cases): its number here; the error
-- that stopped opening it (the matter is not in this catalog, the form does not fit), if any.
-- Paper originals forwarded by mail: due by (from the agreement's originals_days), mailed with a
-- tracking number, received. Partners' licence roots.
ALTER TABLE xregion_case ADD COLUMN case_number TEXT NOT NULL DEFAULT '';
ALTER TABLE xregion_case ADD COLUMN open_error TEXT NOT NULL DEFAULT '';
ALTER TABLE xregion_case ADD COLUMN originals_due_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE xregion_case ADD COLUMN originals_tracking TEXT NOT NULL DEFAULT '';
ALTER TABLE xregion_case ADD COLUMN originals_mailed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE xregion_case ADD COLUMN originals_received_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX xregion_case_number ON xregion_case (case_number);
ALTER TABLE xregion_agreement ADD COLUMN originals_days INTEGER NOT NULL DEFAULT 0;
-- The partner's licence root certificate (X.509 PEM): its e-licences verify here against it.
ALTER TABLE xregion_partner ADD COLUMN licence_root TEXT NOT NULL DEFAULT '';
