#include "people/repository.h"

#include <algorithm>
#include <set>

#include "people/authorization.h"

namespace tongban {
extern const EmbeddedFile kPeopleFiles[];
extern const size_t kPeopleFiles_count;
}  // namespace tongban

namespace tongban::people {
namespace {

// SOCI 4.0.3 has no std::optional: NULLs travel through indicators.
struct Nullable {
  explicit Nullable(const std::string& v) : value(v), ind(v.empty() ? soci::i_null : soci::i_ok) {}
  std::string value;
  soci::indicator ind;
};

struct NullableTime {
  explicit NullableTime(const std::optional<int64_t>& v)
      : value(v.value_or(0)), ind(v ? soci::i_ok : soci::i_null) {}
  long long value;
  soci::indicator ind;
};

// Reads back a COALESCE(column, -1) of a nullable time.
std::optional<int64_t> FromStored(long long v) {
  if (v < 0) return std::nullopt;
  return static_cast<int64_t>(v);
}

long long Affected(soci::statement& st) { return st.get_affected_rows(); }

}  // namespace

Result<store::MigrationSet> PeopleMigrations() {
  return store::LoadMigrations("people", kPeopleFiles, kPeopleFiles_count);
}

Result<PeopleRepository> PeopleRepository::Create(store::Backend backend) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kPeopleFiles, kPeopleFiles_count));
  return PeopleRepository(std::move(queries), backend);
}

std::string JoinMatters(const std::vector<std::string>& matters) {
  if (matters.empty()) return Scope::kAny;
  std::string out;
  for (const std::string& m : matters) {
    if (!out.empty()) out += ',';
    out += m;
  }
  return out;
}

std::vector<std::string> SplitMatters(std::string_view stored) {
  std::vector<std::string> out;
  if (stored == Scope::kAny || stored.empty()) return out;
  size_t pos = 0;
  while (pos <= stored.size()) {
    const size_t comma = stored.find(',', pos);
    const std::string_view part =
        stored.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return out;
}

void PeopleRepository::UpsertPermission(soci::session& sql, const Permission& permission) const {
  sql << Q("insert_permission"), soci::use(permission.name, "name"),
      soci::use(permission.description, "description");
}

bool PeopleRepository::RoleExists(soci::session& sql, const std::string& name) const {
  int count = 0;
  sql << Q("count_roles_named"), soci::use(name, "name"), soci::into(count);
  return count > 0;
}

void PeopleRepository::InsertRole(soci::session& sql, const Role& role) const {
  const std::string kind(AccountKindName(role.account_kind));
  const std::string duty(AdminDutyName(role.admin_duty));
  sql << Q("insert_role"), soci::use(role.name, "name"), soci::use(role.title, "title"),
      soci::use(role.description, "description"), soci::use(kind, "account_kind"),
      soci::use(duty, "admin_duty");
  std::string permission;
  soci::statement st = (sql.prepare << Q("insert_role_permission"), soci::use(role.name, "role"),
                        soci::use(permission, "permission"));
  soci::statement shipped = (sql.prepare << Q("insert_shipped_role_permission"),
                             soci::use(role.name, "role"), soci::use(permission, "permission"));
  for (const std::string& p : role.permissions) {
    permission = p;
    st.execute(true);
    shipped.execute(true);
  }
}

std::pair<int, int> PeopleRepository::SyncShippedRole(soci::session& sql, const Role& role) const {
  const std::string kind(AccountKindName(role.account_kind));
  const std::string duty(AdminDutyName(role.admin_duty));
  sql << Q("update_role"), soci::use(role.name, "name"), soci::use(role.title, "title"),
      soci::use(role.description, "description"), soci::use(kind, "account_kind"),
      soci::use(duty, "admin_duty");
  std::set<std::string> shipped_before;
  {
    std::string permission;
    soci::statement st = (sql.prepare << Q("list_shipped_role_permissions"),
                          soci::use(role.name, "role"), soci::into(permission));
    st.execute();
    while (st.fetch()) shipped_before.insert(permission);
  }
  const std::set<std::string> shipped(role.permissions.begin(), role.permissions.end());
  std::pair<int, int> changed{0, 0};
  for (const std::string& p : shipped) {
    if (shipped_before.contains(p)) continue;
    sql << Q("insert_role_permission"), soci::use(role.name, "role"), soci::use(p, "permission");
    sql << Q("insert_shipped_role_permission"), soci::use(role.name, "role"),
        soci::use(p, "permission");
    ++changed.first;
  }
  for (const std::string& p : shipped_before) {
    if (shipped.contains(p)) continue;
    sql << Q("delete_role_permission"), soci::use(role.name, "role"), soci::use(p, "permission");
    sql << Q("delete_shipped_role_permission"), soci::use(role.name, "role"),
        soci::use(p, "permission");
    ++changed.second;
  }
  return changed;
}

std::vector<Role> PeopleRepository::ListRoles(soci::session& sql) const {
  std::vector<Role> out;
  std::string name, title, description, kind, duty, permission;
  soci::statement st =
      (sql.prepare << Q("list_roles"), soci::into(name), soci::into(title), soci::into(description),
       soci::into(kind), soci::into(duty), soci::into(permission));
  st.execute();
  while (st.fetch()) {
    if (out.empty() || out.back().name != name) {
      out.push_back(Role{.name = name,
                         .title = title,
                         .description = description,
                         .account_kind = ParseAccountKind(kind).value_or(AccountKind::kStaff),
                         .admin_duty = ParseAdminDuty(duty).value_or(AdminDuty::kNone),
                         .permissions = {}});
    }
    if (!permission.empty()) out.back().permissions.push_back(permission);
  }
  return out;
}

std::vector<Permission> PeopleRepository::ListPermissions(soci::session& sql) const {
  std::vector<Permission> out;
  std::string name, description;
  soci::statement st =
      (sql.prepare << Q("list_permissions"), soci::into(name), soci::into(description));
  st.execute();
  while (st.fetch()) out.push_back({name, description});
  return out;
}

void PeopleRepository::InsertAccount(soci::session& sql, const Account& a,
                                     const std::string& password_hash,
                                     const std::string& created_by) const {
  const std::string kind(AccountKindName(a.kind));
  const std::string status(AccountStatusName(a.status));
  Nullable username(a.username), id_number(a.id_number), phone(a.phone), hash(password_hash),
      by(created_by);
  const long long created_at = a.created_at;
  sql << Q("insert_account"), soci::use(a.id, "id"), soci::use(kind, "kind"),
      soci::use(a.name, "name"), soci::use(username.value, username.ind, "username"),
      soci::use(id_number.value, id_number.ind, "id_number"),
      soci::use(phone.value, phone.ind, "phone"), soci::use(a.region, "region"),
      soci::use(a.department, "department"), soci::use(hash.value, hash.ind, "password_hash"),
      soci::use(status, "status"), soci::use(created_at, "created_at"),
      soci::use(by.value, by.ind, "created_by");
}

std::optional<StoredAccount> PeopleRepository::FindAccount(soci::session& sql,
                                                           std::string_view query,
                                                           const std::string& key) const {
  StoredAccount out;
  Account& a = out.account;
  std::string kind, status;
  long long locked_until = 0, created_at = 0;
  const store::Executed found = store::Execute(
      sql, Q(query), soci::use(key, "key"), soci::into(a.id), soci::into(kind), soci::into(a.name),
      soci::into(a.username), soci::into(a.id_number), soci::into(a.phone), soci::into(a.region),
      soci::into(a.department), soci::into(out.password_hash), soci::into(status),
      soci::into(out.failed_logins), soci::into(locked_until), soci::into(created_at));
  if (!found.got_data) return std::nullopt;
  a.kind = ParseAccountKind(kind).value_or(AccountKind::kStaff);
  a.status = ParseAccountStatus(status).value_or(AccountStatus::kDisabled);
  a.created_at = created_at;
  out.locked_until = locked_until;
  return out;
}

std::optional<StoredAccount> PeopleRepository::FindAccountById(soci::session& sql,
                                                               const std::string& id) const {
  return FindAccount(sql, "find_account_by_id", id);
}

std::optional<StoredAccount> PeopleRepository::FindAccountByUsername(
    soci::session& sql, const std::string& username) const {
  return FindAccount(sql, "find_account_by_username", username);
}

std::optional<StoredAccount> PeopleRepository::FindAccountByIdNumber(
    soci::session& sql, const std::string& id_number) const {
  return FindAccount(sql, "find_account_by_id_number", id_number);
}

std::optional<StoredAccount> PeopleRepository::FindCitizenByPhone(soci::session& sql,
                                                                  const std::string& phone) const {
  return FindAccount(sql, "find_account_by_citizen_phone", phone);
}

std::vector<Account> PeopleRepository::ListStaffAccounts(soci::session& sql,
                                                         const AccountQuery& query,
                                                         const std::string& after,
                                                         int limit) const {
  std::vector<Account> out;
  Account a;
  std::string kind, status;
  long long created_at = 0;
  const std::string region_like = query.region.empty() ? "%" : RegionPrefix(query.region) + "%";
  soci::statement st =
      (sql.prepare << Q("list_staff_accounts"), soci::use(after, "after"),
       soci::use(region_like, "region_like"), soci::use(query.department, "department"),
       soci::use(query.department, "department_code"), soci::use(query.role, "role"),
       soci::use(query.role, "role_name"), soci::use(limit, "limit"), soci::into(a.id),
       soci::into(kind), soci::into(a.name), soci::into(a.username), soci::into(a.phone),
       soci::into(a.region), soci::into(a.department), soci::into(status), soci::into(created_at));
  st.execute();
  while (st.fetch()) {
    a.kind = ParseAccountKind(kind).value_or(AccountKind::kStaff);
    a.status = ParseAccountStatus(status).value_or(AccountStatus::kDisabled);
    a.created_at = created_at;
    out.push_back(a);
  }
  return out;
}

void PeopleRepository::LockAccount(soci::session& sql, const std::string& id) const {
  std::string got;
  sql << Q("lock_account"), soci::use(id, "id"), soci::into(got);
}

int PeopleRepository::IncrementFailedLogins(soci::session& sql, const std::string& id) const {
  sql << Q("increment_failed_logins"), soci::use(id, "id");
  int count = 0;
  sql << Q("failed_logins"), soci::use(id, "id"), soci::into(count);
  return count;
}

void PeopleRepository::LockUntil(soci::session& sql, const std::string& id, int64_t until) const {
  const long long u = until;
  sql << Q("set_locked_until"), soci::use(u, "until"), soci::use(id, "id");
}

void PeopleRepository::ResetFailedLogins(soci::session& sql, const std::string& id) const {
  sql << Q("reset_failed_logins"), soci::use(id, "id");
}

void PeopleRepository::InsertGrant(soci::session& sql, const RoleGrant& g) const {
  const std::string matters = JoinMatters(g.scope.matters);
  const long long valid_from = g.scope.valid_from;
  NullableTime valid_until(g.scope.valid_until);
  Nullable by(g.granted_by);
  const long long granted_at = g.granted_at;
  sql << Q("insert_grant"), soci::use(g.id, "id"), soci::use(g.account_id, "account_id"),
      soci::use(g.role, "role"), soci::use(g.scope.region, "region"),
      soci::use(g.scope.department, "department"), soci::use(matters, "matters"),
      soci::use(valid_from, "valid_from"),
      soci::use(valid_until.value, valid_until.ind, "valid_until"),
      soci::use(by.value, by.ind, "granted_by"), soci::use(granted_at, "granted_at");
}

std::vector<HeldGrant> PeopleRepository::ListHeldGrants(soci::session& sql,
                                                        const std::string& account_id) const {
  std::vector<HeldGrant> out;
  std::string id, role, region, department, matters, granted_by, duty, permission;
  long long valid_from = 0, valid_until = 0, granted_at = 0;
  soci::statement st =
      (sql.prepare << Q("list_held_grants"), soci::use(account_id, "account_id"), soci::into(id),
       soci::into(role), soci::into(region), soci::into(department), soci::into(matters),
       soci::into(valid_from), soci::into(valid_until), soci::into(granted_by),
       soci::into(granted_at), soci::into(duty), soci::into(permission));
  st.execute();
  while (st.fetch()) {
    if (out.empty() || out.back().grant.id != id) {
      HeldGrant h;
      h.grant = RoleGrant{.id = id,
                          .account_id = account_id,
                          .role = role,
                          .scope = Scope{.region = region,
                                         .department = department,
                                         .matters = SplitMatters(matters),
                                         .valid_from = valid_from,
                                         .valid_until = FromStored(valid_until)},
                          .granted_by = granted_by,
                          .granted_at = granted_at};
      h.admin_duty = ParseAdminDuty(duty).value_or(AdminDuty::kNone);
      out.push_back(std::move(h));
    }
    if (!permission.empty()) out.back().permissions.push_back(permission);
  }
  for (HeldGrant& h : out) std::sort(h.permissions.begin(), h.permissions.end());
  return out;
}

std::optional<RoleGrant> PeopleRepository::FindGrant(soci::session& sql,
                                                     const std::string& grant_id) const {
  RoleGrant g;
  std::string matters;
  long long valid_from = 0, valid_until = 0, granted_at = 0;
  sql << Q("find_grant"), soci::use(grant_id, "id"), soci::into(g.id), soci::into(g.account_id),
      soci::into(g.role), soci::into(g.scope.region), soci::into(g.scope.department),
      soci::into(matters), soci::into(valid_from), soci::into(valid_until),
      soci::into(g.granted_by), soci::into(granted_at);
  if (!sql.got_data()) return std::nullopt;
  g.scope.matters = SplitMatters(matters);
  g.scope.valid_from = valid_from;
  g.scope.valid_until = FromStored(valid_until);
  g.granted_at = granted_at;
  return g;
}

bool PeopleRepository::RevokeGrant(soci::session& sql, const std::string& grant_id, int64_t now,
                                   const std::string& by) const {
  const long long n = now;
  soci::statement st = (sql.prepare << Q("revoke_grant"), soci::use(n, "now"), soci::use(by, "by"),
                        soci::use(grant_id, "id"));
  st.execute(true);
  return Affected(st) > 0;
}

void PeopleRepository::InsertEnterprise(soci::session& sql, const Enterprise& e,
                                        const std::string& registered_by) const {
  const long long at = e.registered_at;
  sql << Q("insert_enterprise"), soci::use(e.uscc, "uscc"), soci::use(e.name, "name"),
      soci::use(e.legal_representative, "legal_representative"), soci::use(at, "registered_at"),
      soci::use(registered_by, "registered_by");
}

std::optional<Enterprise> PeopleRepository::FindEnterprise(soci::session& sql,
                                                           const std::string& uscc) const {
  Enterprise e;
  long long at = 0;
  sql << Q("find_enterprise"), soci::use(uscc, "uscc"), soci::into(e.uscc), soci::into(e.name),
      soci::into(e.legal_representative), soci::into(at);
  if (!sql.got_data()) return std::nullopt;
  e.registered_at = at;
  return e;
}

void PeopleRepository::InsertAgentAuthorisation(soci::session& sql,
                                                const AgentAuthorisation& a) const {
  const long long valid_from = a.valid_from, granted_at = a.granted_at;
  NullableTime valid_until(a.valid_until);
  sql << Q("insert_agent_authorisation"), soci::use(a.id, "id"), soci::use(a.uscc, "uscc"),
      soci::use(a.agent_account, "agent_account"), soci::use(valid_from, "valid_from"),
      soci::use(valid_until.value, valid_until.ind, "valid_until"),
      soci::use(a.granted_by, "granted_by"), soci::use(granted_at, "granted_at");
}

std::vector<AgentAuthorisation> PeopleRepository::ListAgentAuthorisations(
    soci::session& sql, const std::string& uscc) const {
  std::vector<AgentAuthorisation> out;
  AgentAuthorisation a;
  long long valid_from = 0, valid_until = 0, granted_at = 0, revoked_at = 0;
  soci::statement st = (sql.prepare << Q("list_agent_authorisations"), soci::use(uscc, "uscc"),
                        soci::into(a.id), soci::into(a.uscc), soci::into(a.agent_account),
                        soci::into(valid_from), soci::into(valid_until), soci::into(a.granted_by),
                        soci::into(granted_at), soci::into(revoked_at));
  st.execute();
  while (st.fetch()) {
    a.valid_from = valid_from;
    a.valid_until = FromStored(valid_until);
    a.granted_at = granted_at;
    a.revoked_at = FromStored(revoked_at);
    out.push_back(a);
  }
  return out;
}

bool PeopleRepository::RevokeAgentAuthorisation(soci::session& sql, const std::string& id,
                                                int64_t now, const std::string& by) const {
  const long long n = now;
  soci::statement st = (sql.prepare << Q("revoke_agent_authorisation"), soci::use(n, "now"),
                        soci::use(by, "by"), soci::use(id, "id"));
  st.execute(true);
  return Affected(st) > 0;
}

std::vector<Agency> PeopleRepository::ListAgencies(soci::session& sql,
                                                   const std::string& account_id) const {
  std::vector<Agency> out;
  {
    std::string uscc, name;
    soci::statement st = (sql.prepare << Q("list_represented_enterprises"),
                          soci::use(account_id, "account_id"), soci::into(uscc), soci::into(name));
    st.execute();
    while (st.fetch()) {
      out.push_back(Agency{.uscc = uscc,
                           .enterprise_name = name,
                           .relation = EnterpriseRelation::kLegalRepresentative,
                           .authorisation_id = "",
                           .valid_from = 0,
                           .valid_until = std::nullopt});
    }
  }
  std::string id, uscc, name;
  long long valid_from = 0, valid_until = 0;
  soci::statement st =
      (sql.prepare << Q("list_agent_agencies"), soci::use(account_id, "account_id"), soci::into(id),
       soci::into(uscc), soci::into(name), soci::into(valid_from), soci::into(valid_until));
  st.execute();
  while (st.fetch()) {
    out.push_back(Agency{.uscc = uscc,
                         .enterprise_name = name,
                         .relation = EnterpriseRelation::kAgent,
                         .authorisation_id = id,
                         .valid_from = valid_from,
                         .valid_until = FromStored(valid_until)});
  }
  return out;
}

void PeopleRepository::InsertSession(soci::session& sql, const StoredSession& s,
                                     const std::string& token_hash, int64_t created_at) const {
  const long long created = created_at, expires = s.expires_at, used = s.last_used_at;
  sql << Q("insert_session"), soci::use(s.id, "id"), soci::use(s.account_id, "account_id"),
      soci::use(token_hash, "token_hash"), soci::use(created, "created_at"),
      soci::use(expires, "expires_at"), soci::use(used, "last_used_at");
}

std::optional<StoredSession> PeopleRepository::FindSessionByTokenHash(
    soci::session& sql, const std::string& token_hash) const {
  StoredSession s;
  long long expires = 0, revoked = 0, used = 0;
  sql << Q("find_session_by_token_hash"), soci::use(token_hash, "token_hash"), soci::into(s.id),
      soci::into(s.account_id), soci::into(expires), soci::into(revoked), soci::into(used);
  if (!sql.got_data()) return std::nullopt;
  s.expires_at = expires;
  s.revoked_at = FromStored(revoked);
  s.last_used_at = used;
  return s;
}

void PeopleRepository::TouchSession(soci::session& sql, const std::string& id, int64_t now) const {
  const long long n = now;
  sql << Q("touch_session"), soci::use(n, "now"), soci::use(id, "id");
}

bool PeopleRepository::RevokeSession(soci::session& sql, const std::string& id, int64_t now) const {
  const long long n = now;
  soci::statement st =
      (sql.prepare << Q("revoke_session"), soci::use(n, "now"), soci::use(id, "id"));
  st.execute(true);
  return Affected(st) > 0;
}

int PeopleRepository::RevokeAccountSessions(soci::session& sql, const std::string& account_id,
                                            int64_t now) const {
  const long long n = now;
  const long long live_after = now;
  soci::statement st = (sql.prepare << Q("revoke_account_sessions"), soci::use(n, "now"),
                        soci::use(account_id, "account_id"), soci::use(live_after, "live_after"));
  st.execute(true);
  return static_cast<int>(Affected(st));
}

void PeopleRepository::LockPhone(soci::session& sql, const std::string& phone) const {
  sql << Q("lock_phone"), soci::use(phone, "phone");
}

void PeopleRepository::InsertSmsCode(soci::session& sql, const StoredSmsCode& c) const {
  const long long created = c.created_at, expires = c.expires_at;
  sql << Q("insert_sms_code"), soci::use(c.id, "id"), soci::use(c.phone, "phone"),
      soci::use(c.purpose, "purpose"), soci::use(c.salt, "salt"),
      soci::use(c.code_hash, "code_hash"), soci::use(created, "created_at"),
      soci::use(expires, "expires_at");
}

SmsSendStats PeopleRepository::SmsCodesSince(soci::session& sql, const std::string& phone,
                                             int64_t since) const {
  SmsSendStats out;
  const long long s = since;
  long long latest = 0;
  sql << Q("sms_codes_since"), soci::use(phone, "phone"), soci::use(s, "since"),
      soci::into(out.count), soci::into(latest);
  out.latest_at = latest;
  return out;
}

std::optional<StoredSmsCode> PeopleRepository::FindLiveSmsCode(soci::session& sql,
                                                               const std::string& phone,
                                                               const std::string& purpose) const {
  StoredSmsCode c;
  long long expires = 0;
  sql << Q("find_live_sms_code"), soci::use(phone, "phone"), soci::use(purpose, "purpose"),
      soci::into(c.id), soci::into(c.salt), soci::into(c.code_hash), soci::into(expires),
      soci::into(c.attempts);
  if (!sql.got_data()) return std::nullopt;
  c.phone = phone;
  c.purpose = purpose;
  c.expires_at = expires;
  return c;
}

void PeopleRepository::CountSmsCodeAttempt(soci::session& sql, const std::string& id) const {
  sql << Q("count_sms_code_attempt"), soci::use(id, "id");
}

void PeopleRepository::ConsumeSmsCode(soci::session& sql, const std::string& id,
                                      int64_t now) const {
  const long long n = now;
  sql << Q("consume_sms_code"), soci::use(n, "now"), soci::use(id, "id");
}

}  // namespace tongban::people
