// The people model: accounts (citizens and staff), enterprises and the agents their legal
// representatives authorise, roles as data (role -> permissions), and role grants that carry a
// scope. Plain values; no HTTP, no JSON, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tongban::people {

enum class AccountKind {
  kCitizen,  // registered by real name: ID number + name + a code sent to the phone
  kStaff,    // username + password, created by a system administrator
};

enum class AccountStatus { kActive, kDisabled };

struct Account {
  std::string id{};
  AccountKind kind = AccountKind::kCitizen;
  std::string name{};        // real name (citizens) or the staff member's name
  std::string username{};    // staff; empty for citizens
  std::string id_number{};   // citizens: the 18-character 公民身份号码; empty for staff
  std::string phone{};       // citizens: the verified mobile number; staff: optional
  std::string region{};      // staff: the region code the account belongs to; citizens: empty
  std::string department{};  // staff: optional department code
  AccountStatus status = AccountStatus::kActive;
  int64_t created_at = 0;
};

// 三员分立: the three administrator duties that must sit on three different accounts.
enum class AdminDuty { kNone, kSystem, kSecurity, kAudit };

struct Permission {
  std::string name{};  // "catalog.write", "case.accept", ...
  std::string description{};
};

struct Role {
  std::string name{};   // "window_clerk"
  std::string title{};  // "窗口受理人员"
  std::string description{};
  AccountKind account_kind = AccountKind::kStaff;  // who may hold it
  AdminDuty admin_duty = AdminDuty::kNone;
  std::vector<std::string> permissions{};  // sorted
};

// Where a grant applies: a region subtree, a department (or any), a set of matters (or any),
// and a validity window [valid_from, valid_until).
struct Scope {
  static constexpr const char* kAny = "*";
  std::string region = kAny;           // a region code whose whole subtree is covered, or "*"
  std::string department = kAny;       // a department code, or "*"
  std::vector<std::string> matters{};  // matter codes; empty means any matter
  int64_t valid_from = 0;
  std::optional<int64_t> valid_until{};  // exclusive; nullopt: no end
};

// What an action touches. An empty field stands for "the whole installation" in that dimension,
// which only a scope of "*" (or, for matters, "any") covers; callers pass concrete values.
struct Target {
  std::string region{};
  std::string department{};
  std::string matter{};
};

struct RoleGrant {
  std::string id{};
  std::string account_id{};
  std::string role{};
  Scope scope{};
  std::string granted_by{};  // account id; empty for seeded/demo data
  int64_t granted_at = 0;
};

// A grant as a principal carries it: with its role's permissions expanded.
struct HeldGrant {
  RoleGrant grant{};
  AdminDuty admin_duty = AdminDuty::kNone;
  std::vector<std::string> permissions{};  // sorted
};

// GET /accounts: which staff accounts to list, keyset-paged by id.
struct AccountQuery {
  std::string region{};      // a region code: it and its subtree; empty for any
  std::string department{};  // a department code; empty for any
  std::string role{};        // accounts holding a grant of it that is not revoked; empty for any
  std::string after{};       // the cursor: the last id of the previous page; empty for the first
  int limit = 50;
};

// A listed account with the roles of its grants that are not revoked.
struct AccountListing {
  Account account{};
  std::vector<std::string> roles{};  // sorted, each once
};

struct AccountPage {
  std::vector<AccountListing> items{};
  std::string next_cursor{};  // empty when no more accounts may follow
};

struct Enterprise {
  std::string uscc{};
  std::string name{};
  std::string legal_representative{};  // account id of a citizen
  int64_t registered_at = 0;
};

// A legal representative's authorisation of an agent (经办人) to act for the enterprise.
struct AgentAuthorisation {
  std::string id{};
  std::string uscc{};
  std::string agent_account{};
  int64_t valid_from = 0;
  std::optional<int64_t> valid_until{};
  std::string granted_by{};
  int64_t granted_at = 0;
  std::optional<int64_t> revoked_at{};
};

enum class EnterpriseRelation { kLegalRepresentative, kAgent };

// An enterprise a principal may act for, and why.
struct Agency {
  std::string uscc{};
  std::string enterprise_name{};
  EnterpriseRelation relation = EnterpriseRelation::kAgent;
  std::string authorisation_id{};  // agents only
  int64_t valid_from = 0;
  std::optional<int64_t> valid_until{};
};

// The authenticated caller of one request: the account, its session, and everything needed to
// authorise without another database round trip.
struct Principal {
  Account account{};
  std::string session_id{};
  int64_t session_expires_at = 0;
  std::vector<HeldGrant> grants{};  // not revoked; validity is checked at use
  std::vector<Agency> agencies{};   // not revoked; validity is checked at use
};

}  // namespace tongban::people

namespace tongban::people {

// Wire and storage names of the enums above ("citizen", "staff", "active", "system", ...).
std::string_view AccountKindName(AccountKind kind);
std::optional<AccountKind> ParseAccountKind(std::string_view name);
std::string_view AccountStatusName(AccountStatus status);
std::optional<AccountStatus> ParseAccountStatus(std::string_view name);
std::string_view AdminDutyName(AdminDuty duty);
std::optional<AdminDuty> ParseAdminDuty(std::string_view name);
std::string_view EnterpriseRelationName(EnterpriseRelation relation);

}  // namespace tongban::people
