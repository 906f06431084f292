// Authorisation by permission and scope, without a database.
#include "people/authorization.h"
#include "people/region_range.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tongban::people {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'750'000'000'000;  // 2025-06-15
constexpr int64_t kDay = 86'400'000;

HeldGrant Grant(std::string role, std::vector<std::string> permissions, Scope scope) {
  HeldGrant g;
  g.grant.id = "grt_" + role;
  g.grant.role = std::move(role);
  g.grant.scope = std::move(scope);
  std::sort(permissions.begin(), permissions.end());
  g.permissions = std::move(permissions);
  return g;
}

TEST(Region, PrefixDropsEmptyLevels) {
  EXPECT_EQ(RegionPrefix("430000"), "43");
  EXPECT_EQ(RegionPrefix("431100"), "4311");
  EXPECT_EQ(RegionPrefix("431128"), "431128");
  EXPECT_EQ(RegionPrefix("431128101"), "431128101");
  EXPECT_EQ(RegionPrefix("431128101000"), "431128101");
  EXPECT_EQ(RegionPrefix("431128000000"), "431128");
  EXPECT_EQ(RegionPrefix("431128101201"), "431128101201");
}

TEST(Region, SubtreeRangesHoldExactlyTheSubtreesCodes) {
  using Range = std::pair<std::string, std::string>;
  EXPECT_EQ(RegionSubtreeRange("431100"), (Range{"4311", "4312"}));
  EXPECT_EQ(RegionSubtreeRange("430000"), (Range{"43", "44"}));
  EXPECT_EQ(RegionSubtreeRange("431128101"), (Range{"431128101", "431128102"}));
  EXPECT_EQ(RegionSubtreeRange("431199"), (Range{"431199", "4312"}));
  EXPECT_EQ(RegionSubtreeRange(""), (Range{"", "~"}));
  EXPECT_EQ(RegionSubtreeRange("99"), (Range{"99", "~"}));
}

TEST(Region, SubtreesCoverTheirTownsAndVillages) {
  EXPECT_TRUE(RegionCovers("431128", "431128"));
  EXPECT_TRUE(RegionCovers("431128", "431128101"));     // a town of 新田县
  EXPECT_TRUE(RegionCovers("431128", "431128101201"));  // a village
  EXPECT_TRUE(RegionCovers("431100", "431128"));        // 永州市 covers 新田县
  EXPECT_TRUE(RegionCovers("430000", "430181"));        // 湖南省 covers 浏阳市
  EXPECT_TRUE(RegionCovers("*", "430603"));
  EXPECT_TRUE(RegionCovers("*", ""));
  EXPECT_FALSE(RegionCovers("431128", "430181"));
  EXPECT_FALSE(RegionCovers("431128", "431100"));  // a county does not cover its city
  EXPECT_FALSE(RegionCovers("431128101", "431128"));
  EXPECT_FALSE(RegionCovers("431128", "4311281"));  // not a region code
  EXPECT_FALSE(RegionCovers("431128", ""));         // the whole installation
  EXPECT_FALSE(RegionCovers("430100", "431128"));   // 长沙市 does not cover 新田县
}

class AuthorizeTest : public ::testing::Test {
 protected:
  AuthorizeTest() {
    principal_.account.id = "acc_clerk";
    principal_.grants.push_back(
        Grant("window_clerk", {"case.accept", "case.read"},
              Scope{.region = "431128", .valid_from = kT0, .valid_until = kT0 + 30 * kDay}));
    principal_.grants.push_back(Grant("approver", {"case.approve", "case.read"},
                                      Scope{.region = "431128",
                                            .department = "431128-wjj",
                                            .matters = {"000172009000", "000172010000"},
                                            .valid_from = kT0,
                                            .valid_until = std::nullopt}));
  }
  Principal principal_;
};

TEST_F(AuthorizeTest, AllowsInsideTheScope) {
  EXPECT_TRUE(Authorize(principal_, "case.accept", {"431128", "431128-jtj", "x"}, kT0).ok());
  EXPECT_TRUE(Authorize(principal_, "case.accept", {"431128101", "", ""}, kT0 + kDay).ok());
  EXPECT_TRUE(
      Authorize(principal_, "case.approve", {"431128", "431128-wjj", "000172009000"}, kT0).ok());
}

TEST_F(AuthorizeTest, NamesTheMissingPermission) {
  Status s = Authorize(principal_, "catalog.write", {"431128", "", ""}, kT0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kForbidden);
  EXPECT_EQ(s.error().message(), "missing permission 'catalog.write'");
}

TEST_F(AuthorizeTest, NamesTheScopeDimensionThatFails) {
  Status region = Authorize(principal_, "case.accept", {"430181", "", ""}, kT0);
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.error().code(), ErrorCode::kForbidden);
  EXPECT_THAT(region.error().message(), HasSubstr("region 430181 is outside 431128"));

  Status department =
      Authorize(principal_, "case.approve", {"431128", "431128-jtj", "000172009000"}, kT0);
  ASSERT_FALSE(department.ok());
  EXPECT_THAT(department.error().message(), HasSubstr("department 431128-jtj is not 431128-wjj"));

  Status matter = Authorize(principal_, "case.approve", {"431128", "431128-wjj", "999"}, kT0);
  ASSERT_FALSE(matter.ok());
  EXPECT_THAT(matter.error().message(), HasSubstr("matter 999 is not among the 2 granted"));
}

TEST_F(AuthorizeTest, HonoursTheValidityWindow) {
  EXPECT_FALSE(Authorize(principal_, "case.accept", {"431128", "", ""}, kT0 - 1).ok());
  EXPECT_TRUE(Authorize(principal_, "case.accept", {"431128", "", ""}, kT0 + 30 * kDay - 1).ok());
  Status expired = Authorize(principal_, "case.accept", {"431128", "", ""}, kT0 + 30 * kDay);
  ASSERT_FALSE(expired.ok());
  EXPECT_THAT(expired.error().message(), HasSubstr("expired at 2025-07-15"));
  // case.read is also given by the approver grant, which has no end.
  EXPECT_TRUE(
      Authorize(principal_, "case.read", {"431128", "431128-wjj", "000172010000"}, kT0 + 365 * kDay)
          .ok());
}

TEST_F(AuthorizeTest, EmptyTargetFieldsNeedAnyScopes) {
  // A region-wide action (no department) is not covered by a department-bound grant.
  EXPECT_FALSE(Authorize(principal_, "case.approve", {"431128", "", "000172009000"}, kT0).ok());
  // An installation-wide action is covered only by a "*" region.
  EXPECT_FALSE(Authorize(principal_, "case.accept", {"", "", ""}, kT0).ok());
  principal_.grants.push_back(Grant("system_admin", {"account.create"}, Scope{.valid_from = kT0}));
  EXPECT_TRUE(Authorize(principal_, "account.create", {"", "", ""}, kT0).ok());
}

TEST(AuthorizeWithin, DelegatesOnlyInsideOwnScope) {
  Principal p;
  p.grants.push_back(
      Grant("security_admin", {"role.grant"}, Scope{.region = "431128", .valid_from = kT0}));
  EXPECT_TRUE(
      AuthorizeWithin(p, "role.grant", Scope{.region = "431128101", .valid_from = kT0}, kT0).ok());
  EXPECT_TRUE(
      AuthorizeWithin(p, "role.grant",
                      Scope{.region = "431128", .department = "431128-wjj", .matters = {"m1"}}, kT0)
          .ok());
  Status wider = AuthorizeWithin(p, "role.grant", Scope{.region = "*"}, kT0);
  ASSERT_FALSE(wider.ok());
  EXPECT_EQ(wider.error().code(), ErrorCode::kForbidden);
  EXPECT_FALSE(AuthorizeWithin(p, "role.grant", Scope{.region = "430181"}, kT0).ok());
  EXPECT_FALSE(AuthorizeWithin(p, "role.grant", Scope{.region = "431100"}, kT0).ok());
  EXPECT_EQ(AuthorizeWithin(p, "role.write", Scope{.region = "431128"}, kT0).error().message(),
            "missing permission 'role.write'");

  Principal narrow;
  narrow.grants.push_back(
      Grant("security_admin", {"role.grant"},
            Scope{.region = "431128", .department = "431128-wjj", .matters = {"m1", "m2"}}));
  EXPECT_TRUE(
      AuthorizeWithin(narrow, "role.grant",
                      Scope{.region = "431128", .department = "431128-wjj", .matters = {"m2"}}, kT0)
          .ok());
  EXPECT_FALSE(AuthorizeWithin(narrow, "role.grant",
                               Scope{.region = "431128", .department = "431128-wjj"}, kT0)
                   .ok());  // every matter is more than m1 and m2
  EXPECT_FALSE(AuthorizeWithin(narrow, "role.grant",
                               Scope{.region = "431128", .department = "*", .matters = {"m1"}}, kT0)
                   .ok());
}

TEST(AuthorizeForEnterprise, LegalRepresentativesAndValidAgents) {
  Principal p;
  p.agencies.push_back(Agency{.uscc = "91431128MA4L0A019K",
                              .enterprise_name = "a",
                              .relation = EnterpriseRelation::kLegalRepresentative});
  p.agencies.push_back(Agency{.uscc = "91430181MA4M1B0268",
                              .enterprise_name = "b",
                              .relation = EnterpriseRelation::kAgent,
                              .authorisation_id = "agt_1",
                              .valid_from = kT0,
                              .valid_until = kT0 + kDay});
  EXPECT_TRUE(AuthorizeForEnterprise(p, "91431128MA4L0A019K", kT0).ok());
  EXPECT_TRUE(AuthorizeForEnterprise(p, "91430181MA4M1B0268", kT0).ok());
  Status expired = AuthorizeForEnterprise(p, "91430181MA4M1B0268", kT0 + kDay);
  ASSERT_FALSE(expired.ok());
  EXPECT_THAT(expired.error().message(), HasSubstr("not valid now"));
  EXPECT_EQ(AuthorizeForEnterprise(p, "91430423MA4N2C0331", kT0).error().code(),
            ErrorCode::kForbidden);
}

}  // namespace
}  // namespace tongban::people
