-- Named queries of the licences module (see store/queries.h for the format).

-- name: upsert_type
INSERT INTO licence_type (code, name, definition) VALUES (:code, :name, :definition)
ON CONFLICT (code) DO UPDATE SET name = excluded.name, definition = excluded.definition;

-- name: list_types
SELECT definition FROM licence_type ORDER BY code;

-- name: get_type
SELECT definition FROM licence_type WHERE code = :code;

-- name: bump_counter
INSERT INTO licence_counter (issuer_uscc, year, next_serial) VALUES (:issuer_uscc, :year, 1)
ON CONFLICT (issuer_uscc, year) DO UPDATE SET next_serial = licence_counter.next_serial + 1;

-- name: read_counter
SELECT next_serial FROM licence_counter WHERE issuer_uscc = :issuer_uscc AND year = :year;

-- name: insert_licence
INSERT INTO licence (id, type_code, holder_id, issuer_code, serial, version, status,
  previous_id, document, signature, key_id, issued_at)
VALUES (:id, :type_code, :holder_id, :issuer_code, :serial, :version, 'valid', :previous_id,
  :document, :signature, :key_id, :issued_at);

-- name: get_licence
SELECT status, revoked_reason, previous_id, next_id, document, signature, key_id
FROM licence WHERE id = :id;

-- A write that changes a licence's status first locks its row.
-- name: lock_licence
SELECT 1 FROM licence WHERE id = :id;

-- name: lock_licence [postgresql]
SELECT 1 FROM licence WHERE id = :id FOR UPDATE;

-- name: licences_by_holder
SELECT id FROM licence WHERE holder_id = :holder_id ORDER BY issued_at DESC, id DESC;

-- name: revoke
UPDATE licence SET status = 'revoked', revoked_reason = :reason WHERE id = :id;

-- name: supersede
UPDATE licence SET status = 'superseded', next_id = :next_id WHERE id = :id;

-- name: insert_licence_case
INSERT INTO licence_case (case_id, licence_id) VALUES (:case_id, :licence_id);

-- name: licence_of_case
SELECT licence_id FROM licence_case WHERE case_id = :case_id;
