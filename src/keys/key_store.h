// The key hierarchy (电子印章 keys): one installation root SM2 key that certifies itself and
// every department's SM2 key with an X.509 certificate (certificate.h). Private keys are stored
// encrypted under the master key ring (master_key.h), each with the id of its master key.
// Rotating a department's key retires the old one; retired keys still have their certificates,
// so what they signed keeps verifying. Services that sign (licences, later cases) ask for a
// department's active key; verifiers ask for any key's certificate by id.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/sm2.h"
#include "keys/master_key.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/queries.h"

namespace tongban::keys {

// The keys module's schema.
const store::MigrationSet& KeysMigrations();

// The owner name of the installation's root key.
inline constexpr std::string_view kRootOwner = "root";

enum class KeyStatus { kActive, kRetired };

struct StoredCertificate {
  std::string key_id;  // crypto::Sm2Key::id() of the certified key
  std::string owner;   // kRootOwner or a department code
  std::string owner_name;
  int64_t serial = 0;
  std::string certificate_pem;
  std::string master_key_id;  // the master key its private key is wrapped under
  KeyStatus status = KeyStatus::kActive;
};

struct SigningKey {
  crypto::Sm2Key key;  // with its private part
  StoredCertificate certificate;
  Timestamp not_after;  // when its certificate expires
};

struct Department {
  std::string code;  // e.g. "431128-scjgj"
  std::string name;  // e.g. 新田县市场监督管理局
};

class KeyStore {
 public:
  struct Options {
    int root_years = 20;
    int department_years = 5;
  };

  // `db` carries KeysMigrations(); `ring` and `clock` outlive the store.
  KeyStore(store::Database& db, const MasterKeyRing& ring, const Clock& clock, Options options);
  KeyStore(store::Database& db, const MasterKeyRing& ring, const Clock& clock)
      : KeyStore(db, ring, clock, Options{}) {}

  // The root certificate, creating the root key and its self-signed certificate the first time.
  // Two processes racing both end with the one root that committed first.
  Result<StoredCertificate> Root();
  // The department's active signing key; the first call creates it, certified by the root, and
  // a key whose certificate has expired is rotated first (it could not sign anything valid).
  // kNotFound/kIntegrity when the private key cannot be unwrapped with the ring.
  Result<SigningKey> ActiveKey(const Department& department);
  // The same in the caller's write transaction `sql` (a case step seals its document in its
  // own): a key it creates commits or rolls back with that transaction.
  Result<SigningKey> ActiveKey(soci::session& sql, const Department& department);
  // The owner's active key as last seen, without asking the database (nullopt when none is
  // cached or its certificate expired): for signing ahead of a transaction that then checks,
  // through ActiveKey(sql, …), that the key is still the active one.
  std::optional<SigningKey> Cached(std::string_view owner);
  // Retires the department's active key (if any) and creates a new certified one.
  Result<StoredCertificate> Rotate(const Department& department);
  // The root certificate as stored, without creating it or touching its private key (verifiers
  // need no master key); kNotFound before the root exists.
  Result<StoredCertificate> RootCertificate();
  // Any key's certificate by key id, retired ones included; kNotFound otherwise.
  Result<StoredCertificate> Certificate(const std::string& key_id);
  // Every key, oldest first.
  Result<std::vector<StoredCertificate>> List();
  // Re-encrypts every private key not under the ring's current master key; returns how many.
  // Afterwards older master keys may be removed from the file.
  Result<int> Rewrap();

 private:
  Result<StoredCertificate> CreateKey(soci::session& sql, const Department& owner,
                                      const std::optional<SigningKey>& issuer);
  Result<SigningKey> Unwrap(const StoredCertificate& cert, const std::string& wrapped) const;
  Result<SigningKey> RootKey(soci::session& sql);

  store::Database& db_;
  const MasterKeyRing& ring_;
  const Clock& clock_;
  Options options_;
  const store::QuerySet& queries_;
  std::mutex mu_;
  // Unwrapped active keys by owner: unwrapping and parsing a key costs more than a signature.
  std::map<std::string, SigningKey, std::less<>> cache_;
};

}  // namespace tongban::keys
