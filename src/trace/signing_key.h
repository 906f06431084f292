// The installation's SM2 signing key: a PEM file beside the database (see docs/ARCHITECTURE.md,
// "Trace"), never inside it, so whoever can rewrite the database cannot also re-sign it.
#pragma once

#include <string>

#include "base/result.h"
#include "crypto/sm2.h"
#include "store/database.h"

namespace tongban::trace {

// Where the key lives when the configuration names no path: for SQLite "<db file>.signing-key.pem"
// beside the database file (a backup and its key then travel as a pair); for PostgreSQL
// "tongban.signing-key.pem" in the working directory.
std::string DefaultSigningKeyPath(const store::DatabaseUrl& url);

// Loads the private key at `path`; when there is no file, generates a key and writes it
// there with mode 0600. The file is written aside and linked into place, so two processes
// starting together both end up with the one key that won, and no reader sees half a file.
Result<crypto::Sm2Key> LoadOrCreateSigningKey(const std::string& path);

// Loads a private or public key PEM file; creates nothing. kNotFound when the file is missing.
Result<crypto::Sm2Key> LoadKeyFile(const std::string& path);

}  // namespace tongban::trace
