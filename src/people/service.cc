#include "people/service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "people/secrets.h"
#include "people/timestamp.h"
#include "people/validate.h"

namespace tongban::people {

using store::TxKind;
namespace {

constexpr size_t kMaxPersonName = 50;
constexpr size_t kMaxEnterpriseName = 100;

Error NotFound(std::string what) { return Error(ErrorCode::kNotFound, std::move(what)); }

Error Refused(std::string why) { return Error(ErrorCode::kRefused, std::move(why)); }

std::string SmsText(const std::string& code, CodePurpose purpose, int64_t ttl_ms) {
  return fmt::format("【通办】您的{}验证码是{}，{}分钟内有效。请勿告诉他人。",
                     purpose == CodePurpose::kRegister ? "注册" : "登录", code, ttl_ms / kMinuteMs);
}

const Role* FindRole(const std::vector<Role>& roles, std::string_view name) {
  auto it = std::find_if(roles.begin(), roles.end(), [&](const Role& r) { return r.name == name; });
  return it == roles.end() ? nullptr : &*it;
}

}  // namespace

std::string_view CodePurposeName(CodePurpose purpose) {
  return purpose == CodePurpose::kRegister ? "register" : "login";
}

void ValidateCitizenRegistration(CitizenRegistration& r, int64_t now_ms, FieldErrors& errors) {
  r.id_number = CheckIdNumber(r.id_number, "id_number", now_ms, errors);
  r.name = CheckName(r.name, "name", kMaxPersonName, errors);
  r.phone = CheckPhone(r.phone, "phone", errors);
  CheckCode(r.code, "code", errors);
  if (r.password) CheckPassword(*r.password, "password", errors);
}

void ValidateEnterpriseRegistration(EnterpriseRegistration& r, FieldErrors& errors) {
  r.uscc = CheckUscc(r.uscc, "uscc", errors);
  r.name = CheckName(r.name, "name", kMaxEnterpriseName, errors);
  if (r.legal_representative.empty()) errors.Add("legal_representative", "is required");
}

void ValidateAgentRequest(AgentRequest& r, int64_t now_ms, FieldErrors& errors) {
  r.uscc = CheckUscc(r.uscc, "uscc", errors);
  r.id_number = CheckIdNumber(r.id_number, "id_number", now_ms, errors);
  r.name = CheckName(r.name, "name", kMaxPersonName, errors);
  const int64_t from = r.valid_from.value_or(now_ms);
  if (r.valid_until <= from) {
    errors.Add("valid_until", "must be after valid_from (or now, when valid_from is not given)");
  } else if (r.valid_until <= now_ms) {
    errors.Add("valid_until", "must be in the future");
  }
}

void ValidateStaffAccountRequest(StaffAccountRequest& r, FieldErrors& errors) {
  r.username = CheckUsername(r.username, "username", errors);
  r.name = CheckName(r.name, "name", kMaxPersonName, errors);
  CheckPassword(r.password, "password", errors);
  r.region = CheckRegion(r.region, "region", false, errors);
  if (!r.department.empty())
    r.department = CheckDepartment(r.department, "department", false, errors);
  if (!r.phone.empty()) r.phone = CheckPhone(r.phone, "phone", errors);
}

void ValidateGrantRequest(GrantRequest& r, int64_t now_ms, FieldErrors& errors) {
  r.scope.valid_from = r.valid_from.value_or(now_ms);
  if (r.account_id.empty()) errors.Add("account_id", "is required");
  if (r.role.empty()) errors.Add("role", "is required");
  CheckScope(r.scope, "scope", errors);
}

Result<std::unique_ptr<PeopleService>> PeopleService::Create(store::Database& db, SmsGateway& sms,
                                                             const Clock& clock,
                                                             PeopleOptions options) {
  TB_ASSIGN_OR_RETURN(PeopleRepository repo, PeopleRepository::Create(db.backend()));
  EnsureSodium();
  return std::unique_ptr<PeopleService>(
      new PeopleService(db, sms, clock, options, std::move(repo)));
}

Status PeopleService::SeedRoles() {
  TB_ASSIGN_OR_RETURN(RoleCatalog catalog, ShippedRoles());
  return Changed(db_.Transaction(TxKind::kWrite, [&](soci::session& sql) -> Status {
    const RoleSync sync = people::SeedRoles(sql, repo_, catalog);
    if (sync.permissions_granted + sync.permissions_withdrawn > 0) {
      spdlog::info("roles updated to this release: {} permissions granted, {} withdrawn",
                   sync.permissions_granted, sync.permissions_withdrawn);
    }
    return Ok();
  }));
}

Result<SmsCodeSent> PeopleService::RequestSmsCode(SmsCodeRequest request) {
  FieldErrors errors;
  const std::string phone = CheckPhone(request.phone, "phone", errors);
  if (!errors.empty()) return errors.ToError("the code request is invalid");
  const int64_t now = Now();
  const std::string code = NewSmsCode();
  bool send = true;
  SmsCodeSent sent;
  Status s = db_.Transaction(TxKind::kWrite, [&](soci::session& sql) -> Status {
    repo_.LockPhone(sql, phone);
    const SmsSendStats stats = repo_.SmsCodesSince(sql, phone, now - kHourMs);
    if (stats.count > 0 && now - stats.latest_at < options_.code_resend_interval_ms) {
      const int64_t wait = (stats.latest_at + options_.code_resend_interval_ms - now + 999) / 1000;
      return Error(ErrorCode::kTooManyRequests,
                   fmt::format("a code was sent to this phone moments ago; retry in {} s", wait));
    }
    if (stats.count >= options_.max_codes_per_hour) {
      return Error(ErrorCode::kTooManyRequests,
                   fmt::format("at most {} codes per hour are sent to one phone",
                               options_.max_codes_per_hour));
    }
    // A registration code goes to a registered phone too: refusing it would tell anyone who
    // is registered. Only the phone's holder gets the code, and RegisterCitizen tells the
    // conflict to whoever brings it.
    const bool registered = repo_.FindCitizenByPhone(sql, phone).has_value();
    sent.expires_at = now + options_.code_ttl_ms;
    sent.resend_after = now + options_.code_resend_interval_ms;
    if (request.purpose == CodePurpose::kLogin && !registered) {
      send = false;  // answered like a real send, so the phone's status is not revealed
      return Ok();
    }
    StoredSmsCode stored;
    stored.id = NewId("sms_", now);
    stored.phone = phone;
    stored.purpose = std::string(CodePurposeName(request.purpose));
    stored.salt = NewSalt();
    stored.code_hash = HashSmsCode(code, phone, stored.salt);
    stored.created_at = now;
    stored.expires_at = sent.expires_at;
    repo_.InsertSmsCode(sql, stored);
    return Ok();
  });
  TB_RETURN_IF_ERROR(s);
  if (send) {
    Status delivered =
        sms_.Send(SmsMessage{phone, SmsText(code, request.purpose, options_.code_ttl_ms), now});
    if (!delivered.ok()) {
      return Error(ErrorCode::kUnavailable, "the SMS gateway cannot send now; try again later");
    }
  }
  return sent;
}

PeopleService::CodeCheck PeopleService::CheckCode(soci::session& sql, const std::string& phone,
                                                  CodePurpose purpose, const std::string& code,
                                                  int64_t now, std::string* code_id) const {
  auto live = repo_.FindLiveSmsCode(sql, phone, std::string(CodePurposeName(purpose)));
  if (!live) return CodeCheck::kMissing;
  if (now >= live->expires_at) return CodeCheck::kExpired;
  if (live->attempts >= options_.max_code_attempts) return CodeCheck::kExhausted;
  if (!ConstantTimeEquals(HashSmsCode(code, phone, live->salt), live->code_hash)) {
    repo_.CountSmsCodeAttempt(sql, live->id);
    return CodeCheck::kWrong;
  }
  *code_id = live->id;
  return CodeCheck::kOk;
}

Result<Account> PeopleService::RegisterCitizen(CitizenRegistration request) {
  const int64_t now = Now();
  FieldErrors errors;
  ValidateCitizenRegistration(request, now, errors);
  if (!errors.empty()) return errors.ToError("the registration is invalid");
  std::string password_hash;
  if (request.password) {
    TB_ASSIGN_OR_RETURN(password_hash, HashPassword(*request.password, options_.password));
  }
  // A wrong code must be counted even though the registration fails, so the transaction
  // commits and the outcome travels out beside it.
  CodeCheck check = CodeCheck::kOk;
  auto account =
      db_.Transaction<Account>(TxKind::kWrite, [&](soci::session& sql) -> Result<Account> {
        std::string code_id;
        check = CheckCode(sql, request.phone, CodePurpose::kRegister, request.code, now, &code_id);
        if (check != CodeCheck::kOk) return Account{};
        if (repo_.FindAccountByIdNumber(sql, request.id_number)) {
          return Error(ErrorCode::kAlreadyExists, "this ID number is already registered");
        }
        if (repo_.FindCitizenByPhone(sql, request.phone)) {
          return Error(ErrorCode::kAlreadyExists, "this phone already belongs to an account");
        }
        Account a;
        a.id = NewId("acc_", now);
        a.kind = AccountKind::kCitizen;
        a.name = request.name;
        a.id_number = request.id_number;
        a.phone = request.phone;
        a.created_at = now;
        repo_.InsertAccount(sql, a, password_hash, "");
        repo_.InsertGrant(sql, RoleGrant{.id = NewId("grt_", now),
                                         .account_id = a.id,
                                         .role = "applicant",
                                         .scope = Scope{.valid_from = now},
                                         .granted_by = "",
                                         .granted_at = now});
        repo_.ConsumeSmsCode(sql, code_id, now);
        return a;
      });
  if (!account.ok()) return account;
  switch (check) {
    case CodeCheck::kOk:
      return account;
    case CodeCheck::kMissing:
      errors.Add("code", "no code was sent to this phone for registration; request one");
      break;
    case CodeCheck::kExpired:
      errors.Add("code", "has expired; request a new one");
      break;
    case CodeCheck::kWrong:
      errors.Add("code", "is wrong");
      break;
    case CodeCheck::kExhausted:
      return Error(ErrorCode::kTooManyRequests,
                   "this code was tried too many times; request a new one");
  }
  return errors.ToError("the registration is invalid");
}

Result<Enterprise> PeopleService::RegisterEnterprise(const Principal& caller,
                                                     EnterpriseRegistration request) {
  FieldErrors errors;
  ValidateEnterpriseRegistration(request, errors);
  if (!errors.empty()) return errors.ToError("the enterprise registration is invalid");
  const int64_t now = Now();
  if (request.legal_representative != caller.account.id) {
    TB_RETURN_IF_ERROR(people::Authorize(caller, "enterprise.register",
                                         Target{.region = UsccRegion(request.uscc)}, now));
  }
  return Changed(
      db_.Transaction<Enterprise>(TxKind::kWrite, [&](soci::session& sql) -> Result<Enterprise> {
        auto rep = repo_.FindAccountById(sql, request.legal_representative);
        if (!rep || rep->account.kind != AccountKind::kCitizen ||
            rep->account.status != AccountStatus::kActive) {
          FieldErrors e;
          e.Add("legal_representative", "must be the id of an active citizen account");
          return e.ToError("the enterprise registration is invalid");
        }
        if (repo_.FindEnterprise(sql, request.uscc)) {
          return Error(ErrorCode::kAlreadyExists,
                       fmt::format("enterprise {} is already registered", request.uscc));
        }
        Enterprise e{.uscc = request.uscc,
                     .name = request.name,
                     .legal_representative = request.legal_representative,
                     .registered_at = now};
        repo_.InsertEnterprise(sql, e, caller.account.id);
        return e;
      }));
}

Result<AgentAuthorisation> PeopleService::AuthoriseAgent(const Principal& caller,
                                                         AgentRequest request) {
  const int64_t now = Now();
  FieldErrors errors;
  ValidateAgentRequest(request, now, errors);
  if (!errors.empty()) return errors.ToError("the authorisation is invalid");
  return Changed(db_.Transaction<AgentAuthorisation>(
      TxKind::kWrite, [&](soci::session& sql) -> Result<AgentAuthorisation> {
        auto enterprise = repo_.FindEnterprise(sql, request.uscc);
        if (!enterprise)
          return NotFound(fmt::format("enterprise {} is not registered", request.uscc));
        if (enterprise->legal_representative != caller.account.id) {
          return Error(ErrorCode::kForbidden,
                       fmt::format("only the legal representative of {} authorises its agents",
                                   request.uscc));
        }
        auto agent = repo_.FindAccountByIdNumber(sql, request.id_number);
        FieldErrors e;
        if (!agent || agent->account.kind != AccountKind::kCitizen) {
          e.Add("id_number", "no citizen has registered with this ID number");
        } else if (agent->account.name != request.name) {
          e.Add("name", "does not match the registered real name");
        } else if (agent->account.id == caller.account.id) {
          e.Add("id_number",
                "the legal representative acts for the enterprise without authorisation");
        }
        if (!e.empty()) return e.ToError("the authorisation is invalid");
        repo_.LockAccount(sql, agent->account.id);
        for (const AgentAuthorisation& a : repo_.ListAgentAuthorisations(sql, request.uscc)) {
          if (a.agent_account == agent->account.id && !a.revoked_at &&
              (!a.valid_until || *a.valid_until > now)) {
            return Error(ErrorCode::kAlreadyExists,
                         fmt::format("{} already has an authorisation ({}) for {}", request.name,
                                     a.id, request.uscc));
          }
        }
        AgentAuthorisation a{.id = NewId("agt_", now),
                             .uscc = request.uscc,
                             .agent_account = agent->account.id,
                             .valid_from = request.valid_from.value_or(now),
                             .valid_until = request.valid_until,
                             .granted_by = caller.account.id,
                             .granted_at = now,
                             .revoked_at = std::nullopt};
        repo_.InsertAgentAuthorisation(sql, a);
        const auto held = repo_.ListHeldGrants(sql, agent->account.id);
        const bool has_role = std::any_of(held.begin(), held.end(), [](const HeldGrant& g) {
          return g.grant.role == "enterprise_agent";
        });
        if (!has_role) {
          repo_.InsertGrant(sql, RoleGrant{.id = NewId("grt_", now),
                                           .account_id = agent->account.id,
                                           .role = "enterprise_agent",
                                           .scope = Scope{.valid_from = now},
                                           .granted_by = caller.account.id,
                                           .granted_at = now});
        }
        return a;
      }));
}

Status PeopleService::RevokeAgent(const Principal& caller, const std::string& uscc,
                                  const std::string& authorisation_id) {
  const int64_t now = Now();
  return Changed(db_.Transaction(TxKind::kWrite, [&](soci::session& sql) -> Status {
    auto enterprise = repo_.FindEnterprise(sql, uscc);
    if (!enterprise) return NotFound(fmt::format("enterprise {} is not registered", uscc));
    if (enterprise->legal_representative != caller.account.id) {
      return Error(ErrorCode::kForbidden,
                   fmt::format("only the legal representative of {} revokes its agents", uscc));
    }
    for (const AgentAuthorisation& a : repo_.ListAgentAuthorisations(sql, uscc)) {
      if (a.id == authorisation_id && !a.revoked_at) {
        repo_.RevokeAgentAuthorisation(sql, a.id, now, caller.account.id);
        return Ok();
      }
    }
    return NotFound(fmt::format("no active authorisation {} for {}", authorisation_id, uscc));
  }));
}

Result<std::vector<AgentAuthorisation>> PeopleService::ListAgents(const std::string& uscc) {
  return db_.Transaction<std::vector<AgentAuthorisation>>(
      TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<AgentAuthorisation>> {
        return repo_.ListAgentAuthorisations(sql, uscc);
      });
}

Result<Account> PeopleService::CreateStaffAccount(const Principal& caller,
                                                  StaffAccountRequest request) {
  FieldErrors errors;
  ValidateStaffAccountRequest(request, errors);
  if (!errors.empty()) return errors.ToError("the account is invalid");
  const int64_t now = Now();
  TB_RETURN_IF_ERROR(
      people::Authorize(caller, "account.create",
                        Target{.region = request.region, .department = request.department}, now));
  TB_ASSIGN_OR_RETURN(std::string hash, HashPassword(request.password, options_.password));
  return Changed(
      db_.Transaction<Account>(TxKind::kWrite, [&](soci::session& sql) -> Result<Account> {
        return InsertStaffAccount(sql, request, hash, caller.account.id, now);
      }));
}

Result<Account> PeopleService::InsertStaffAccount(soci::session& sql,
                                                  const StaffAccountRequest& request,
                                                  const std::string& password_hash,
                                                  const std::string& created_by,
                                                  int64_t now) const {
  if (repo_.FindAccountByUsername(sql, request.username)) {
    return Error(ErrorCode::kAlreadyExists,
                 fmt::format("username '{}' is taken", request.username));
  }
  Account a;
  a.id = NewId("acc_", now);
  a.kind = AccountKind::kStaff;
  a.name = request.name;
  a.username = request.username;
  a.phone = request.phone;
  a.region = request.region;
  a.department = request.department;
  a.created_at = now;
  repo_.InsertAccount(sql, a, password_hash, created_by);
  return a;
}

Result<RoleGrant> PeopleService::GrantRole(const Principal& caller, GrantRequest request) {
  const int64_t now = Now();
  FieldErrors errors;
  ValidateGrantRequest(request, now, errors);
  if (!errors.empty()) return errors.ToError("the grant is invalid");
  TB_RETURN_IF_ERROR(AuthorizeWithin(caller, "role.grant", request.scope, now));
  if (request.account_id == caller.account.id) {
    return Refused("nobody grants roles to their own account");
  }
  return Changed(
      db_.Transaction<RoleGrant>(TxKind::kWrite, [&](soci::session& sql) -> Result<RoleGrant> {
        return InsertGrantChecked(sql, request, caller.account.id, now);
      }));
}

Result<RoleGrant> PeopleService::InsertGrantChecked(soci::session& sql, const GrantRequest& request,
                                                    const std::string& granted_by,
                                                    int64_t now) const {
  repo_.LockAccount(sql, request.account_id);
  auto target = repo_.FindAccountById(sql, request.account_id);
  if (!target) return NotFound(fmt::format("no account {}", request.account_id));
  if (target->account.status != AccountStatus::kActive) {
    return Refused(fmt::format("account {} is disabled", request.account_id));
  }
  const std::vector<Role> roles = repo_.ListRoles(sql);
  const Role* role = FindRole(roles, request.role);
  if (!role) {
    FieldErrors e;
    e.Add("role", fmt::format("'{}' is not a role", request.role));
    return e.ToError("the grant is invalid");
  }
  if (role->account_kind != target->account.kind) {
    return Refused(fmt::format("role {} is for {} accounts, and {} is a {} account", role->name,
                               AccountKindName(role->account_kind), request.account_id,
                               AccountKindName(target->account.kind)));
  }
  if (role->admin_duty != AdminDuty::kNone) {
    for (const HeldGrant& g : repo_.ListHeldGrants(sql, request.account_id)) {
      if (g.admin_duty != AdminDuty::kNone && g.admin_duty != role->admin_duty) {
        return Refused(fmt::format(
            "三员分立: account {} already holds {} ({} duty); {} ({} duty) must go to a "
            "different account",
            request.account_id, g.grant.role, AdminDutyName(g.admin_duty), role->name,
            AdminDutyName(role->admin_duty)));
      }
    }
  }
  RoleGrant g{.id = NewId("grt_", now),
              .account_id = request.account_id,
              .role = request.role,
              .scope = request.scope,
              .granted_by = granted_by,
              .granted_at = now};
  repo_.InsertGrant(sql, g);
  return g;
}

Result<Account> PeopleService::BootstrapStaffAccount(StaffAccountRequest request,
                                                     std::vector<GrantRequest> grants) {
  const int64_t now = Now();
  FieldErrors errors;
  ValidateStaffAccountRequest(request, errors);
  for (size_t i = 0; i < grants.size(); ++i) {
    grants[i].scope.valid_from = grants[i].valid_from.value_or(now);
    if (grants[i].role.empty()) errors.Add(fmt::format("grants/{}/role", i), "is required");
    CheckScope(grants[i].scope, fmt::format("grants/{}/scope", i), errors);
  }
  if (!errors.empty()) return errors.ToError("the account is invalid");
  TB_ASSIGN_OR_RETURN(std::string hash, HashPassword(request.password, options_.password));
  return Changed(
      db_.Transaction<Account>(TxKind::kWrite, [&](soci::session& sql) -> Result<Account> {
        TB_ASSIGN_OR_RETURN(Account a, InsertStaffAccount(sql, request, hash, "", now));
        for (GrantRequest& g : grants) {
          g.account_id = a.id;
          TB_RETURN_IF_ERROR(InsertGrantChecked(sql, g, "", now));
        }
        return a;
      }));
}

Status PeopleService::RevokeGrant(const Principal& caller, const std::string& account_id,
                                  const std::string& grant_id) {
  const int64_t now = Now();
  // Permission first: a caller without it cannot tell which grants exist.
  if (!HoldsPermission(caller, "role.grant", now)) {
    return Error(ErrorCode::kForbidden, "missing permission 'role.grant'");
  }
  return Changed(db_.Transaction(TxKind::kWrite, [&](soci::session& sql) -> Status {
    auto grant = repo_.FindGrant(sql, grant_id);
    if (!grant || grant->account_id != account_id) {
      return NotFound(fmt::format("account {} has no grant {}", account_id, grant_id));
    }
    TB_RETURN_IF_ERROR(AuthorizeWithin(caller, "role.grant", grant->scope, now));
    repo_.RevokeGrant(sql, grant_id, now, caller.account.id);
    return Ok();
  }));
}

const std::string& PeopleService::DummyHash() {
  std::call_once(dummy_once_, [this] {
    auto h = HashPassword("tongban-dummy-password", options_.password);
    dummy_hash_ = h.ok() ? *h : "";
  });
  return dummy_hash_;
}

Result<IssuedSession> PeopleService::IssueSession(soci::session& sql, const Account& account,
                                                  int64_t now) const {
  IssuedSession out;
  out.token = NewToken();
  out.session_id = NewId("ses_", now);
  out.expires_at = now + (account.kind == AccountKind::kStaff ? options_.staff_session_ms
                                                              : options_.citizen_session_ms);
  out.account = account;
  StoredSession stored{.id = out.session_id,
                       .account_id = account.id,
                       .expires_at = out.expires_at,
                       .revoked_at = std::nullopt,
                       .last_used_at = now};
  repo_.InsertSession(sql, stored, HashToken(out.token), now);
  return out;
}

Result<IssuedSession> PeopleService::Login(LoginRequest request) {
  const int64_t now = Now();
  const Error wrong(ErrorCode::kUnauthenticated, request.method == LoginMethod::kPhoneCode
                                                     ? "wrong phone number or code"
                                                     : "wrong username or password");
  if (request.identifier.empty() || request.secret.empty()) return wrong;
  std::string key = request.identifier;
  if (request.method == LoginMethod::kIdNumberPassword) {
    FieldErrors ignored;
    key = CheckIdNumber(request.identifier, "id_number", now, ignored);
  }
  auto found = db_.Transaction<std::optional<StoredAccount>>(
      TxKind::kRead, [&](soci::session& sql) -> Result<std::optional<StoredAccount>> {
        switch (request.method) {
          case LoginMethod::kUsernamePassword:
            return repo_.FindAccountByUsername(sql, key);
          case LoginMethod::kIdNumberPassword:
            if (key.empty()) return std::optional<StoredAccount>();
            return repo_.FindAccountByIdNumber(sql, key);
          case LoginMethod::kPhoneCode:
            return repo_.FindCitizenByPhone(sql, key);
        }
        return std::optional<StoredAccount>();
      });
  TB_RETURN_IF_ERROR(found);
  // Nothing about the account (its existence, lock or status) is revealed before the secret is
  // proven: an unknown account, a wrong secret and an account without a password all answer the
  // same 401 after the same Argon2id work.
  if (!found->has_value()) {
    if (request.method != LoginMethod::kPhoneCode) VerifyPassword(DummyHash(), request.secret);
    return wrong;
  }
  const StoredAccount stored = std::move(**found);
  const Account& account = stored.account;
  // Once the secret is proven, the account's state may be told.
  const auto refusal = [&](const StoredAccount& current) -> std::optional<Error> {
    if (current.account.status != AccountStatus::kActive) {
      return Error(ErrorCode::kForbidden, "the account is disabled");
    }
    if (current.locked_until > now) {
      return Error(ErrorCode::kLocked,
                   fmt::format("too many failed logins; the account is locked until {}",
                               FormatTimestamp(current.locked_until)));
    }
    return std::nullopt;
  };

  if (request.method == LoginMethod::kPhoneCode) {
    CodeCheck check = CodeCheck::kOk;
    auto session = db_.Transaction<IssuedSession>(
        TxKind::kWrite, [&](soci::session& sql) -> Result<IssuedSession> {
          std::string code_id;
          check = CheckCode(sql, key, CodePurpose::kLogin, request.secret, now, &code_id);
          if (check != CodeCheck::kOk) return IssuedSession{};
          if (auto refused = refusal(stored)) return *refused;
          repo_.ConsumeSmsCode(sql, code_id, now);
          return IssueSession(sql, account, now);
        });
    if (!session.ok()) return session;
    if (check == CodeCheck::kExhausted) {
      return Error(ErrorCode::kTooManyRequests,
                   "this code was tried too many times; request a new one");
    }
    if (check != CodeCheck::kOk) return wrong;
    return session;
  }

  // Argon2id is slow on purpose: verify outside the write transaction. An account without a
  // password is verified against the dummy hash, so it takes as long as any other.
  const bool verified = stored.password_hash.empty()
                            ? (VerifyPassword(DummyHash(), request.secret), false)
                            : VerifyPassword(stored.password_hash, request.secret);
  auto session = db_.Transaction<IssuedSession>(
      TxKind::kWrite, [&](soci::session& sql) -> Result<IssuedSession> {
        repo_.LockAccount(sql, account.id);
        if (!verified) {
          // Counted whatever the account's state, so guessing on while locked extends the lock.
          // The count must commit, so the failure travels out beside the transaction.
          if (repo_.IncrementFailedLogins(sql, account.id) >= options_.max_failed_logins) {
            repo_.LockUntil(sql, account.id, now + options_.lockout_ms);
          }
          return IssuedSession{};
        }
        // Another request may have locked the account while this one verified.
        auto fresh = repo_.FindAccountById(sql, account.id);
        if (!fresh) return wrong;
        if (auto refused = refusal(*fresh)) return *refused;
        if (fresh->failed_logins > 0) repo_.ResetFailedLogins(sql, account.id);
        return IssueSession(sql, account, now);
      });
  if (session.ok() && !verified) return wrong;
  return session;
}

// Bounds the principal cache: when full, stale entries go, and if none is stale, all.
constexpr size_t kMaxCachedPrincipals = 4096;

Result<Principal> PeopleService::Authenticate(std::string_view token) {
  if (!LooksLikeToken(token)) {
    return Error(ErrorCode::kUnauthenticated, "the bearer token is malformed");
  }
  const int64_t now = Now();
  std::string hash = HashToken(token);
  uint64_t generation = 0;
  if (options_.principal_cache_ms > 0) {
    std::lock_guard lock(principals_mu_);
    generation = generation_;
    auto it = principals_.find(hash);
    if (it != principals_.end()) {
      CachedPrincipal& hit = it->second;
      const bool fresh = now >= hit.cached_at && now - hit.cached_at < options_.principal_cache_ms;
      // An expired session is read again, to answer exactly as an uncached read would.
      if (fresh && now < hit.principal.session_expires_at &&
          now - hit.last_used_at < options_.touch_interval_ms) {
        return hit.principal;
      }
      principals_.erase(it);
    }
  }
  bool touch = false;
  int64_t last_used_at = 0;
  auto principal =
      db_.Transaction<Principal>(TxKind::kRead, [&](soci::session& sql) -> Result<Principal> {
        auto session = repo_.FindSessionByTokenHash(sql, hash);
        if (!session) return Error(ErrorCode::kUnauthenticated, "the bearer token is not known");
        if (session->revoked_at) return Error(ErrorCode::kUnauthenticated, "the session was ended");
        if (now >= session->expires_at) {
          return Error(
              ErrorCode::kUnauthenticated,
              fmt::format("the session expired at {}", FormatTimestamp(session->expires_at)));
        }
        auto account = repo_.FindAccountById(sql, session->account_id);
        if (!account || account->account.status != AccountStatus::kActive) {
          return Error(ErrorCode::kUnauthenticated, "the account is disabled");
        }
        Principal p;
        p.account = std::move(account->account);
        p.session_id = session->id;
        p.session_expires_at = session->expires_at;
        p.grants = repo_.ListHeldGrants(sql, p.account.id);
        p.agencies = repo_.ListAgencies(sql, p.account.id);
        touch = now - session->last_used_at >= options_.touch_interval_ms;
        last_used_at = session->last_used_at;
        return p;
      });
  if (principal.ok() && touch) {
    Status s = db_.Transaction(TxKind::kWrite, [&](soci::session& sql) -> Status {
      repo_.TouchSession(sql, principal->session_id, now);
      return Ok();
    });
    // Bookkeeping only: a busy database must not fail the request.
    if (s.ok()) {
      last_used_at = now;
    } else {
      spdlog::warn("session last-used time not recorded: {}", s.error().ToString());
    }
  }
  if (principal.ok() && options_.principal_cache_ms > 0) {
    std::lock_guard lock(principals_mu_);
    // Not when a change committed meanwhile: the read may predate it.
    if (generation == generation_) {
      if (principals_.size() >= kMaxCachedPrincipals) {
        std::erase_if(principals_, [&](const auto& entry) {
          return now - entry.second.cached_at >= options_.principal_cache_ms ||
                 now < entry.second.cached_at;
        });
        if (principals_.size() >= kMaxCachedPrincipals) principals_.clear();
      }
      principals_.insert_or_assign(
          std::move(hash),
          CachedPrincipal{.principal = *principal, .cached_at = now, .last_used_at = last_used_at});
    }
  }
  return principal;
}

void PeopleService::ForgetPrincipals() {
  std::lock_guard lock(principals_mu_);
  ++generation_;
  principals_.clear();
}

Status PeopleService::Logout(const Principal& caller) {
  const int64_t now = Now();
  return Changed(db_.Transaction(TxKind::kWrite, [&](soci::session& sql) -> Status {
    repo_.RevokeSession(sql, caller.session_id, now);
    return Ok();
  }));
}

Result<int> PeopleService::RevokeAllSessions(const Principal& caller,
                                             const std::string& account_id) {
  const int64_t now = Now();
  const bool own = account_id == caller.account.id;
  // The permission is checked before the account is looked up, so a caller without it cannot
  // tell account ids that exist from those that do not.
  if (!own && !HoldsPermission(caller, "account.update", now)) {
    return Error(ErrorCode::kForbidden, "missing permission 'account.update'");
  }
  return Changed(db_.Transaction<int>(TxKind::kWrite, [&](soci::session& sql) -> Result<int> {
    auto account = repo_.FindAccountById(sql, account_id);
    if (!account) return NotFound(fmt::format("no account {}", account_id));
    if (!own) {
      TB_RETURN_IF_ERROR(people::Authorize(
          caller, "account.update",
          Target{.region = account->account.region, .department = account->account.department},
          now));
    }
    return repo_.RevokeAccountSessions(sql, account_id, now);
  }));
}

Status PeopleService::Authorize(const Principal& caller, std::string_view permission,
                                const Target& target) const {
  return people::Authorize(caller, permission, target, Now());
}

Result<RoleCatalog> PeopleService::ListRoles() {
  return db_.Transaction<RoleCatalog>(
      TxKind::kRead, [&](soci::session& sql) -> Result<RoleCatalog> {
        return RoleCatalog{.permissions = repo_.ListPermissions(sql),
                           .roles = repo_.ListRoles(sql)};
      });
}

Result<Account> PeopleService::GetAccount(const std::string& id) {
  return db_.Transaction<Account>(TxKind::kRead, [&](soci::session& sql) -> Result<Account> {
    auto a = repo_.FindAccountById(sql, id);
    if (!a) return NotFound(fmt::format("no account {}", id));
    return a->account;
  });
}

Result<Account> PeopleService::ReadAccount(const Principal& caller, const std::string& id) {
  if (id == caller.account.id) return caller.account;
  const int64_t now = Now();
  if (!HoldsPermission(caller, "account.read", now)) {
    return Error(ErrorCode::kForbidden, "missing permission 'account.read'");
  }
  TB_ASSIGN_OR_RETURN(Account account, GetAccount(id));
  TB_RETURN_IF_ERROR(
      people::Authorize(caller, "account.read",
                        Target{.region = account.region, .department = account.department}, now));
  return account;
}

Result<AccountPage> PeopleService::ListAccounts(const Principal& caller,
                                                const AccountQuery& query) {
  const int64_t now = Now();
  if (!HoldsPermission(caller, "account.read", now)) {
    return Error(ErrorCode::kForbidden, "missing permission 'account.read'");
  }
  const size_t limit = static_cast<size_t>(std::max(query.limit, 1));
  return db_.Transaction<AccountPage>(
      TxKind::kRead, [&](soci::session& sql) -> Result<AccountPage> {
        AccountPage page;
        std::string after = query.after;
        // Accounts outside the caller's grants are skipped, so a page may take several batches.
        for (;;) {
          const std::vector<Account> batch =
              repo_.ListStaffAccounts(sql, query, after, static_cast<int>(limit));
          for (const Account& a : batch) {
            after = a.id;
            const Target target{.region = a.region, .department = a.department};
            if (!people::Authorize(caller, "account.read", target, now).ok()) continue;
            AccountListing item{.account = a};
            for (const HeldGrant& g : repo_.ListHeldGrants(sql, a.id)) {
              item.roles.push_back(g.grant.role);
            }
            std::sort(item.roles.begin(), item.roles.end());
            item.roles.erase(std::unique(item.roles.begin(), item.roles.end()), item.roles.end());
            page.items.push_back(std::move(item));
            if (page.items.size() == limit) {
              page.next_cursor = a.id;
              return page;
            }
          }
          if (batch.size() < limit) return page;
        }
      });
}

Result<Enterprise> PeopleService::ReadEnterprise(const Principal& caller, const std::string& uscc) {
  const int64_t now = Now();
  const bool acts_for = AuthorizeForEnterprise(caller, uscc, now).ok();
  constexpr std::string_view kStaffPermissions[] = {"enterprise.register", "enterprise.serve"};
  if (!acts_for &&
      std::none_of(std::begin(kStaffPermissions), std::end(kStaffPermissions),
                   [&](std::string_view p) { return HoldsPermission(caller, p, now); })) {
    return Error(ErrorCode::kForbidden,
                 fmt::format("only the legal representative, its agents and staff serving "
                             "enterprises see enterprise {}",
                             uscc));
  }
  auto found = db_.Transaction<std::optional<Enterprise>>(
      TxKind::kRead, [&](soci::session& sql) -> Result<std::optional<Enterprise>> {
        return repo_.FindEnterprise(sql, uscc);
      });
  TB_RETURN_IF_ERROR(found);
  if (!found->has_value()) return NotFound(fmt::format("enterprise {} is not registered", uscc));
  if (acts_for) return std::move(**found);
  // The refusal names the scope of a permission the caller holds, not one it lacks.
  std::optional<Error> refusal;
  for (std::string_view p : kStaffPermissions) {
    if (!HoldsPermission(caller, p, now)) continue;
    Status s = people::Authorize(caller, p, Target{.region = UsccRegion(uscc)}, now);
    if (s.ok()) return std::move(**found);
    if (!refusal) refusal = std::move(s).error();
  }
  return std::move(refusal).value_or(Error(ErrorCode::kForbidden, "not authorised"));
}

}  // namespace tongban::people
