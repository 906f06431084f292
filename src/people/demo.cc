#include "people/demo.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "people/clock.h"
#include "people/repository.h"
#include "people/roles.h"
#include "people/secrets.h"
#include "people/timestamp.h"
#include "people/validate.h"

namespace tongban {
extern const EmbeddedFile kPeopleFiles[];
extern const size_t kPeopleFiles_count;
}  // namespace tongban

namespace tongban::people {

using store::TxKind;
namespace {

constexpr std::string_view kDemoPath = "data/demo/people.yaml";

// Reads YAML nodes into fields, recording every problem with its path.
class Reader {
 public:
  explicit Reader(FieldErrors& errors) : errors_(errors) {}

  std::string String(const YAML::Node& node, const std::string& path, const std::string& key,
                     bool required) {
    const YAML::Node v = node[key];
    if (!v || v.IsNull()) {
      if (required) errors_.Add(path + key, "is required");
      return "";
    }
    if (!v.IsScalar()) {
      errors_.Add(path + key, "must be a string");
      return "";
    }
    return v.as<std::string>();
  }

  std::optional<int64_t> Time(const YAML::Node& node, const std::string& path,
                              const std::string& key) {
    const std::string text = String(node, path, key, false);
    if (text.empty()) return std::nullopt;
    auto t = ParseTimestamp(text);
    if (!t.ok()) {
      errors_.Add(path + key, t.error().message());
      return std::nullopt;
    }
    return *t;
  }

  YAML::Node List(const YAML::Node& node, const std::string& path, const std::string& key) {
    const YAML::Node v = node[key];
    if (!v || v.IsNull()) return YAML::Node(YAML::NodeType::Sequence);
    if (!v.IsSequence()) {
      errors_.Add(path + key, "must be a list");
      return YAML::Node(YAML::NodeType::Sequence);
    }
    return v;
  }

  bool Map(const YAML::Node& node, const std::string& path,
           std::initializer_list<std::string_view> known) {
    if (!node.IsMap()) {
      errors_.Add(path.empty() ? "(file)" : path.substr(0, path.size() - 1), "must be a mapping");
      return false;
    }
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        errors_.Add(path + key, "is not a known field");
      }
    }
    return true;
  }

 private:
  FieldErrors& errors_;
};

struct DemoGrant {
  std::string role;
  Scope scope;
  std::string path;
};

struct DemoAccount {
  Account account;
  std::vector<DemoGrant> grants;
};

struct DemoAgent {
  std::string id_number;
  std::optional<int64_t> valid_until;
};

struct DemoEnterprise {
  Enterprise enterprise;
  std::string legal_representative_id_number;
  std::vector<DemoAgent> agents;
  std::string path;
};

struct DemoFile {
  std::string password_hash;
  std::vector<DemoAccount> staff;
  std::vector<DemoAccount> citizens;
  std::vector<DemoEnterprise> enterprises;
};

Result<DemoFile> Parse(std::string_view yaml, int64_t now, const RoleCatalog& roles) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Error(
        ErrorCode::kInvalidArgument,
        fmt::format("demo people file is not valid YAML: line {}: {}", e.mark.line + 1, e.msg));
  }
  FieldErrors errors;
  Reader r(errors);
  DemoFile out;
  if (!r.Map(root, "", {"password_hash", "staff", "citizens", "enterprises"})) {
    return errors.ToError("the demo people file is invalid");
  }
  out.password_hash = r.String(root, "", "password_hash", true);
  if (!out.password_hash.empty() && !out.password_hash.starts_with("$argon2id$")) {
    errors.Add("password_hash", "must be an Argon2id string ($argon2id$...)");
  }
  std::map<std::string, const Role*> role_by_name;
  for (const Role& role : roles.roles) role_by_name[role.name] = &role;
  std::set<std::string> usernames, id_numbers, phones;

  const YAML::Node staff = r.List(root, "", "staff");
  for (size_t i = 0; i < staff.size(); ++i) {
    const std::string path = fmt::format("staff/{}/", i);
    if (!r.Map(staff[i], path, {"username", "name", "region", "department", "phone", "grants"})) {
      continue;
    }
    DemoAccount d;
    Account& a = d.account;
    a.kind = AccountKind::kStaff;
    a.username =
        CheckUsername(r.String(staff[i], path, "username", true), path + "username", errors);
    if (!a.username.empty() && !usernames.insert(a.username).second) {
      errors.Add(path + "username", "is used twice");
    }
    a.name = CheckName(r.String(staff[i], path, "name", true), path + "name", 50, errors);
    a.region =
        CheckRegion(r.String(staff[i], path, "region", true), path + "region", false, errors);
    const std::string department = r.String(staff[i], path, "department", false);
    if (!department.empty()) {
      a.department = CheckDepartment(department, path + "department", false, errors);
    }
    const std::string phone = r.String(staff[i], path, "phone", false);
    if (!phone.empty()) a.phone = CheckPhone(phone, path + "phone", errors);
    std::set<AdminDuty> duties;
    const YAML::Node grants = r.List(staff[i], path, "grants");
    if (grants.size() == 0) errors.Add(path + "grants", "must list at least one role");
    for (size_t j = 0; j < grants.size(); ++j) {
      const std::string gpath = fmt::format("{}grants/{}/", path, j);
      if (!r.Map(grants[j], gpath,
                 {"role", "region", "department", "matters", "valid_from", "valid_until"})) {
        continue;
      }
      DemoGrant g;
      g.path = gpath;
      g.role = r.String(grants[j], gpath, "role", true);
      auto role = role_by_name.find(g.role);
      if (!g.role.empty() && role == role_by_name.end()) {
        errors.Add(gpath + "role", fmt::format("'{}' is not a role", g.role));
      } else if (role != role_by_name.end()) {
        if (role->second->account_kind != AccountKind::kStaff) {
          errors.Add(gpath + "role", fmt::format("'{}' is a citizen role", g.role));
        }
        if (role->second->admin_duty != AdminDuty::kNone) duties.insert(role->second->admin_duty);
      }
      const std::string region = r.String(grants[j], gpath, "region", false);
      g.scope.region = region.empty() ? a.region : region;
      const std::string dept = r.String(grants[j], gpath, "department", false);
      g.scope.department = dept.empty() ? Scope::kAny : dept;
      const YAML::Node matters = r.List(grants[j], gpath, "matters");
      for (size_t k = 0; k < matters.size(); ++k) {
        if (matters[k].IsScalar())
          g.scope.matters.push_back(matters[k].as<std::string>());
        else
          errors.Add(fmt::format("{}matters/{}", gpath, k), "must be a string");
      }
      g.scope.valid_from = r.Time(grants[j], gpath, "valid_from").value_or(now);
      g.scope.valid_until = r.Time(grants[j], gpath, "valid_until");
      CheckScope(g.scope, gpath.substr(0, gpath.size() - 1), errors);
      d.grants.push_back(std::move(g));
    }
    if (duties.size() > 1) {
      errors.Add(path + "grants", "三员分立: one account holds roles of more than one admin duty");
    }
    out.staff.push_back(std::move(d));
  }

  const YAML::Node citizens = r.List(root, "", "citizens");
  for (size_t i = 0; i < citizens.size(); ++i) {
    const std::string path = fmt::format("citizens/{}/", i);
    if (!r.Map(citizens[i], path, {"id_number", "name", "phone"})) continue;
    DemoAccount d;
    Account& a = d.account;
    a.kind = AccountKind::kCitizen;
    a.id_number = CheckIdNumber(r.String(citizens[i], path, "id_number", true), path + "id_number",
                                now, errors);
    if (!a.id_number.empty() && !id_numbers.insert(a.id_number).second) {
      errors.Add(path + "id_number", "is used twice");
    }
    a.name = CheckName(r.String(citizens[i], path, "name", true), path + "name", 50, errors);
    a.phone = CheckPhone(r.String(citizens[i], path, "phone", true), path + "phone", errors);
    if (!a.phone.empty() && !phones.insert(a.phone).second) {
      errors.Add(path + "phone", "is used twice");
    }
    d.grants.push_back(
        DemoGrant{.role = "applicant", .scope = Scope{.valid_from = now}, .path = path});
    out.citizens.push_back(std::move(d));
  }

  std::set<std::string> usccs;
  const YAML::Node enterprises = r.List(root, "", "enterprises");
  for (size_t i = 0; i < enterprises.size(); ++i) {
    const std::string path = fmt::format("enterprises/{}/", i);
    if (!r.Map(enterprises[i], path, {"uscc", "name", "legal_representative", "agents"})) continue;
    DemoEnterprise d;
    d.path = path;
    d.enterprise.uscc =
        CheckUscc(r.String(enterprises[i], path, "uscc", true), path + "uscc", errors);
    if (!d.enterprise.uscc.empty() && !usccs.insert(d.enterprise.uscc).second) {
      errors.Add(path + "uscc", "is used twice");
    }
    d.enterprise.name =
        CheckName(r.String(enterprises[i], path, "name", true), path + "name", 100, errors);
    d.legal_representative_id_number =
        CheckIdNumber(r.String(enterprises[i], path, "legal_representative", true),
                      path + "legal_representative", now, errors);
    if (!d.legal_representative_id_number.empty() &&
        !id_numbers.contains(d.legal_representative_id_number)) {
      errors.Add(path + "legal_representative", "must be the id_number of a listed citizen");
    }
    const YAML::Node agents = r.List(enterprises[i], path, "agents");
    for (size_t j = 0; j < agents.size(); ++j) {
      const std::string apath = fmt::format("{}agents/{}/", path, j);
      if (!r.Map(agents[j], apath, {"id_number", "valid_until"})) continue;
      DemoAgent agent;
      agent.id_number = CheckIdNumber(r.String(agents[j], apath, "id_number", true),
                                      apath + "id_number", now, errors);
      if (!agent.id_number.empty() && !id_numbers.contains(agent.id_number)) {
        errors.Add(apath + "id_number", "must be the id_number of a listed citizen");
      }
      agent.valid_until = r.Time(agents[j], apath, "valid_until");
      if (agent.valid_until && *agent.valid_until <= now) {
        errors.Add(apath + "valid_until", "must be in the future");
      }
      d.agents.push_back(std::move(agent));
    }
    out.enterprises.push_back(std::move(d));
  }
  if (!errors.empty()) return errors.ToError("the demo people file is invalid");
  return out;
}

}  // namespace

std::string_view DemoPeopleYaml() {
  for (size_t i = 0; i < kPeopleFiles_count; ++i) {
    if (kPeopleFiles[i].path == kDemoPath) return kPeopleFiles[i].contents;
  }
  return "";
}

Result<DemoPeopleCounts> LoadDemoPeople(store::Database& db, std::string_view yaml) {
  return LoadDemoPeople(db, yaml, EpochMs(tongban::SystemClock::Instance()));
}

Result<DemoPeopleCounts> LoadDemoPeople(store::Database& db, std::string_view yaml,
                                        int64_t now_ms) {
  TB_ASSIGN_OR_RETURN(RoleCatalog roles, ShippedRoles());
  TB_ASSIGN_OR_RETURN(DemoFile file, Parse(yaml, now_ms, roles));
  TB_ASSIGN_OR_RETURN(PeopleRepository repo, PeopleRepository::Create(db.backend()));
  return db.Transaction<DemoPeopleCounts>(
      TxKind::kWrite, [&](soci::session& sql) -> Result<DemoPeopleCounts> {
        DemoPeopleCounts counts;
        SeedRoles(sql, repo, roles);
        const bool loaded =
            (!file.staff.empty() &&
             repo.FindAccountByUsername(sql, file.staff.front().account.username)) ||
            (!file.citizens.empty() &&
             repo.FindAccountByIdNumber(sql, file.citizens.front().account.id_number));
        if (loaded) {
          counts.already_loaded = true;
          return counts;
        }
        std::map<std::string, std::string> account_by_id_number;
        auto insert = [&](DemoAccount& d) {
          d.account.id = NewId("acc_", now_ms);
          d.account.created_at = now_ms;
          repo.InsertAccount(sql, d.account, file.password_hash, "");
          for (const DemoGrant& g : d.grants) {
            repo.InsertGrant(sql, RoleGrant{.id = NewId("grt_", now_ms),
                                            .account_id = d.account.id,
                                            .role = g.role,
                                            .scope = g.scope,
                                            .granted_by = "",
                                            .granted_at = now_ms});
            ++counts.grants;
          }
        };
        for (DemoAccount& d : file.staff) {
          insert(d);
          ++counts.staff;
        }
        for (DemoAccount& d : file.citizens) {
          insert(d);
          account_by_id_number[d.account.id_number] = d.account.id;
          ++counts.citizens;
        }
        std::set<std::string> agent_role_given;
        for (DemoEnterprise& d : file.enterprises) {
          d.enterprise.legal_representative =
              account_by_id_number[d.legal_representative_id_number];
          d.enterprise.registered_at = now_ms;
          repo.InsertEnterprise(sql, d.enterprise, d.enterprise.legal_representative);
          ++counts.enterprises;
          for (const DemoAgent& agent : d.agents) {
            const std::string& account = account_by_id_number[agent.id_number];
            repo.InsertAgentAuthorisation(
                sql, AgentAuthorisation{.id = NewId("agt_", now_ms),
                                        .uscc = d.enterprise.uscc,
                                        .agent_account = account,
                                        .valid_from = now_ms,
                                        .valid_until = agent.valid_until,
                                        .granted_by = d.enterprise.legal_representative,
                                        .granted_at = now_ms,
                                        .revoked_at = std::nullopt});
            ++counts.agents;
            if (agent_role_given.insert(account).second) {
              repo.InsertGrant(sql, RoleGrant{.id = NewId("grt_", now_ms),
                                              .account_id = account,
                                              .role = "enterprise_agent",
                                              .scope = Scope{.valid_from = now_ms},
                                              .granted_by = d.enterprise.legal_representative,
                                              .granted_at = now_ms});
              ++counts.grants;
            }
          }
        }
        return counts;
      });
}

}  // namespace tongban::people
