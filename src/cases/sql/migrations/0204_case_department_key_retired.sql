-- The departments' e-seals are the key store's department keys (keys/key_store.h: certified by
-- the installation root, private keys encrypted under the master key). The keys this table held
-- in clear seal nothing more: their private parts are erased; their public keys stay, so the
-- documents sealed before still verify (legacy_department_key).
UPDATE case_department_key SET private_pem = '';
