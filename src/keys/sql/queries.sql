-- Named queries of the keys module (see store/queries.h for the format).

-- name: active_key
SELECT key_id, owner, owner_name, serial, certificate, wrapped_private, master_key_id, status
FROM signing_key WHERE owner = :owner AND status = 'active';

-- name: active_key_id
SELECT key_id FROM signing_key WHERE owner = :owner AND status = 'active';

-- name: key_by_id
SELECT key_id, owner, owner_name, serial, certificate, wrapped_private, master_key_id, status
FROM signing_key WHERE key_id = :key_id;

-- name: all_keys
SELECT key_id, owner, owner_name, serial, certificate, wrapped_private, master_key_id, status
FROM signing_key ORDER BY serial;

-- name: next_serial
SELECT COALESCE(MAX(serial), 0) + 1 FROM signing_key;

-- name: insert_key
INSERT INTO signing_key (key_id, owner, owner_name, serial, certificate, wrapped_private,
  master_key_id, status, created_at)
VALUES (:key_id, :owner, :owner_name, :serial, :certificate, :wrapped_private, :master_key_id,
  'active', :created_at);

-- name: retire_keys
UPDATE signing_key SET status = 'retired', retired_at = :retired_at
WHERE owner = :owner AND status = 'active';

-- name: rewrap_key
UPDATE signing_key SET wrapped_private = :wrapped_private, master_key_id = :master_key_id
WHERE key_id = :key_id;

-- name: lock_keys
SELECT 1;

-- name: lock_keys [postgresql]
SELECT pg_advisory_xact_lock(7007001);
