// The people service: citizen registration by real name with an SMS code, enterprises and their
// agents, staff accounts, roles granted with a scope, password and code login with lockout,
// opaque bearer tokens, and the Authorize() check every write of every capability calls.
// Callers at the edges (HTTP routes, the command line) translate to and from these types.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "people/authorization.h"
#include "people/clock.h"
#include "people/model.h"
#include "people/password.h"
#include "people/repository.h"
#include "people/roles.h"
#include "people/sms.h"
#include "store/database.h"

namespace tongban::people {

struct PeopleOptions {
  PasswordOptions password = PasswordOptions::Interactive();
  int64_t staff_session_ms = 8 * kHourMs;    // a working day
  int64_t citizen_session_ms = 30 * kDayMs;  // a phone stays logged in for a month
  int max_failed_logins = 5;                 // wrong passwords in a row before a lockout
  int64_t lockout_ms = 15 * kMinuteMs;
  int64_t code_ttl_ms = 5 * kMinuteMs;          // an SMS code's life
  int max_code_attempts = 5;                    // wrong tries before a code is void
  int64_t code_resend_interval_ms = kMinuteMs;  // per phone
  int max_codes_per_hour = 5;                   // per phone
  int64_t touch_interval_ms = kMinuteMs;        // how stale a session's last_used_at may get
  // How long an authenticated principal is answered from memory instead of four reads per
  // request. Every change this service makes to sessions, accounts, grants, agents or roles
  // empties the cache when it commits, so a logout or revocation through this process stops the
  // token at once; another process sharing the database (several servers over one PostgreSQL)
  // is seen within this bound. 0 reads the database every time.
  int64_t principal_cache_ms = 5 * kSecondMs;
};

enum class CodePurpose { kRegister, kLogin };
std::string_view CodePurposeName(CodePurpose purpose);

struct SmsCodeRequest {
  std::string phone{};
  CodePurpose purpose = CodePurpose::kRegister;
};

struct SmsCodeSent {
  int64_t expires_at = 0;    // the code's end of life
  int64_t resend_after = 0;  // the earliest time the next code may be requested
};

struct CitizenRegistration {
  std::string id_number{};
  std::string name{};
  std::string phone{};
  std::string code{};
  std::optional<std::string> password{};  // optional: without it, log in with phone + code
};

struct EnterpriseRegistration {
  std::string uscc{};
  std::string name{};
  std::string legal_representative{};  // account id of a citizen
};

struct AgentRequest {
  std::string uscc{};
  std::string id_number{};  // the agent's real name must already be registered
  std::string name{};
  std::optional<int64_t> valid_from{};  // default: now
  int64_t valid_until = 0;
};

struct StaffAccountRequest {
  std::string username{};
  std::string name{};
  std::string password{};
  std::string region{};
  std::string department{};  // optional
  std::string phone{};       // optional
};

struct GrantRequest {
  std::string account_id{};
  std::string role{};
  Scope scope{};  // its valid_from is not read: ValidateGrantRequest sets it from valid_from
  std::optional<int64_t> valid_from{};  // when the grant starts (any instant); now when not given
};

enum class LoginMethod {
  kUsernamePassword,  // staff
  kIdNumberPassword,  // citizens who set a password
  kPhoneCode,         // citizens: a code sent by SMS (purpose login)
};

struct LoginRequest {
  LoginMethod method = LoginMethod::kUsernamePassword;
  std::string identifier{};  // username, ID number or phone
  std::string secret{};      // password or code
};

// A new session: the token is returned once and never stored.
struct IssuedSession {
  std::string token{};
  std::string session_id{};
  int64_t expires_at = 0;
  Account account{};
};

// Checks of each request's fields, shared with the HTTP edge so that one answer lists every
// invalid field. They normalise what they check (ID numbers, USCCs, region codes) in place.
void ValidateCitizenRegistration(CitizenRegistration& r, int64_t now_ms, FieldErrors& errors);
void ValidateEnterpriseRegistration(EnterpriseRegistration& r, FieldErrors& errors);
void ValidateAgentRequest(AgentRequest& r, int64_t now_ms, FieldErrors& errors);
void ValidateStaffAccountRequest(StaffAccountRequest& r, FieldErrors& errors);
// Also sets r.scope.valid_from to r.valid_from, or to `now_ms` when it is not given.
void ValidateGrantRequest(GrantRequest& r, int64_t now_ms, FieldErrors& errors);

class PeopleService {
 public:
  // Loads the module's queries. `sms`, `db` and `clock` must outlive the service.
  static Result<std::unique_ptr<PeopleService>> Create(store::Database& db, SmsGateway& sms,
                                                       const Clock& clock, PeopleOptions options);

  // Brings the stored roles to the shipped catalog (start-up; idempotent; see SeedRoles).
  Status SeedRoles();

  // Sends a one-time code. Rate-limited per phone (kTooManyRequests). The answer never tells
  // whether the phone has an account: a registration code is sent to a registered phone as to
  // any other (RegisterCitizen reports the conflict to the holder of the code), and for login a
  // phone without an account is answered the same as one with, but nothing is sent.
  Result<SmsCodeSent> RequestSmsCode(SmsCodeRequest request);

  // Registers a citizen by real name; the code must be the newest one sent to the phone for
  // registration, unexpired, and tried fewer than max_code_attempts times. The account gets
  // the applicant role. kInvalidArgument names every bad field (a wrong code is field "code");
  // kTooManyRequests once a code's attempts are used up; kAlreadyExists for a registered ID
  // number or phone.
  Result<Account> RegisterCitizen(CitizenRegistration request);

  // Registers an enterprise with its legal representative: the caller itself, or anyone when
  // the caller holds enterprise.register over the USCC's region (a window).
  Result<Enterprise> RegisterEnterprise(const Principal& caller, EnterpriseRegistration request);

  // The enterprise's legal representative authorises a registered citizen as its agent (经办人)
  // until valid_until; the agent also receives the enterprise_agent role.
  Result<AgentAuthorisation> AuthoriseAgent(const Principal& caller, AgentRequest request);
  // The legal representative revokes an authorisation.
  Status RevokeAgent(const Principal& caller, const std::string& uscc,
                     const std::string& authorisation_id);
  // Every authorisation of the enterprise, revoked ones included, oldest first.
  Result<std::vector<AgentAuthorisation>> ListAgents(const std::string& uscc);

  // Creates a staff account; needs account.create over the account's region and department.
  Result<Account> CreateStaffAccount(const Principal& caller, StaffAccountRequest request);

  // Grants a role with a scope; needs role.grant over a scope containing the new one. Refused
  // (kRefused): granting to oneself, a role for the other kind of account, a disabled account,
  // and a second administrator duty on one account (三员分立).
  Result<RoleGrant> GrantRole(const Principal& caller, GrantRequest request);
  // Creates a staff account with its grants and no calling principal: for the operator at the
  // server's command line (`tongban people add-staff`), who holds the database anyway, to set
  // up the first administrators. Validation and 三员分立 apply as in GrantRole.
  Result<Account> BootstrapStaffAccount(StaffAccountRequest request,
                                        std::vector<GrantRequest> grants);
  // Revokes a grant; needs role.grant over a scope containing the grant's. A caller holding
  // role.grant nowhere gets kForbidden whether the grant exists or not.
  Status RevokeGrant(const Principal& caller, const std::string& account_id,
                     const std::string& grant_id);

  // Logs in. Nothing about the account is told before its secret is proven: an unknown
  // account, a wrong password or code, and an account without a password all answer the same
  // kUnauthenticated after the same Argon2id work. Every wrong password counts, whatever the
  // account's state; the max_failed_logins-th in a row locks the account for lockout_ms. Only to
  // the right secret does a locked account answer kLocked and a disabled one kForbidden.
  Result<IssuedSession> Login(LoginRequest request);

  // The principal behind a bearer token; kUnauthenticated when the token is malformed, unknown,
  // expired or revoked, or its account disabled. Refreshes last_used_at at most once per
  // touch_interval_ms. Answered from the principal cache when it holds the token (see
  // PeopleOptions::principal_cache_ms).
  Result<Principal> Authenticate(std::string_view token);

  // Ends the caller's session (logout).
  Status Logout(const Principal& caller);
  // Ends every session of an account: one's own, or another's with account.update over the
  // account's region. Returns how many were ended. A caller holding account.update nowhere gets
  // kForbidden for another's id whether it exists or not.
  Result<int> RevokeAllSessions(const Principal& caller, const std::string& account_id);

  // Authorize() at the service's current time.
  Status Authorize(const Principal& caller, std::string_view permission,
                   const Target& target) const;

  Result<RoleCatalog> ListRoles();
  Result<Account> GetAccount(const std::string& id);

  // An account as the caller may see it: its own, or any with account.read over the account's
  // region and department. A caller holding account.read nowhere gets kForbidden whether the
  // account exists or not; then kNotFound, then kForbidden naming the scope.
  Result<Account> ReadAccount(const Principal& caller, const std::string& id);
  // Staff accounts for the administrators' list: those inside the caller's account.read grants
  // (region subtree and department), matching `query`, by id, with their roles. A caller
  // holding account.read nowhere gets kForbidden.
  Result<AccountPage> ListAccounts(const Principal& caller, const AccountQuery& query);
  // An enterprise as the caller may see it: its legal representative, an agent whose
  // authorisation is valid now, or staff with enterprise.register or enterprise.serve over the
  // USCC's region. Others get kForbidden whether it is registered or not.
  Result<Enterprise> ReadEnterprise(const Principal& caller, const std::string& uscc);

  // The service's time, in milliseconds since the epoch.
  int64_t Now() const { return EpochMs(clock_); }
  const PeopleOptions& options() const { return options_; }
  SmsGateway& sms() { return sms_; }

 private:
  PeopleService(store::Database& db, SmsGateway& sms, const Clock& clock, PeopleOptions options,
                PeopleRepository repo)
      : db_(db), sms_(sms), clock_(clock), options_(options), repo_(std::move(repo)) {}

  enum class CodeCheck { kOk, kMissing, kExpired, kWrong, kExhausted };
  // Checks `code` against the newest live code; counts a wrong try. Does not consume it.
  CodeCheck CheckCode(soci::session& sql, const std::string& phone, CodePurpose purpose,
                      const std::string& code, int64_t now, std::string* code_id) const;
  // Inserts a validated staff account; kAlreadyExists when the username is taken.
  Result<Account> InsertStaffAccount(soci::session& sql, const StaffAccountRequest& request,
                                     const std::string& password_hash,
                                     const std::string& created_by, int64_t now) const;
  // Checks and inserts one grant (account active, role known and for its kind, 三员分立).
  Result<RoleGrant> InsertGrantChecked(soci::session& sql, const GrantRequest& request,
                                       const std::string& granted_by, int64_t now) const;
  Result<IssuedSession> IssueSession(soci::session& sql, const Account& account, int64_t now) const;
  // The dummy hash verified when a login names no account, so both take the same time.
  const std::string& DummyHash();

  // Empties the principal cache; returns `committed` unchanged. Wraps every write transaction
  // that may change what a cached principal holds, after its commit.
  template <typename R>
  R Changed(R committed) {
    ForgetPrincipals();
    return committed;
  }
  void ForgetPrincipals();

  struct CachedPrincipal {
    Principal principal;
    int64_t cached_at = 0;     // when it was read from the database
    int64_t last_used_at = 0;  // the session's last_used_at as last written
  };

  store::Database& db_;
  SmsGateway& sms_;
  const Clock& clock_;
  PeopleOptions options_;
  PeopleRepository repo_;
  std::once_flag dummy_once_;
  std::string dummy_hash_{};
  std::mutex principals_mu_;
  // By token hash. generation_ counts ForgetPrincipals() calls: a principal read from the
  // database is cached only if no change committed since its read began.
  std::unordered_map<std::string, CachedPrincipal> principals_;
  uint64_t generation_ = 0;
};

}  // namespace tongban::people
