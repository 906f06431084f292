// Storage of the people module over store::Database, on SQLite and PostgreSQL alike. Every
// method runs inside a transaction the caller (PeopleService, the demo loader) opened and
// passes in as `sql`; SOCI exceptions propagate to Database::Transaction, which rolls back and
// maps them to the error catalog.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "people/model.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/queries.h"

namespace tongban::people {

// The people module's schema migrations (src/people/sql/migrations), embedded in the binary.
Result<store::MigrationSet> PeopleMigrations();

// An account with the fields only the service may see.
struct StoredAccount {
  Account account{};
  std::string password_hash{};  // empty: no password login
  int failed_logins = 0;
  int64_t locked_until = 0;
};

struct StoredSession {
  std::string id{};
  std::string account_id{};
  int64_t expires_at = 0;
  std::optional<int64_t> revoked_at{};
  int64_t last_used_at = 0;
};

struct StoredSmsCode {
  std::string id{};
  std::string phone{};
  std::string purpose{};
  std::string salt{};
  std::string code_hash{};
  int64_t created_at = 0;
  int64_t expires_at = 0;
  int attempts = 0;
};

struct SmsSendStats {
  int count = 0;          // codes sent to the phone since the window start
  int64_t latest_at = 0;  // when the newest was sent; 0 if none
};

class PeopleRepository {
 public:
  // Loads the named queries; fails only if the embedded query file is inconsistent.
  static Result<PeopleRepository> Create(store::Backend backend);

  // Roles and permissions.
  // Inserts the permission or updates its description.
  void UpsertPermission(soci::session& sql, const Permission& permission) const;
  bool RoleExists(soci::session& sql, const std::string& name) const;
  // Inserts the role and its permissions, recorded as shipped; the role must not exist yet.
  void InsertRole(soci::session& sql, const Role& role) const;
  // Brings an existing role to the shipped `role`: its title and kinds, the permissions this
  // release ships that no earlier release did are granted, the ones an earlier release shipped
  // and this one does not are withdrawn; permissions never shipped for the role (a security
  // administrator's own) are left alone. Returns how many it granted and withdrew.
  std::pair<int, int> SyncShippedRole(soci::session& sql, const Role& role) const;
  std::vector<Role> ListRoles(soci::session& sql) const;
  std::vector<Permission> ListPermissions(soci::session& sql) const;

  // Accounts.
  void InsertAccount(soci::session& sql, const Account& account, const std::string& password_hash,
                     const std::string& created_by) const;
  std::optional<StoredAccount> FindAccountById(soci::session& sql, const std::string& id) const;
  std::optional<StoredAccount> FindAccountByUsername(soci::session& sql,
                                                     const std::string& username) const;
  std::optional<StoredAccount> FindAccountByIdNumber(soci::session& sql,
                                                     const std::string& id_number) const;
  std::optional<StoredAccount> FindCitizenByPhone(soci::session& sql,
                                                  const std::string& phone) const;
  // Up to `limit` staff accounts matching `query` with ids after `after`, by id.
  std::vector<Account> ListStaffAccounts(soci::session& sql, const AccountQuery& query,
                                         const std::string& after, int limit) const;
  // Takes the row lock that serialises concurrent changes to one account (PostgreSQL).
  void LockAccount(soci::session& sql, const std::string& id) const;
  // Adds one failed login and returns the new count.
  int IncrementFailedLogins(soci::session& sql, const std::string& id) const;
  // Locks the account until `until` and clears the failure count.
  void LockUntil(soci::session& sql, const std::string& id, int64_t until) const;
  void ResetFailedLogins(soci::session& sql, const std::string& id) const;

  // Role grants.
  void InsertGrant(soci::session& sql, const RoleGrant& grant) const;
  // Grants not revoked, with their roles' permissions.
  std::vector<HeldGrant> ListHeldGrants(soci::session& sql, const std::string& account_id) const;
  std::optional<RoleGrant> FindGrant(soci::session& sql, const std::string& grant_id) const;
  bool RevokeGrant(soci::session& sql, const std::string& grant_id, int64_t now,
                   const std::string& by) const;

  // Enterprises and agents.
  void InsertEnterprise(soci::session& sql, const Enterprise& enterprise,
                        const std::string& registered_by) const;
  std::optional<Enterprise> FindEnterprise(soci::session& sql, const std::string& uscc) const;
  void InsertAgentAuthorisation(soci::session& sql, const AgentAuthorisation& a) const;
  std::vector<AgentAuthorisation> ListAgentAuthorisations(soci::session& sql,
                                                          const std::string& uscc) const;
  bool RevokeAgentAuthorisation(soci::session& sql, const std::string& id, int64_t now,
                                const std::string& by) const;
  // Enterprises the account represents, then those it is an agent of (not revoked).
  std::vector<Agency> ListAgencies(soci::session& sql, const std::string& account_id) const;

  // Sessions.
  void InsertSession(soci::session& sql, const StoredSession& session,
                     const std::string& token_hash, int64_t created_at) const;
  std::optional<StoredSession> FindSessionByTokenHash(soci::session& sql,
                                                      const std::string& token_hash) const;
  void TouchSession(soci::session& sql, const std::string& id, int64_t now) const;
  bool RevokeSession(soci::session& sql, const std::string& id, int64_t now) const;
  int RevokeAccountSessions(soci::session& sql, const std::string& account_id, int64_t now) const;

  // One-time codes.
  // Serialises code requests for one phone until the transaction ends.
  void LockPhone(soci::session& sql, const std::string& phone) const;
  void InsertSmsCode(soci::session& sql, const StoredSmsCode& code) const;
  SmsSendStats SmsCodesSince(soci::session& sql, const std::string& phone, int64_t since) const;
  // The newest unconsumed code for the phone and purpose (older ones are superseded).
  std::optional<StoredSmsCode> FindLiveSmsCode(soci::session& sql, const std::string& phone,
                                               const std::string& purpose) const;
  void CountSmsCodeAttempt(soci::session& sql, const std::string& id) const;
  void ConsumeSmsCode(soci::session& sql, const std::string& id, int64_t now) const;

  store::Backend backend() const { return backend_; }

 private:
  PeopleRepository(store::QuerySet queries, store::Backend backend)
      : queries_(std::move(queries)), backend_(backend) {}
  const std::string& Q(std::string_view name) const { return queries_.Get(name, backend_); }
  std::optional<StoredAccount> FindAccount(soci::session& sql, std::string_view query,
                                           const std::string& key) const;

  store::QuerySet queries_;
  store::Backend backend_;
};

// Matter sets as stored: "*" for any, else codes joined by commas.
std::string JoinMatters(const std::vector<std::string>& matters);
std::vector<std::string> SplitMatters(std::string_view stored);

}  // namespace tongban::people
