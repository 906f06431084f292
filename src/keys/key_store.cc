#include "keys/key_store.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <optional>

#include "keys/certificate.h"

namespace tongban {
extern const EmbeddedFile kKeysSql[];
extern const size_t kKeysSql_count;
}  // namespace tongban

namespace tongban::keys {
namespace {

const store::QuerySet& Queries() {
  static const store::QuerySet* queries = [] {
    auto q = store::QuerySet::Load(kKeysSql, kKeysSql_count);
    if (!q.ok()) throw std::logic_error(q.error().ToString());
    return new store::QuerySet(std::move(q).value());
  }();
  return *queries;
}

std::string IsoTime(Timestamp t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                     std::chrono::time_point_cast<std::chrono::seconds>(t));
}

Timestamp AddYears(Timestamp t, int years) {
  return t + std::chrono::days(365LL * years + years / 4);
}

struct Row {
  StoredCertificate cert;
  std::string wrapped;
};

// Reads the columns every key query selects, in their order.
template <typename Statement>
void Bind(Statement& st, Row& row, long long& serial, std::string& status) {
  st.exchange(soci::into(row.cert.key_id));
  st.exchange(soci::into(row.cert.owner));
  st.exchange(soci::into(row.cert.owner_name));
  st.exchange(soci::into(serial));
  st.exchange(soci::into(row.cert.certificate_pem));
  st.exchange(soci::into(row.wrapped));
  st.exchange(soci::into(row.cert.master_key_id));
  st.exchange(soci::into(status));
}

// Runs a key query with at most one named parameter (`param` null: none).
Result<std::vector<Row>> Select(soci::session& sql, const std::string& query,
                                const std::string& param_name, const std::string* param) {
  try {
    std::vector<Row> rows;
    Row row;
    long long serial = 0;
    std::string status;
    store::ExecuteRowsBound(
        sql, query,
        [&](soci::statement& st) {
          if (param != nullptr) st.exchange(soci::use(*param, param_name));
          Bind(st, row, serial, status);
        },
        [&] {
          row.cert.serial = serial;
          row.cert.status = status == "active" ? KeyStatus::kActive : KeyStatus::kRetired;
          rows.push_back(row);
        });
    return rows;
  } catch (const std::exception& e) {
    return store::ErrorFromException(e);
  }
}

}  // namespace

const store::MigrationSet& KeysMigrations() {
  static const store::MigrationSet* set = [] {
    auto s = store::LoadMigrations("keys", kKeysSql, kKeysSql_count);
    if (!s.ok()) throw std::logic_error(s.error().ToString());
    return new store::MigrationSet(std::move(s).value());
  }();
  return *set;
}

KeyStore::KeyStore(store::Database& db, const MasterKeyRing& ring, const Clock& clock,
                   Options options)
    : db_(db), ring_(ring), clock_(clock), options_(options), queries_(Queries()) {}

Result<SigningKey> KeyStore::Unwrap(const StoredCertificate& cert,
                                    const std::string& wrapped) const {
  TB_ASSIGN_OR_RETURN(std::string pem, ring_.Unwrap(wrapped, cert.key_id));
  TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, crypto::Sm2Key::FromPrivatePem(pem));
  if (key.id() != cert.key_id) {
    return Error(ErrorCode::kIntegrity,
                 fmt::format("the private key stored for {} is another key", cert.key_id));
  }
  TB_ASSIGN_OR_RETURN(CertificateInfo info, ReadCertificate(cert.certificate_pem));
  return SigningKey{.key = std::move(key), .certificate = cert, .not_after = info.not_after};
}

Result<StoredCertificate> KeyStore::CreateKey(soci::session& sql, const Department& owner,
                                              const std::optional<SigningKey>& issuer) {
  TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, crypto::Sm2Key::Generate());
  TB_ASSIGN_OR_RETURN(std::string public_pem, key.PublicPem());
  TB_ASSIGN_OR_RETURN(std::string private_pem, key.PrivatePem());
  try {
    const store::Backend backend = db_.backend();
    long long serial = 0;
    sql << queries_.Get("next_serial", backend), soci::into(serial);
    const Timestamp now = clock_.Now();
    const bool root = !issuer.has_value();
    CertificateRequest request{
        .common_name = owner.name,
        .organization = owner.code,
        .public_pem = public_pem,
        .serial = serial,
        .not_before = now - std::chrono::minutes(5),
        .not_after = AddYears(now, root ? options_.root_years : options_.department_years),
        .is_ca = root};
    TB_ASSIGN_OR_RETURN(
        std::string pem,
        root ? IssueCertificate(key, "", request)
             : IssueCertificate(issuer->key, issuer->certificate.certificate_pem, request));
    TB_ASSIGN_OR_RETURN(std::string wrapped, ring_.Wrap(private_pem, key.id()));
    const std::string created = IsoTime(now);
    sql << queries_.Get("retire_keys", backend), soci::use(created, "retired_at"),
        soci::use(owner.code, "owner");
    sql << queries_.Get("insert_key", backend), soci::use(key.id(), "key_id"),
        soci::use(owner.code, "owner"), soci::use(owner.name, "owner_name"),
        soci::use(serial, "serial"), soci::use(pem, "certificate"),
        soci::use(wrapped, "wrapped_private"), soci::use(ring_.current_id(), "master_key_id"),
        soci::use(created, "created_at");
    return StoredCertificate{.key_id = key.id(),
                             .owner = owner.code,
                             .owner_name = owner.name,
                             .serial = serial,
                             .certificate_pem = pem,
                             .master_key_id = ring_.current_id(),
                             .status = KeyStatus::kActive};
  } catch (const std::exception& e) {
    return store::ErrorFromException(e);
  }
}

Result<SigningKey> KeyStore::RootKey(soci::session& sql) {
  const std::string owner(kRootOwner);
  TB_ASSIGN_OR_RETURN(auto rows,
                      Select(sql, queries_.Get("active_key", db_.backend()), "owner", &owner));
  if (rows.empty()) {
    TB_RETURN_IF_ERROR(
        CreateKey(sql, Department{.code = owner, .name = "tongban root"}, std::nullopt));
    TB_ASSIGN_OR_RETURN(rows,
                        Select(sql, queries_.Get("active_key", db_.backend()), "owner", &owner));
    if (rows.empty()) return Error(ErrorCode::kInternal, "the root key was not stored");
  }
  return Unwrap(rows[0].cert, rows[0].wrapped);
}

Result<StoredCertificate> KeyStore::Root() {
  return db_.Transaction<StoredCertificate>(store::TxKind::kWrite,
                                            [&](soci::session& sql) -> Result<StoredCertificate> {
                                              sql << queries_.Get("lock_keys", db_.backend());
                                              TB_ASSIGN_OR_RETURN(SigningKey root, RootKey(sql));
                                              return root.certificate;
                                            });
}

std::optional<SigningKey> KeyStore::Cached(std::string_view owner) {
  std::lock_guard lock(mu_);
  auto it = cache_.find(owner);
  if (it == cache_.end() || it->second.not_after <= clock_.Now()) return std::nullopt;
  return it->second;
}

Result<SigningKey> KeyStore::ActiveKey(soci::session& sql, const Department& department) {
  if (department.code == kRootOwner || department.code.empty()) {
    return Error(ErrorCode::kInvalidArgument, "department: a department code is required");
  }
  std::optional<SigningKey> cached = Cached(department.code);
  try {
    if (cached) {
      // The cached key stands only while the database still names it active: a rotation by
      // another process (`tongban licence keys rotate` beside a running server) retires it
      // there, and nothing may be signed with a retired key. One indexed read, no unwrapping.
      std::string active_id;
      const store::Executed found =
          store::Execute(sql, queries_.Get("active_key_id", db_.backend()),
                         soci::use(department.code, "owner"), soci::into(active_id));
      if (found.got_data && active_id == cached->certificate.key_id) return *std::move(cached);
    }
    sql << queries_.Get("lock_keys", db_.backend());
  } catch (const std::exception& e) {
    return store::ErrorFromException(e);
  }
  TB_ASSIGN_OR_RETURN(
      auto rows, Select(sql, queries_.Get("active_key", db_.backend()), "owner", &department.code));
  std::optional<SigningKey> active;
  if (!rows.empty()) {
    TB_ASSIGN_OR_RETURN(SigningKey found, Unwrap(rows[0].cert, rows[0].wrapped));
    if (found.not_after > clock_.Now()) active = std::move(found);
  }
  if (!active) {
    // None yet, or its certificate expired (it could not sign anything valid): a new one.
    TB_ASSIGN_OR_RETURN(SigningKey root, RootKey(sql));
    TB_RETURN_IF_ERROR(CreateKey(sql, department, root));
    TB_ASSIGN_OR_RETURN(
        rows, Select(sql, queries_.Get("active_key", db_.backend()), "owner", &department.code));
    if (rows.empty()) return Error(ErrorCode::kInternal, "the key was not stored");
    TB_ASSIGN_OR_RETURN(active, Unwrap(rows[0].cert, rows[0].wrapped));
  }
  // Cached even when this transaction created it and may yet roll back: every use of the cache
  // above checks the key is the active one in the database first.
  std::lock_guard lock(mu_);
  cache_.insert_or_assign(department.code, *active);
  return *std::move(active);
}

Result<SigningKey> KeyStore::ActiveKey(const Department& department) {
  if (department.code == kRootOwner || department.code.empty()) {
    return Error(ErrorCode::kInvalidArgument, "department: a department code is required");
  }
  // Outside any transaction: a read checks a cached key, a write makes one only when needed.
  if (std::optional<SigningKey> cached = Cached(department.code)) {
    TB_ASSIGN_OR_RETURN(std::string active_id,
                        db_.Transaction<std::string>(
                            store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
                              try {
                                std::string id;
                                sql << queries_.Get("active_key_id", db_.backend()),
                                    soci::use(department.code, "owner"), soci::into(id);
                                return sql.got_data() ? id : std::string();
                              } catch (const std::exception& e) {
                                return store::ErrorFromException(e);
                              }
                            }));
    if (active_id == cached->certificate.key_id) return *std::move(cached);
  }
  return db_.Transaction<SigningKey>(
      store::TxKind::kWrite,
      [&](soci::session& sql) -> Result<SigningKey> { return ActiveKey(sql, department); });
}

Result<StoredCertificate> KeyStore::Rotate(const Department& department) {
  if (department.code == kRootOwner || department.code.empty()) {
    return Error(ErrorCode::kInvalidArgument, "department: a department code is required");
  }
  TB_ASSIGN_OR_RETURN(
      StoredCertificate cert,
      db_.Transaction<StoredCertificate>(store::TxKind::kWrite,
                                         [&](soci::session& sql) -> Result<StoredCertificate> {
                                           sql << queries_.Get("lock_keys", db_.backend());
                                           TB_ASSIGN_OR_RETURN(SigningKey root, RootKey(sql));
                                           return CreateKey(sql, department, root);
                                         }));
  std::lock_guard lock(mu_);
  cache_.erase(department.code);
  return cert;
}

Result<StoredCertificate> KeyStore::RootCertificate() {
  const std::string owner(kRootOwner);
  TB_ASSIGN_OR_RETURN(
      auto rows, db_.Transaction<std::vector<Row>>(store::TxKind::kRead, [&](soci::session& sql) {
        return Select(sql, queries_.Get("active_key", db_.backend()), "owner", &owner);
      }));
  if (rows.empty()) return Error(ErrorCode::kNotFound, "the installation has no root key yet");
  return rows[0].cert;
}

Result<StoredCertificate> KeyStore::Certificate(const std::string& key_id) {
  TB_ASSIGN_OR_RETURN(
      auto rows, db_.Transaction<std::vector<Row>>(store::TxKind::kRead, [&](soci::session& sql) {
        return Select(sql, queries_.Get("key_by_id", db_.backend()), "key_id", &key_id);
      }));
  if (rows.empty()) return Error(ErrorCode::kNotFound, fmt::format("no key {}", key_id));
  return rows[0].cert;
}

Result<std::vector<StoredCertificate>> KeyStore::List() {
  TB_ASSIGN_OR_RETURN(
      auto rows, db_.Transaction<std::vector<Row>>(store::TxKind::kRead, [&](soci::session& sql) {
        return Select(sql, queries_.Get("all_keys", db_.backend()), "", nullptr);
      }));
  std::vector<StoredCertificate> out;
  out.reserve(rows.size());
  for (auto& row : rows) out.push_back(std::move(row.cert));
  return out;
}

Result<int> KeyStore::Rewrap() {
  return db_.Transaction<int>(store::TxKind::kWrite, [&](soci::session& sql) -> Result<int> {
    sql << queries_.Get("lock_keys", db_.backend());
    TB_ASSIGN_OR_RETURN(auto rows,
                        Select(sql, queries_.Get("all_keys", db_.backend()), "", nullptr));
    int count = 0;
    for (const Row& row : rows) {
      if (row.cert.master_key_id == ring_.current_id()) continue;
      TB_ASSIGN_OR_RETURN(std::string pem, ring_.Unwrap(row.wrapped, row.cert.key_id));
      TB_ASSIGN_OR_RETURN(std::string wrapped, ring_.Wrap(pem, row.cert.key_id));
      try {
        sql << queries_.Get("rewrap_key", db_.backend()), soci::use(wrapped, "wrapped_private"),
            soci::use(ring_.current_id(), "master_key_id"), soci::use(row.cert.key_id, "key_id");
      } catch (const std::exception& e) {
        return store::ErrorFromException(e);
      }
      ++count;
    }
    return count;
  });
}

}  // namespace tongban::keys
