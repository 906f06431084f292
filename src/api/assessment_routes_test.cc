// The assessment route over a real server on port 0, with real logins: a county head's report
// per department as JSON (scores, null rates) and CSV, per person, 403 for another region, and
// the fields of a bad request.
#include "api/assessment_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <thread>

#include <fmt/format.h>

#include "api/route_test_fixture.h"
#include "bpmn/runtime.h"
#include "cases/service.h"
#include "demands/service.h"
#include "evaluation/service.h"
#include "people/clock.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "store/testing.h"
#include "supervision/service.h"

namespace tongban::api {
namespace {

using nlohmann::json;

class AssessmentRoutesTest : public RouteTestFixture {
 protected:
  void SetUp() override {
    std::vector<store::MigrationSet> sets;
    sets.push_back(*regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*catalog::CatalogMigrations());
    sets.push_back(*cases::CaseMigrations());
    sets.push_back(*bpmn::Runtime::Migrations());
    sets.push_back(*supervision::SupervisionMigrations());
    sets.push_back(*evaluation::Migrations());
    sets.push_back(*demands::Migrations());
    ASSERT_NO_FATAL_FAILURE(OpenDatabase(sets));
    ASSERT_NO_FATAL_FAILURE(CreatePeople(clock_));
    assessment_ = *assessment::AssessmentService::Create(*db_, {.clock = &clock_});
    ASSERT_NO_FATAL_FAILURE(StartServer(
        [this](Server& server) { RegisterAssessmentRoutes(server, *assessment_, *auth_); }));
    head_ = Staff("xintian.head", "department_head", "431128");
    other_head_ = Staff("liuyang.head", "department_head", "430181");
    auto seeded = db_->Transaction(store::TxKind::kWrite, [](soci::session& sql) -> Status {
      int n = 0;
      for (const char* level : {"yellow", "yellow", "red", "warning"}) {
        sql << fmt::format(
            "INSERT INTO supervision_card (dedupe_key, case_id, case_number, step, step_name, "
            "trigger_name, level, reason, region_code, department_code, person, issued_on, "
            "issued_at, state, notified, answer, answered_by, answered_at, handed_over_by, "
            "handed_over_at) VALUES ('k{0}', 'c{0}', 'n{0}', '', '', 't', '{1}', 'r', '431128', "
            "'431128-A', 'li', '2026-11-0{0}', 0, 'open', 0, '', '', 0, '', 0)",
            ++n, level);
      }
      return Ok();
    });
    ASSERT_TRUE(seeded.ok()) << seeded.error().ToString();
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-12-02")) + std::chrono::hours(9)};
  std::unique_ptr<assessment::AssessmentService> assessment_;
  std::string head_, other_head_;
};

TEST_F(AssessmentRoutesTest, ReportPerDepartmentAndPerson) {
  Answer r = Get("/api/v1/assessment/reports?month=2026-11&region=431128", head_);
  ASSERT_EQ(r.status, 200) << r.text;
  ASSERT_EQ(r.body["rows"].size(), 1u);
  const json& row = r.body["rows"][0];
  EXPECT_EQ(row["department"], "431128-A");
  EXPECT_EQ(row["inputs"]["yellow_cards"], 2);
  EXPECT_EQ(row["inputs"]["red_cards"], 1);
  EXPECT_EQ(row["inputs"]["warnings"], 1);
  EXPECT_TRUE(row["rates"]["good_rate"]["value"].is_null());
  EXPECT_EQ(row["rates"]["good_rate"]["denominator"], 0);
  // 新田县: 40 + 3 × 20 (nothing rated, rectified or called back) − 2 × 2 − 8 = 88.
  EXPECT_EQ(row["score"], 88.0);
  EXPECT_EQ(row["grade"], "良好");
  EXPECT_EQ(row["rules"], "431128");

  Answer csv = Get("/api/v1/assessment/reports?month=2026-11&region=431128&format=csv", head_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_THAT(csv.type, ::testing::HasSubstr("text/csv"));
  EXPECT_THAT(csv.text, ::testing::HasSubstr("2026-11,431128-A,431128,1,2,1,0,"));

  Answer person = Get("/api/v1/assessment/reports?month=2026-11&region=431128&by=person", head_);
  ASSERT_EQ(person.status, 200) << person.text;
  ASSERT_EQ(person.body["rows"].size(), 1u);
  EXPECT_EQ(person.body["rows"][0]["person"], "li");
  EXPECT_EQ(person.body["rows"][0]["department"], "431128-A");
}

TEST_F(AssessmentRoutesTest, RefusesOtherRegionsAndBadFields) {
  EXPECT_EQ(Get("/api/v1/assessment/reports?month=2026-11&region=431128", other_head_).status, 403);
  EXPECT_EQ(Get("/api/v1/assessment/reports?month=2026-11&region=431128", "").status, 401);
  Answer bad = Get("/api/v1/assessment/reports?month=11-2026&region=431128", head_);
  ASSERT_EQ(bad.status, 400) << bad.text;
  EXPECT_THAT(bad.text, ::testing::HasSubstr("month"));
  Answer by = Get("/api/v1/assessment/reports?month=2026-11&region=431128&by=team", head_);
  ASSERT_EQ(by.status, 400) << by.text;
  EXPECT_THAT(by.text, ::testing::HasSubstr("\"by\""));
}

}  // namespace
}  // namespace tongban::api
