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

// Inserts the permissions and roles of `catalog` that the database does not have yet; never
// changes or removes existing ones. Runs inside the caller's transaction.
void SeedRoles(soci::session& sql, const PeopleRepository& repo, const RoleCatalog& catalog);

}  // namespace tongban::people
