-- Named queries of the people module (see store/queries.h). Times are ms since the epoch.

-- name: insert_permission
INSERT INTO permission (name, description) VALUES (:name, :description)
ON CONFLICT (name) DO UPDATE SET description = excluded.description;

-- name: count_roles_named
SELECT COUNT(*) FROM role WHERE name = :name;

-- name: insert_role
INSERT INTO role (name, title, description, account_kind, admin_duty)
VALUES (:name, :title, :description, :account_kind, :admin_duty);

-- name: update_role
UPDATE role SET title = :title, description = :description, account_kind = :account_kind,
       admin_duty = :admin_duty
WHERE name = :name;

-- name: list_shipped_role_permissions
SELECT permission FROM shipped_role_permission WHERE role = :role ORDER BY permission;

-- name: insert_shipped_role_permission
INSERT INTO shipped_role_permission (role, permission) VALUES (:role, :permission)
ON CONFLICT (role, permission) DO NOTHING;

-- name: delete_shipped_role_permission
DELETE FROM shipped_role_permission WHERE role = :role AND permission = :permission;

-- name: delete_role_permission
DELETE FROM role_permission WHERE role = :role AND permission = :permission;

-- name: insert_role_permission
INSERT INTO role_permission (role, permission) VALUES (:role, :permission)
ON CONFLICT (role, permission) DO NOTHING;

-- name: list_roles
SELECT r.name, r.title, r.description, r.account_kind, r.admin_duty,
       COALESCE(rp.permission, '')
FROM role r LEFT JOIN role_permission rp ON rp.role = r.name
ORDER BY r.name, rp.permission;

-- name: list_permissions
SELECT name, description FROM permission ORDER BY name;

-- name: insert_account
INSERT INTO account (id, kind, name, username, id_number, phone, region, department,
                     password_hash, status, failed_logins, locked_until, created_at, created_by)
VALUES (:id, :kind, :name, :username, :id_number, :phone, :region, :department,
        :password_hash, :status, 0, 0, :created_at, :created_by);

-- name: find_account_by_id
SELECT id, kind, name, COALESCE(username, ''), COALESCE(id_number, ''), COALESCE(phone, ''),
       region, department, COALESCE(password_hash, ''), status, failed_logins, locked_until,
       created_at
FROM account WHERE id = :key;

-- name: find_account_by_username
SELECT id, kind, name, COALESCE(username, ''), COALESCE(id_number, ''), COALESCE(phone, ''),
       region, department, COALESCE(password_hash, ''), status, failed_logins, locked_until,
       created_at
FROM account WHERE username = :key;

-- name: find_account_by_id_number
SELECT id, kind, name, COALESCE(username, ''), COALESCE(id_number, ''), COALESCE(phone, ''),
       region, department, COALESCE(password_hash, ''), status, failed_logins, locked_until,
       created_at
FROM account WHERE id_number = :key;

-- name: find_account_by_citizen_phone
SELECT id, kind, name, COALESCE(username, ''), COALESCE(id_number, ''), COALESCE(phone, ''),
       region, department, COALESCE(password_hash, ''), status, failed_logins, locked_until,
       created_at
FROM account WHERE phone = :key AND kind = 'citizen';

-- name: list_staff_accounts
-- Keyset by id; an empty department or role matches any (each bound twice under two names).
SELECT a.id, a.kind, a.name, COALESCE(a.username, ''), COALESCE(a.phone, ''), a.region,
       a.department, a.status, a.created_at
FROM account a
WHERE a.kind = 'staff' AND a.id > :after AND a.region LIKE :region_like
  AND (:department = '' OR a.department = :department_code)
  AND (:role = '' OR EXISTS (SELECT 1 FROM role_grant g
                             WHERE g.account_id = a.id AND g.role = :role_name
                               AND g.revoked_at IS NULL))
ORDER BY a.id
LIMIT :limit;

-- name: lock_account [postgresql]
-- Serialises changes to the grants and login counters of one account (in SQLite the write
-- transaction already holds the one write lock of the database).
SELECT id FROM account WHERE id = :id FOR UPDATE;

-- name: lock_account [sqlite]
SELECT id FROM account WHERE id = :id;

-- name: increment_failed_logins
UPDATE account SET failed_logins = failed_logins + 1 WHERE id = :id;

-- name: failed_logins
SELECT failed_logins FROM account WHERE id = :id;

-- name: set_locked_until
UPDATE account SET failed_logins = 0, locked_until = :until WHERE id = :id;

-- name: reset_failed_logins
UPDATE account SET failed_logins = 0, locked_until = 0 WHERE id = :id;

-- name: insert_grant
INSERT INTO role_grant (id, account_id, role, region, department, matters, valid_from,
                        valid_until, granted_by, granted_at)
VALUES (:id, :account_id, :role, :region, :department, :matters, :valid_from, :valid_until,
        :granted_by, :granted_at);

-- name: list_held_grants
SELECT g.id, g.role, g.region, g.department, g.matters, g.valid_from,
       COALESCE(g.valid_until, -1), COALESCE(g.granted_by, ''), g.granted_at, r.admin_duty,
       COALESCE(rp.permission, '')
FROM role_grant g
JOIN role r ON r.name = g.role
LEFT JOIN role_permission rp ON rp.role = g.role
WHERE g.account_id = :account_id AND g.revoked_at IS NULL
ORDER BY g.granted_at, g.id, rp.permission;

-- name: find_grant
SELECT id, account_id, role, region, department, matters, valid_from,
       COALESCE(valid_until, -1), COALESCE(granted_by, ''), granted_at
FROM role_grant WHERE id = :id AND revoked_at IS NULL;

-- name: revoke_grant
UPDATE role_grant SET revoked_at = :now, revoked_by = :by
WHERE id = :id AND revoked_at IS NULL;

-- name: insert_enterprise
INSERT INTO enterprise (uscc, name, legal_representative, registered_at, registered_by)
VALUES (:uscc, :name, :legal_representative, :registered_at, :registered_by);

-- name: find_enterprise
SELECT uscc, name, legal_representative, registered_at FROM enterprise WHERE uscc = :uscc;

-- name: insert_agent_authorisation
INSERT INTO agent_authorisation (id, uscc, agent_account, valid_from, valid_until, granted_by,
                                 granted_at)
VALUES (:id, :uscc, :agent_account, :valid_from, :valid_until, :granted_by, :granted_at);

-- name: list_agent_authorisations
SELECT id, uscc, agent_account, valid_from, COALESCE(valid_until, -1), granted_by, granted_at,
       COALESCE(revoked_at, -1)
FROM agent_authorisation WHERE uscc = :uscc
ORDER BY granted_at, id;

-- name: revoke_agent_authorisation
UPDATE agent_authorisation SET revoked_at = :now, revoked_by = :by
WHERE id = :id AND revoked_at IS NULL;

-- name: list_represented_enterprises
SELECT uscc, name FROM enterprise WHERE legal_representative = :account_id ORDER BY uscc;

-- name: list_agent_agencies
SELECT a.id, a.uscc, e.name, a.valid_from, COALESCE(a.valid_until, -1)
FROM agent_authorisation a JOIN enterprise e ON e.uscc = a.uscc
WHERE a.agent_account = :account_id AND a.revoked_at IS NULL
ORDER BY a.uscc, a.granted_at;

-- name: insert_session
INSERT INTO auth_session (id, account_id, token_hash, created_at, expires_at, last_used_at)
VALUES (:id, :account_id, :token_hash, :created_at, :expires_at, :last_used_at);

-- name: find_session_by_token_hash
SELECT id, account_id, expires_at, COALESCE(revoked_at, -1), last_used_at
FROM auth_session WHERE token_hash = :token_hash;

-- name: touch_session
UPDATE auth_session SET last_used_at = :now WHERE id = :id;

-- name: revoke_session
UPDATE auth_session SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL;

-- name: revoke_account_sessions
UPDATE auth_session SET revoked_at = :now
WHERE account_id = :account_id AND revoked_at IS NULL AND expires_at > :live_after;

-- name: lock_phone [postgresql]
-- Serialises code requests for one phone, so that two at once cannot both pass the rate limit
-- (in SQLite the write transaction already holds the one write lock of the database).
SELECT pg_advisory_xact_lock(7283, hashtext(:phone));

-- name: lock_phone [sqlite]
SELECT :phone;

-- name: insert_sms_code
INSERT INTO sms_code (id, phone, purpose, salt, code_hash, created_at, expires_at)
VALUES (:id, :phone, :purpose, :salt, :code_hash, :created_at, :expires_at);

-- name: sms_codes_since
SELECT COUNT(*), COALESCE(MAX(created_at), 0) FROM sms_code
WHERE phone = :phone AND created_at >= :since;

-- name: find_live_sms_code
SELECT id, salt, code_hash, expires_at, attempts FROM sms_code
WHERE phone = :phone AND purpose = :purpose AND consumed_at IS NULL
ORDER BY created_at DESC, id DESC LIMIT 1;

-- name: count_sms_code_attempt
UPDATE sms_code SET attempts = attempts + 1 WHERE id = :id;

-- name: consume_sms_code
UPDATE sms_code SET consumed_at = :now WHERE id = :id AND consumed_at IS NULL;
