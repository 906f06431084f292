#include "people/roles.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace tongban {
extern const EmbeddedFile kPeopleFiles[];
extern const size_t kPeopleFiles_count;
}  // namespace tongban

namespace tongban::people {
namespace {

constexpr std::string_view kRolesPath = "data/people/roles.yaml";

// Reads a scalar string member; records an error when it is missing (and required) or not a
// scalar.
std::string Scalar(const YAML::Node& node, const std::string& key, const std::string& path,
                   bool required, FieldErrors& errors) {
  const YAML::Node v = node[key];
  if (!v || v.IsNull()) {
    if (required) errors.Add(path + "/" + key, "is required");
    return "";
  }
  if (!v.IsScalar()) {
    errors.Add(path + "/" + key, "must be a string");
    return "";
  }
  return v.as<std::string>();
}

void CheckKeys(const YAML::Node& node, const std::string& path,
               std::initializer_list<std::string_view> known, FieldErrors& errors) {
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      errors.Add(fmt::format("{}/{}", path, key), "is not a known field");
    }
  }
}

}  // namespace

Result<RoleCatalog> ParseRoleCatalog(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("roles file is not valid YAML: line {}: {}", e.mark.line + 1, e.msg));
  }
  if (!root.IsMap()) return Error(ErrorCode::kInvalidArgument, "roles file must be a mapping");
  RoleCatalog out;
  FieldErrors errors;
  CheckKeys(root, "", {"permissions", "roles"}, errors);
  const YAML::Node permissions = root["permissions"];
  if (!permissions || !permissions.IsSequence()) {
    errors.Add("permissions", "must be a list");
  } else {
    for (size_t i = 0; i < permissions.size(); ++i) {
      const std::string path = fmt::format("permissions/{}", i);
      const YAML::Node p = permissions[i];
      if (!p.IsMap()) {
        errors.Add(path, "must be a mapping");
        continue;
      }
      CheckKeys(p, path, {"name", "description"}, errors);
      out.permissions.push_back(
          {Scalar(p, "name", path, true, errors), Scalar(p, "description", path, true, errors)});
    }
  }
  const YAML::Node roles = root["roles"];
  if (!roles || !roles.IsSequence()) {
    errors.Add("roles", "must be a list");
  } else {
    for (size_t i = 0; i < roles.size(); ++i) {
      const std::string path = fmt::format("roles/{}", i);
      const YAML::Node r = roles[i];
      if (!r.IsMap()) {
        errors.Add(path, "must be a mapping");
        continue;
      }
      CheckKeys(r, path,
                {"name", "title", "description", "account_kind", "admin_duty", "permissions"},
                errors);
      Role role;
      role.name = Scalar(r, "name", path, true, errors);
      role.title = Scalar(r, "title", path, true, errors);
      role.description = Scalar(r, "description", path, false, errors);
      const std::string kind = Scalar(r, "account_kind", path, true, errors);
      if (auto k = ParseAccountKind(kind)) {
        role.account_kind = *k;
      } else if (!kind.empty()) {
        errors.Add(path + "/account_kind", "must be citizen or staff");
      }
      const std::string duty = Scalar(r, "admin_duty", path, false, errors);
      if (auto d = ParseAdminDuty(duty.empty() ? "none" : duty)) {
        role.admin_duty = *d;
      } else {
        errors.Add(path + "/admin_duty", "must be none, system, security or audit");
      }
      const YAML::Node perms = r["permissions"];
      if (!perms || !perms.IsSequence()) {
        errors.Add(path + "/permissions", "must be a list");
      } else {
        for (size_t j = 0; j < perms.size(); ++j) {
          if (!perms[j].IsScalar()) {
            errors.Add(fmt::format("{}/permissions/{}", path, j), "must be a string");
            continue;
          }
          role.permissions.push_back(perms[j].as<std::string>());
        }
      }
      std::sort(role.permissions.begin(), role.permissions.end());
      out.roles.push_back(std::move(role));
    }
  }
  ValidateRoleCatalog(out, errors);
  if (!errors.empty()) return errors.ToError("the roles file is invalid");
  return out;
}

void ValidateRoleCatalog(const RoleCatalog& catalog, FieldErrors& errors) {
  std::set<std::string> known;
  for (size_t i = 0; i < catalog.permissions.size(); ++i) {
    const std::string& name = catalog.permissions[i].name;
    if (name.empty()) continue;
    if (!known.insert(name).second) {
      errors.Add(fmt::format("permissions/{}/name", i), fmt::format("'{}' is listed twice", name));
    }
  }
  std::set<std::string> role_names;
  for (size_t i = 0; i < catalog.roles.size(); ++i) {
    const Role& role = catalog.roles[i];
    const std::string path = fmt::format("roles/{}", i);
    if (!role.name.empty() && !role_names.insert(role.name).second) {
      errors.Add(path + "/name", fmt::format("'{}' is listed twice", role.name));
    }
    if (role.admin_duty != AdminDuty::kNone && role.account_kind != AccountKind::kStaff) {
      errors.Add(path + "/account_kind", "administrator roles are held by staff accounts");
    }
    for (const std::string& p : role.permissions) {
      if (!known.contains(p)) {
        errors.Add(path + "/permissions", fmt::format("'{}' is not a listed permission", p));
      }
      const bool audit = p.starts_with("audit.");
      std::string_view broken;
      switch (role.admin_duty) {
        case AdminDuty::kSystem:
          if (p == "role.write" || p == "role.grant" || audit) {
            broken = "a system administrator manages accounts, not roles or the audit";
          }
          break;
        case AdminDuty::kSecurity:
          if (p == "account.create" || p == "account.disable" || audit) {
            broken = "a security administrator manages roles and scopes, not accounts or the audit";
          }
          break;
        case AdminDuty::kAudit:
          if (!audit) broken = "an audit administrator only reads the trace and audit";
          break;
        case AdminDuty::kNone:
          if (p == "role.write" || p == "role.grant" || p == "account.create" ||
              p == "account.disable" || audit) {
            broken =
                "account, role and audit administration belong to the three administrator "
                "roles (三员分立)";
          }
          break;
      }
      if (!broken.empty()) {
        errors.Add(path + "/permissions", fmt::format("'{}': {}", p, broken));
      }
    }
  }
}

Result<RoleCatalog> ShippedRoles() {
  for (size_t i = 0; i < kPeopleFiles_count; ++i) {
    if (kPeopleFiles[i].path == kRolesPath) return ParseRoleCatalog(kPeopleFiles[i].contents);
  }
  return Error(ErrorCode::kInternal, "the shipped roles file is not embedded");
}

RoleSync SeedRoles(soci::session& sql, const PeopleRepository& repo, const RoleCatalog& catalog) {
  RoleSync sync;
  for (const Permission& p : catalog.permissions) repo.UpsertPermission(sql, p);
  for (const Role& r : catalog.roles) {
    if (!repo.RoleExists(sql, r.name)) {
      repo.InsertRole(sql, r);
      ++sync.roles_added;
      continue;
    }
    const auto [granted, withdrawn] = repo.SyncShippedRole(sql, r);
    sync.permissions_granted += granted;
    sync.permissions_withdrawn += withdrawn;
  }
  return sync;
}

}  // namespace tongban::people
