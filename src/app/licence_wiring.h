// Wiring of the key hierarchy and the licence service into the application: the master key
// file, the key store, the licence service with the catalog's departments as issuers, and the
// demo's licence types. Kept apart from app.cc so that module's composition stays readable.
#pragma once

#include <memory>
#include <string>

#include "app/config.h"
#include "catalog/service.h"
#include "keys/key_store.h"
#include "keys/master_key.h"
#include "licences/service.h"
#include "store/database.h"
#include "trace/trace.h"

namespace tongban::app {

// The master key ring and the key store over it: the departments' e-seals, which case
// documents and licences are signed with. Built before the case service.
struct KeyParts {
  keys::MasterKeyRing ring;
  std::unique_ptr<keys::KeyStore> keys;
};

struct LicenceParts {
  std::unique_ptr<licences::LicenceService> licences;
};

// Where the master key file lives when the configuration names none: beside the signing key,
// "<db file>.master-keys" for SQLite ("tongban.master-keys" for PostgreSQL).
std::string DefaultMasterKeyPath(const std::string& signing_key_path);

// The master key file the configuration names, else DefaultMasterKeyPath of its signing key.
std::string MasterKeyPath(const std::string& configured_master_key,
                          const std::string& signing_key_path);

// Loads (or creates) the master key file at `master_key_path` and builds the key store.
Result<std::unique_ptr<KeyParts>> CreateKeyParts(store::Database& db,
                                                 const std::string& master_key_path);

// The same for the installation `config` names (for the command line): its master key file, or
// the default one beside its signing key.
Result<std::unique_ptr<KeyParts>> CreateKeyParts(store::Database& db, const Config& config,
                                                 const store::DatabaseUrl& url);

// Builds the licence service over `keys` with the catalog's departments as issuers; with
// `demo`, stores the demo's licence types.
Result<std::unique_ptr<LicenceParts>> CreateLicenceParts(store::Database& db,
                                                         catalog::CatalogService& catalog,
                                                         trace::Trace& trace, keys::KeyStore& keys,
                                                         bool demo);

}  // namespace tongban::app
