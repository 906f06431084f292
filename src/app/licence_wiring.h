// Wiring of the key hierarchy and the licence service into the application: the master key
// file, the key store, the licence service with the catalog's departments as issuers, and the
// demo's licence types. Kept apart from app.cc so that module's composition stays readable.
#pragma once

#include <memory>
#include <string>

#include "catalog/service.h"
#include "keys/key_store.h"
#include "keys/master_key.h"
#include "licences/service.h"
#include "store/database.h"
#include "trace/trace.h"

namespace tongban::app {

struct LicenceParts {
  keys::MasterKeyRing ring;
  std::unique_ptr<keys::KeyStore> keys;
  std::unique_ptr<licences::LicenceService> licences;
};

// Where the master key file lives when the configuration names none: beside the signing key,
// "<db file>.master-keys" for SQLite ("tongban.master-keys" for PostgreSQL).
std::string DefaultMasterKeyPath(const std::string& signing_key_path);

// Loads (or creates) the master key file at `master_key_path`, builds the key store and the
// licence service; with `demo`, stores the demo's licence types.
Result<std::unique_ptr<LicenceParts>> CreateLicenceParts(store::Database& db,
                                                         catalog::CatalogService& catalog,
                                                         trace::Trace& trace,
                                                         const std::string& master_key_path,
                                                         bool demo);

}  // namespace tongban::app
