-- 材料库: the materials each applicant has provided, one row per case material with a stored
-- file, written by the case observer (library.h) when a material is provided and removed when
-- its case is refused or withdrawn. The reuse lookup (复用) is one read of the index below.
CREATE TABLE material_library (
  case_id TEXT NOT NULL,
  idx BIGINT NOT NULL,
  applicant_code TEXT NOT NULL,
  name TEXT NOT NULL,
  case_number TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  size BIGINT NOT NULL,
  media_type TEXT NOT NULL,
  file_name TEXT NOT NULL,
  received_at BIGINT NOT NULL,  -- the case's receipt: the reuse period runs from it
  valid_until TEXT NOT NULL,    -- 'YYYY-MM-DD' (China) after which it is not reused; '' no end
  PRIMARY KEY (case_id, idx)
);
CREATE INDEX material_library_lookup ON material_library (applicant_code, name, received_at, idx);

-- Existing installations: the library as the cases hold it now.
INSERT INTO material_library (case_id, idx, applicant_code, name, case_number, content_hash,
  size, media_type, file_name, received_at, valid_until)
SELECT m.case_id, m.idx, r.applicant_code, m.name, r.number, m.content_hash, m.size,
  m.media_type, m.file_name, r.received_at, ''
FROM case_material m JOIN case_record r ON r.id = m.case_id
WHERE m.state = 'provided' AND m.content_hash <> '' AND r.state NOT IN ('refused', 'withdrawn');
