// The shipped demo people load quickly, completely and once, on both backends.
#include "people/demo.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>

#include <yaml-cpp/yaml.h>

#include "people/password.h"
#include "people/repository.h"
#include "people/roles.h"
#include "people/service.h"
#include "store/testing.h"

namespace tongban::people {

using store::TxKind;
namespace {

using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'750'000'000'000;

class DemoPeopleTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    ASSERT_TRUE(db_);
    auto set = PeopleMigrations();
    ASSERT_TRUE(set.ok());
    const store::MigrationSet* sets[] = {&*set};
    ASSERT_TRUE(db_->Migrate(sets).ok());
  }
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
};

TEST_P(DemoPeopleTest, LoadsEveryRoleInEveryLocalityOnce) {
  const auto start = std::chrono::steady_clock::now();
  auto counts = LoadDemoPeople(*db_, DemoPeopleYaml(), kT0);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(counts.ok()) << counts.error().ToString();
  std::printf("demo people loaded in %.1f ms (%s)\n", ms,
              std::string(store::BackendName(GetParam())).c_str());
  EXPECT_FALSE(counts->already_loaded);
  EXPECT_EQ(counts->staff, 5 * 16 + 1 + 2);  // and 云溪's park clerk and approver
  EXPECT_EQ(counts->citizens, 10);
  EXPECT_EQ(counts->enterprises, 5);
  EXPECT_EQ(counts->agents, 5);

  // Every role of the platform is held by a demo account; staff roles in every locality.
  auto repo = PeopleRepository::Create(GetParam());
  ASSERT_TRUE(repo.ok());
  auto held = db_->Transaction<std::map<std::string, std::set<std::string>>>(
      TxKind::kRead,
      [&](soci::session& sql) -> Result<std::map<std::string, std::set<std::string>>> {
        std::map<std::string, std::set<std::string>> regions_by_role;
        std::string role, region;
        soci::statement st = (sql.prepare << "SELECT role, region FROM role_grant",
                              soci::into(role), soci::into(region));
        st.execute();
        while (st.fetch()) regions_by_role[role].insert(region);
        return regions_by_role;
      });
  ASSERT_TRUE(held.ok());
  auto roles = ShippedRoles();
  ASSERT_TRUE(roles.ok());
  for (const Role& r : roles->roles) {
    ASSERT_TRUE(held->contains(r.name)) << "no demo account holds " << r.name;
    if (r.account_kind == AccountKind::kStaff) {
      for (const char* region : {"431128", "430181", "430423", "430204", "430603"}) {
        EXPECT_TRUE(held->at(r.name).contains(region)) << r.name << " in " << region;
      }
    }
  }

  auto again = LoadDemoPeople(*db_, DemoPeopleYaml(), kT0 + 1000);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_TRUE(again->already_loaded);
  EXPECT_EQ(again->staff, 0);
}

TEST_P(DemoPeopleTest, DemoAccountsLogInWithTheDocumentedPassword) {
  ASSERT_TRUE(LoadDemoPeople(*db_, DemoPeopleYaml(), kT0).ok());
  SimulatedSmsGateway sms;
  FakeClock clock(FromEpochMs(kT0 + 1000));
  auto service = PeopleService::Create(*db_, sms, clock, PeopleOptions{});
  ASSERT_TRUE(service.ok());
  auto session =
      (*service)->Login({LoginMethod::kUsernamePassword, "xintian.window_clerk", "tongban-demo"});
  ASSERT_TRUE(session.ok()) << session.error().ToString();
  auto p = (*service)->Authenticate(session->token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->account.region, "431128");
  EXPECT_TRUE((*service)->Authorize(*p, "case.accept", {"431128101", "431128-wjj", "x"}).ok());
  EXPECT_FALSE((*service)->Authorize(*p, "case.accept", {"430181", "430181-wjj", "x"}).ok());
  // An agent of an enterprise can act for it.
  auto agent =
      (*service)->Login({LoginMethod::kIdNumberPassword, "430181199211080130", "tongban-demo"});
  ASSERT_TRUE(agent.ok()) << agent.error().ToString();
  auto ap = (*service)->Authenticate(agent->token);
  ASSERT_TRUE(ap.ok());
  EXPECT_EQ(ap->agencies.size(), 2u);
  EXPECT_TRUE(AuthorizeForEnterprise(*ap, "91430181MA4M1B0268", EpochMs(clock)).ok());
  // The province-level supervisor sees every locality.
  auto hunan =
      (*service)->Login({LoginMethod::kUsernamePassword, "hunan.supervisor", "tongban-demo"});
  ASSERT_TRUE(hunan.ok());
  auto hp = (*service)->Authenticate(hunan->token);
  ASSERT_TRUE(hp.ok());
  for (const char* region : {"431128", "430181101", "430423", "430204", "430603"}) {
    EXPECT_TRUE((*service)->Authorize(*hp, "supervision.read", {region, "x-rsj", "m"}).ok())
        << region;
  }
  EXPECT_FALSE((*service)->Authorize(*hp, "supervision.read", {"440300", "x-rsj", "m"}).ok());
  EXPECT_FALSE((*service)->Authorize(*hp, "case.approve", {"431128", "431128-rsj", "m"}).ok());
  // The approver's scope is its department.
  auto approver =
      (*service)->Login({LoginMethod::kUsernamePassword, "yunxi.approver", "tongban-demo"});
  ASSERT_TRUE(approver.ok());
  auto yp = (*service)->Authenticate(approver->token);
  ASSERT_TRUE(yp.ok());
  EXPECT_TRUE((*service)->Authorize(*yp, "case.approve", {"430603", "430603-rsj", "m"}).ok());
  EXPECT_FALSE((*service)->Authorize(*yp, "case.approve", {"430603", "430603-wjj", "m"}).ok());
  EXPECT_FALSE((*service)->Authorize(*yp, "case.approve", {"431128", "431128-rsj", "m"}).ok());
}

TEST_P(DemoPeopleTest, RefusesAnInvalidFileWholeWithEveryError) {
  auto r = LoadDemoPeople(*db_, R"(
password_hash: "plain"
staff:
  - username: a.clerk
    name: 甲
    region: "431128"
    grants:
      - role: system_admin
      - role: audit_admin
      - role: wizard
  - username: a.clerk
    name: 乙
    region: "999999"
    grants: []
citizens:
  - id_number: "431128199001010038"
    name: 丙
    phone: "13800000001"
enterprises:
  - uscc: "91431128MA4L0A019K"
    name: 某公司
    legal_representative: "11010519491231002X"
    agents:
      - {id_number: "11010519491231002X", valid_until: "2020-01-01T00:00:00Z"}
    colour: red
)",
                          kT0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  const std::string all = r.error().ToString();
  for (const char* expected :
       {"password_hash: must be an Argon2id string", "staff/0/grants: 三员分立",
        "staff/0/grants/2/role: 'wizard' is not a role", "staff/1/username: is used twice",
        "staff/1/region: 999999 is not in the region list",
        "staff/1/grants: must list at least one role", "citizens/0/id_number:",
        "enterprises/0/legal_representative: must be the id_number of a listed citizen",
        "enterprises/0/agents/0/valid_until: must be in the future",
        "enterprises/0/colour: is not a known field"}) {
    EXPECT_THAT(all, HasSubstr(expected));
  }
  auto count = db_->Transaction<int>(TxKind::kRead, [](soci::session& sql) -> Result<int> {
    int n = 0;
    sql << "SELECT COUNT(*) FROM account", soci::into(n);
    return n;
  });
  EXPECT_EQ(*count, 0);
  EXPECT_FALSE(LoadDemoPeople(*db_, "staff: [", kT0).ok());
}

// Demo staff work in the demo catalog's departments, so an approver's scope reaches its matters.
TEST(DemoPeopleFile, DepartmentsAreTheDemoCatalogs) {
  const char* root = std::getenv("TONGBAN_SOURCE_DIR");
  ASSERT_NE(root, nullptr) << "ctest sets TONGBAN_SOURCE_DIR";
  const YAML::Node catalog = YAML::LoadFile(std::string(root) + "/data/demo/catalog.yaml");
  std::set<std::string> departments;
  for (const auto& d : catalog["departments"]) departments.insert(d["code"].as<std::string>());
  ASSERT_GT(departments.size(), 10u);
  const YAML::Node people = YAML::Load(std::string(DemoPeopleYaml()));
  int checked = 0;
  for (const auto& s : people["staff"]) {
    const std::string who = s["username"].as<std::string>();
    if (s["department"]) {
      EXPECT_TRUE(departments.contains(s["department"].as<std::string>())) << who;
      ++checked;
    }
    for (const auto& g : s["grants"]) {
      if (!g["department"]) continue;
      EXPECT_TRUE(departments.contains(g["department"].as<std::string>())) << who;
      ++checked;
    }
  }
  EXPECT_GT(checked, 60);
}

INSTANTIATE_TEST_SUITE_P(Backends, DemoPeopleTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::people
