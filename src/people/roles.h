// The shipped roles and permissions (data/people/roles.yaml, embedded) and the rules any role
// definition must keep, including 三员分立 (separation of the system, security and audit
// administrators' duties).
#pragma once

#include <soci/soci.h>

#include <string_view>
#include <vector>

#include "base/result.h"
#include "people/model.h"
#include "people/repository.h"

namespace tongban::people {

struct RoleCatalog {
  std::vector<Permission> permissions{};
  std::vector<Role> roles{};  // permissions sorted
};

// Parses a roles file (the format of data/people/roles.yaml) and checks it with
// ValidateRoleCatalog; every problem is listed with its path ("roles/3/permissions/1").
Result<RoleCatalog> ParseRoleCatalog(std::string_view yaml);

// The catalog shipped in the binary.
Result<RoleCatalog> ShippedRoles();

// Adds to `errors` every rule `catalog` breaks: unknown permissions, duplicate names, and the
// duty rules of 三员分立 (system: no role.write/role.grant/audit.*; security: no account.create/
// account.disable/audit.*; audit: audit.* only).
void ValidateRoleCatalog(const RoleCatalog& catalog, FieldErrors& errors);

// What SeedRoles changed in a database that already held roles.
struct RoleSync {
  int roles_added = 0;
  int permissions_granted = 0;  // to roles that existed, because the shipped catalog added them
  int permissions_withdrawn = 0;
};

// Brings the database's roles to `catalog`: missing roles are added, and a release that gives
// a shipped role a new permission or takes one away reaches installations made by an earlier
// release at their next start. What a security administrator changed by hand (permissions no
// release shipped for the role, or shipped ones taken away) and roles the catalog does not name
// are left alone. Runs inside the caller's transaction.
RoleSync SeedRoles(soci::session& sql, const PeopleRepository& repo, const RoleCatalog& catalog);

}  // namespace tongban::people
