// The shipped roles file: every role the platform needs, 三员分立 in the data, and the docs.
#include "people/roles.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace tongban::people {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

const Role& Find(const RoleCatalog& c, std::string_view name) {
  for (const Role& r : c.roles) {
    if (r.name == name) return r;
  }
  ADD_FAILURE() << "no role " << name;
  static const Role kNone;
  return kNone;
}

TEST(ShippedRoles, HasEveryRoleOfThePlatform) {
  auto catalog = ShippedRoles();
  ASSERT_TRUE(catalog.ok()) << catalog.error().ToString();
  for (const char* name :
       {"applicant", "enterprise_agent", "window_clerk", "approver", "department_head",
        "service_commissioner", "hotline_operator", "certificate_issuer", "supervisor",
        "discipline_inspector", "policy_officer", "catalog_admin", "system_admin", "security_admin",
        "audit_admin"}) {
    EXPECT_FALSE(Find(*catalog, name).permissions.empty()) << name;
  }
  EXPECT_EQ(Find(*catalog, "applicant").account_kind, AccountKind::kCitizen);
  EXPECT_EQ(Find(*catalog, "window_clerk").account_kind, AccountKind::kStaff);
  EXPECT_THAT(Find(*catalog, "catalog_admin").permissions, Contains("catalog.publish"));
  EXPECT_THAT(Find(*catalog, "window_clerk").permissions, Contains("case.accept"));
  // 受审分离: the accepting clerk's role cannot approve.
  EXPECT_THAT(Find(*catalog, "window_clerk").permissions, Not(Contains("case.approve")));
}

TEST(ShippedRoles, SeparatesTheThreeAdministrators) {
  auto catalog = ShippedRoles();
  ASSERT_TRUE(catalog.ok());
  const Role& system = Find(*catalog, "system_admin");
  const Role& security = Find(*catalog, "security_admin");
  const Role& audit = Find(*catalog, "audit_admin");
  EXPECT_EQ(system.admin_duty, AdminDuty::kSystem);
  EXPECT_EQ(security.admin_duty, AdminDuty::kSecurity);
  EXPECT_EQ(audit.admin_duty, AdminDuty::kAudit);
  EXPECT_THAT(system.permissions, Contains("account.create"));
  EXPECT_THAT(system.permissions, Not(Contains("role.grant")));
  EXPECT_THAT(system.permissions, Not(Contains("role.write")));
  EXPECT_THAT(system.permissions, Not(Contains("audit.read")));
  EXPECT_THAT(security.permissions, Contains("role.grant"));
  EXPECT_THAT(security.permissions, Contains("role.write"));
  EXPECT_THAT(security.permissions, Not(Contains("account.create")));
  EXPECT_THAT(security.permissions, Not(Contains("audit.read")));
  EXPECT_THAT(audit.permissions, Contains("audit.read"));
  for (const std::string& p : audit.permissions) EXPECT_TRUE(p.starts_with("audit.")) << p;
  // Only the administrator roles administer.
  for (const Role& r : catalog->roles) {
    if (r.admin_duty != AdminDuty::kNone) continue;
    EXPECT_THAT(r.permissions, Not(Contains("role.grant"))) << r.name;
    EXPECT_THAT(r.permissions, Not(Contains("account.create"))) << r.name;
    EXPECT_THAT(r.permissions, Not(Contains("audit.read"))) << r.name;
  }
}

TEST(RoleCatalogFile, RefusesBrokenRulesWithPaths) {
  auto r = ParseRoleCatalog(R"(
permissions:
  - {name: account.create, description: a}
  - {name: role.grant, description: b}
  - {name: audit.read, description: c}
  - {name: account.create, description: d}
roles:
  - name: system_admin
    title: x
    account_kind: staff
    admin_duty: system
    permissions: [account.create, role.grant]
  - name: audit_admin
    title: y
    account_kind: staff
    admin_duty: audit
    permissions: [audit.read, account.create, no.such]
  - name: clerk
    title: z
    account_kind: robot
    colour: blue
    permissions: [role.grant]
)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  const std::string all = r.error().ToString();
  EXPECT_THAT(all, HasSubstr("permissions/3/name: 'account.create' is listed twice"));
  EXPECT_THAT(all, HasSubstr("roles/0/permissions: 'role.grant': a system administrator"));
  EXPECT_THAT(all, HasSubstr("roles/1/permissions: 'account.create': an audit administrator"));
  EXPECT_THAT(all, HasSubstr("roles/1/permissions: 'no.such' is not a listed permission"));
  EXPECT_THAT(all, HasSubstr("roles/2/account_kind: must be citizen or staff"));
  EXPECT_THAT(all, HasSubstr("roles/2/colour: is not a known field"));
  EXPECT_THAT(all, HasSubstr("roles/2/permissions: 'role.grant': account, role and audit"));
  EXPECT_FALSE(ParseRoleCatalog("permissions: [").ok());
}

TEST(RoleCatalogFile, EveryPermissionIsDocumented) {
  const char* root = std::getenv("TONGBAN_SOURCE_DIR");
  ASSERT_NE(root, nullptr) << "ctest sets TONGBAN_SOURCE_DIR";
  std::ifstream in(std::string(root) + "/docs/people.md");
  ASSERT_TRUE(in) << "docs/people.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  auto catalog = ShippedRoles();
  ASSERT_TRUE(catalog.ok());
  for (const Permission& p : catalog->permissions) {
    EXPECT_THAT(text.str(), HasSubstr("`" + p.name + "`")) << "docs/people.md lacks " << p.name;
  }
  for (const Role& r : catalog->roles) {
    EXPECT_THAT(text.str(), HasSubstr("`" + r.name + "`")) << "docs/people.md lacks " << r.name;
  }
}

}  // namespace
}  // namespace tongban::people
