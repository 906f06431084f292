-- Named queries of the registers module (see store/queries.h).

-- name: insert_person
INSERT INTO person (id, id_number_index, id_number_sealed, id_number_masked, name, sex,
  birth_date, household_region, address, phone_index, phone_sealed, phone_masked, income_band,
  assistance, disability_certificate_sealed, disability_certificate_masked, disability_category,
  disability_level, long_term_care, status, version, updated_at, updated_by)
VALUES (:id, :id_number_index, :id_number_sealed, :id_number_masked, :name, :sex,
  :birth_date, :household_region, :address, :phone_index, :phone_sealed, :phone_masked,
  :income_band, :assistance, :disability_certificate_sealed, :disability_certificate_masked,
  :disability_category, :disability_level, :long_term_care, :status, :version, :updated_at,
  :updated_by)
ON CONFLICT (id_number_index) DO NOTHING;

-- name: update_person
UPDATE person SET id_number_index = :id_number_index, id_number_sealed = :id_number_sealed,
  id_number_masked = :id_number_masked, name = :name, sex = :sex, birth_date = :birth_date,
  household_region = :household_region, address = :address, phone_index = :phone_index,
  phone_sealed = :phone_sealed, phone_masked = :phone_masked, income_band = :income_band,
  assistance = :assistance, disability_certificate_sealed = :disability_certificate_sealed,
  disability_certificate_masked = :disability_certificate_masked,
  disability_category = :disability_category, disability_level = :disability_level,
  long_term_care = :long_term_care, status = :status, version = :version,
  updated_at = :updated_at, updated_by = :updated_by
WHERE id = :id AND version = :old_version;

-- name: person_columns
SELECT id, id_number_index, id_number_sealed, id_number_masked, name, sex, birth_date,
  household_region, address, phone_index, phone_sealed, phone_masked, income_band, assistance,
  disability_certificate_sealed, disability_certificate_masked, disability_category,
  disability_level, long_term_care, status, version, updated_at, updated_by
FROM person

-- name: count_persons
SELECT COUNT(*) FROM person;

-- name: insert_relation
INSERT INTO person_relation (person_id, relative_id, relation)
VALUES (:person_id, :relative_id, :relation);

-- name: delete_relations
DELETE FROM person_relation WHERE person_id = :person_id;

-- name: list_relations
SELECT relative_id, relation FROM person_relation WHERE person_id = :person_id
ORDER BY relative_id;

-- name: count_person_id
SELECT COUNT(*) FROM person WHERE id = :id;

-- name: insert_history
INSERT INTO register_history (register, record_id, version, changed_at, changed_by, action,
  old_values)
VALUES (:register, :record_id, :version, :changed_at, :changed_by, :action, :old_values);

-- name: list_history
SELECT version, changed_at, changed_by, action, old_values FROM register_history
WHERE register = :register AND record_id = :record_id ORDER BY version;

-- name: insert_entity
INSERT INTO entity (uscc, name, type, legal_representative, industry, size, registered_region,
  status, version, updated_at, updated_by)
VALUES (:uscc, :name, :type, :legal_representative, :industry, :size, :registered_region,
  :status, :version, :updated_at, :updated_by)
ON CONFLICT (uscc) DO NOTHING;

-- name: update_entity
UPDATE entity SET name = :name, type = :type, legal_representative = :legal_representative,
  industry = :industry, size = :size, registered_region = :registered_region, status = :status,
  version = :version, updated_at = :updated_at, updated_by = :updated_by
WHERE uscc = :uscc AND version = :old_version;

-- name: entity_columns
SELECT uscc, name, type, legal_representative, industry, size, registered_region, status,
  version, updated_at, updated_by
FROM entity

-- name: find_import
SELECT id, next_line, next_offset, imported, rejected, status FROM register_import
WHERE kind = :kind AND fingerprint = :fingerprint;

-- name: insert_import
INSERT INTO register_import (id, kind, fingerprint, next_line, next_offset, imported, rejected,
  status, started_at, updated_at)
VALUES (:id, :kind, :fingerprint, :next_line, :next_offset, :imported, :rejected, :status,
  :started_at, :updated_at);

-- name: update_import
UPDATE register_import SET next_line = :next_line, next_offset = :next_offset,
  imported = :imported, rejected = :rejected, status = :status, updated_at = :updated_at
WHERE id = :id;
