// The supervision routes over a real server on port 0, with real logins and the seeded roles:
// rules saved (and refused), a sweep, cards scoped by grants (another county gets 404/403), an
// answer, a hand-over with the case file, reports, and the bad inputs.
#include "api/supervision_routes.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/route_test_fixture.h"
#include "bpmn/runtime.h"
#include "cases/service.h"
#include "catalog/repository.h"
#include "people/clock.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "store/testing.h"
#include "trace/trace.h"

namespace tongban::api {
namespace {

using nlohmann::json;

constexpr char kRules[] = R"(region: "431128"
red_after_working_days: 5
rules:
  - name: total_limit_exceeded
    level: yellow
    reason: 办件超过承诺办结时限
    states: [under_review]
    when: due on < today
  - name: total_limit_exceeded_long
    level: red
    reason: 超过时限5个工作日以上
    states: [under_review]
    when: due on < red day
)";

class SupervisionRoutesTest : public RouteTestFixture {
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
    ASSERT_NO_FATAL_FAILURE(OpenDatabase(sets));
    ASSERT_NO_FATAL_FAILURE(CreatePeople(SystemClock::Instance()));
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    service_ = *supervision::SupervisionService::Create(*db_, *trace_, {});
    ASSERT_NO_FATAL_FAILURE(StartServer(
        [this](Server& server) { RegisterSupervisionRoutes(server, *service_, *auth_, {}); }));
    supervisor_ = Staff("xintian.supervisor", "supervisor", "431128", "*");
    head_ = Staff("xintian.head", "department_head", "431128", "431128-rsj");
    liuyang_ = Staff("liuyang.supervisor", "supervisor", "430181", "*");
    clerk_ = Staff("xintian.clerk", "window_clerk", "431128", "*");
    // Overdue cases by the real clock: due 2 and 30 days ago.
    const Date today = TodayInChina(SystemClock::Instance());
    InsertCase("c1", "431128", "431128-rsj", today.AddDays(-30));
    InsertCase("c2", "431128", "431128-rsj", today.AddDays(-1));
  }

  void InsertCase(const std::string& id, const std::string& region, const std::string& department,
                  Date due) {
    auto done = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      const std::string number = region + "-20261101-" + id, due_on = due.ToString(),
                        accepted = due.AddDays(-30).ToString();
      sql << "INSERT INTO case_record (id, number, matter_code, matter_version, scenario, "
             "region_code, department_code, applicant_kind, applicant_code, applicant_name, "
             "agent_account, submitted_by, channel, clerk_account, form, state, version, "
             "received_on, received_at, accepted_on, accepted_by, correction_on, "
             "correction_items, suspension_reason, suspended_since, suspended_days, "
             "extension_days, extended_by, decided_by, decision_reasons, updated_at, due_on) "
             "VALUES (:id, :number, 'M1', 'M1@1', 'new', :region, :department, 'person', "
             "'430000', '张三', '', 'citizen-1', 'window', '', '{}', 'under_review', 1, "
             ":received, 0, :accepted, 'clerk-1', '', '', '', '', 0, 0, '', '', '', 0, :due_on)",
          soci::use(id, "id"), soci::use(number, "number"), soci::use(region, "region"),
          soci::use(department, "department"), soci::use(accepted, "received"),
          soci::use(accepted, "accepted"), soci::use(due_on, "due_on");
      return Ok();
    });
    ASSERT_TRUE(done.ok()) << done.error().ToString();
  }

  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<supervision::SupervisionService> service_;
  std::string supervisor_, head_, liuyang_, clerk_;
};

TEST_F(SupervisionRoutesTest, RulesSweepCardsAnswerHandOverReports) {
  // Rules: unparsable FEEL is refused naming the rule; another county's supervisor gets 403.
  Answer bad = Send("PUT", "/api/v1/supervision/rules/431128",
                    {{"yaml",
                      "region: \"431128\"\nrules:\n  - {name: late, level: red, reason: "
                      "x, when: \"due on <\"}\n"}},
                    supervisor_);
  EXPECT_EQ(bad.status, 400) << bad.text;
  EXPECT_EQ(bad.body["errors"][0]["field"], "rules[0].when") << bad.text;
  EXPECT_NE(bad.text.find("rule late"), std::string::npos);
  EXPECT_EQ(Send("PUT", "/api/v1/supervision/rules/431128", {{"yaml", kRules}}, liuyang_).status,
            403);
  Answer saved = Send("PUT", "/api/v1/supervision/rules/431128", {{"yaml", kRules}}, supervisor_);
  ASSERT_EQ(saved.status, 200) << saved.text;
  Answer rules = Send("GET", "/api/v1/supervision/rules/431128", nullptr, head_);
  ASSERT_EQ(rules.status, 200) << rules.text;
  EXPECT_EQ(rules.body["rules"].size(), 2u);
  EXPECT_EQ(Send("GET", "/api/v1/supervision/rules/431128", nullptr, liuyang_).status, 403);

  // A sweep: the head of a department may not run one; the county's supervisor may.
  EXPECT_EQ(Send("POST", "/api/v1/supervision/sweeps", {{"region", "431128"}}, head_).status, 403);
  EXPECT_EQ(
      Send("POST", "/api/v1/supervision/sweeps", {{"as_of", "2026-13-01"}}, supervisor_).status,
      400);
  Answer swept = Send("POST", "/api/v1/supervision/sweeps", {{"region", "431128"}}, supervisor_);
  ASSERT_EQ(swept.status, 201) << swept.text;
  EXPECT_EQ(swept.body["yellow"], 2);
  EXPECT_EQ(swept.body["red"], 1);
  Answer again = Send("POST", "/api/v1/supervision/sweeps", {{"region", "431128"}}, supervisor_);
  EXPECT_EQ(again.body["yellow"], 0);

  // Cards by grants.
  EXPECT_EQ(Send("GET", "/api/v1/supervision/cards", nullptr, "").status, 401);
  EXPECT_EQ(Send("GET", "/api/v1/supervision/cards", nullptr, clerk_).status, 403);
  Answer mine = Send("GET", "/api/v1/supervision/cards?limit=10", nullptr, head_);
  ASSERT_EQ(mine.status, 200) << mine.text;
  ASSERT_EQ(mine.body["items"].size(), 3u);
  EXPECT_TRUE(Send("GET", "/api/v1/supervision/cards", nullptr, liuyang_).body["items"].empty());
  EXPECT_EQ(Send("GET", "/api/v1/supervision/cards?level=orange", nullptr, head_).status, 400);
  EXPECT_EQ(Send("GET", "/api/v1/supervision/cards?limit=0", nullptr, head_).status, 400);
  Answer page = Send("GET", "/api/v1/supervision/cards?limit=2", nullptr, supervisor_);
  ASSERT_EQ(page.body["items"].size(), 2u);
  Answer rest = Send(
      "GET",
      "/api/v1/supervision/cards?limit=2&cursor=" + page.body["next_cursor"].get<std::string>(),
      nullptr, supervisor_);
  EXPECT_EQ(rest.body["items"].size(), 1u);
  int64_t yellow = 0, red = 0;
  for (const auto& c : mine.body["items"]) {
    if (c["level"] == "red") red = c["id"];
    if (c["level"] == "yellow" && c["case_number"] == "431128-20261101-c1") yellow = c["id"];
  }
  ASSERT_GT(yellow, 0);
  ASSERT_GT(red, 0);
  const std::string card = fmt::format("/api/v1/supervision/cards/{}", yellow);
  EXPECT_EQ(Send("GET", card, nullptr, liuyang_).status, 404);
  EXPECT_EQ(Send("GET", "/api/v1/supervision/cards/abc", nullptr, head_).status, 404);

  // The department answers; only it, only once.
  EXPECT_EQ(Send("POST", card + "/answer", {{"correction", "已整改"}}, liuyang_).status, 404);
  EXPECT_EQ(Send("POST", card + "/answer", {{"correction", "已整改"}}, supervisor_).status, 403);
  EXPECT_EQ(Send("POST", card + "/answer", json::object(), head_).status, 400);
  Answer answered = Send("POST", card + "/answer", {{"correction", "已督促当日办结"}}, head_);
  ASSERT_EQ(answered.status, 200) << answered.text;
  EXPECT_EQ(answered.body["state"], "answered");
  EXPECT_EQ(Send("POST", card + "/answer", {{"correction", "again"}}, head_).status, 409);

  // Hand-over: red only, by supervision.clue, once; the case file travels with it.
  EXPECT_EQ(Send("POST", card + "/hand-over", json::object(), supervisor_).status, 422);
  const std::string red_card = fmt::format("/api/v1/supervision/cards/{}", red);
  EXPECT_EQ(Send("POST", red_card + "/hand-over", json::object(), head_).status, 403);
  Answer clue = Send("POST", red_card + "/hand-over", {{"note", "移交县纪委监委"}}, supervisor_);
  ASSERT_EQ(clue.status, 201) << clue.text;
  EXPECT_EQ(clue.body["case_file"]["case"]["number"], "431128-20261101-c1");
  EXPECT_EQ(clue.body["card"]["state"], "handed_over");
  EXPECT_EQ(Send("POST", red_card + "/hand-over", json::object(), supervisor_).status, 409);
  Answer history = Send("GET", red_card, nullptr, supervisor_);
  ASSERT_EQ(history.body["history"].size(), 2u);
  EXPECT_EQ(history.body["history"][1]["action"], "handed_over");

  // Reports.
  const Date today = TodayInChina(SystemClock::Instance());
  const std::string month = today.ToString().substr(0, 7);
  Answer report = Send("GET", "/api/v1/supervision/reports?period=" + month, nullptr, supervisor_);
  ASSERT_EQ(report.status, 200) << report.text;
  ASSERT_EQ(report.body["rows"].size(), 1u);
  EXPECT_EQ(report.body["rows"][0]["department"], "431128-rsj");
  EXPECT_EQ(report.body["rows"][0]["yellow"], 2);
  EXPECT_EQ(report.body["rows"][0]["red"], 1);
  EXPECT_EQ(report.body["rows"][0]["answered"], 1);
  Answer csv = Send("GET", "/api/v1/supervision/reports?format=csv&by=person&period=" + month,
                    nullptr, supervisor_);
  EXPECT_NE(csv.text.find("period,person,region"), std::string::npos);
  EXPECT_NE(csv.text.find("clerk-1"), std::string::npos);
  EXPECT_EQ(Send("GET", "/api/v1/supervision/reports?period=2026-Q9", nullptr, supervisor_).status,
            400);
  EXPECT_EQ(
      Send("GET", "/api/v1/supervision/reports?period=2026-11&by=x", nullptr, supervisor_).status,
      400);
  EXPECT_EQ(Send("GET", "/api/v1/supervision/reports?period=2026-11", nullptr, clerk_).status, 403);
}

}  // namespace
}  // namespace tongban::api
