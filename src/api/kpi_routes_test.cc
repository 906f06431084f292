// The KPI routes over a real server on port 0, with real logins: a report as JSON, CSV and XLSX,
// 403 outside the caller's region, the dashboard, the published statistics without login, and
// a 走流程 sandbox case submitted through the case route, its notes and the rectification item.
#include "api/kpi_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <thread>

#include "api/case_routes.h"
#include "api/route_test_fixture.h"
#include "cases/testing.h"
#include "keys/key_store.h"
#include "people/clock.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "store/testing.h"

namespace tongban {
extern const EmbeddedFile kKpiApiTestData[];
extern const size_t kKpiApiTestData_count;
}  // namespace tongban

namespace tongban::api {
namespace {

using nlohmann::json;

constexpr char kMatter[] = "11431128MB1234562L000172003000001";

class KpiRoutesTest : public RouteTestFixture {
 protected:
  void SetUp() override {
    std::vector<store::MigrationSet> sets;
    sets.push_back(*regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*catalog::CatalogMigrations());
    sets.push_back(keys::KeysMigrations());
    sets.push_back(*cases::CaseMigrations());
    sets.push_back(*kpi::Migrations());
    ASSERT_NO_FATAL_FAILURE(OpenDatabase(sets));
    ASSERT_NO_FATAL_FAILURE(CreatePeople(clock_));
    catalog_ = *catalog::CatalogService::Create(*db_, {.clock = &clock_, .observer = nullptr});
    ASSERT_TRUE(
        catalog_->ImportYaml(std::string(kKpiApiTestData[0].contents), {.publish = true}).ok());
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    dir_ = ::testing::TempDir() + "/kpi-routes-" + std::to_string(::getpid());
    seal_keys_ = cases::testing::MakeSealKeys(*db_, clock_);
    cases_ = *cases::CaseService::Create(
        *db_, *catalog_, *people_, *trace_,
        {.clock = &clock_, .data_dir = dir_, .keys = seal_keys_->store.get()});
    kpi_ = *kpi::KpiService::Create(*db_, *catalog_, {.clock = &clock_, .calendar = nullptr});
    cases_->SetObserver(kpi_.get());
    ASSERT_NO_FATAL_FAILURE(StartServer([this](Server& server) {
      RegisterCaseRoutes(server, *cases_, *auth_);
      RegisterKpiRoutes(server, *kpi_, *auth_);
    }));
    head_ = Staff("xintian.head", "department_head", "431128");
    other_head_ = Staff("liuyang.head", "department_head", "430181");
    clerk_ = Staff("xintian.clerk", "window_clerk", "431128");
  }
  void TearDown() override {
    RouteTestFixture::TearDown();
    std::filesystem::remove_all(dir_);
  }

  json Application(bool sandbox) {
    json a = {
        {"matter", kMatter},
        {"channel", "assisted"},
        {"applicant", {{"kind", "person"}, {"code", "431128199001010037"}, {"name", "李志强"}}},
        {"form", {{"venue_name", "龙泉宾馆"}, {"area_m2", 120.5}, {"venue_kind", "宾馆"}}}};
    if (sandbox) a["sandbox"] = true;
    return a;
  }
  static const json& FigureOf(const json& report, const std::string& name) {
    for (const json& f : report["figures"]) {
      if (f["name"] == name && !f.contains("labels")) return f;
    }
    static const json kNone = json::object();
    ADD_FAILURE() << "no figure " << name;
    return kNone;
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9)};
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<cases::testing::SealKeys> seal_keys_;  // outlives cases_
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<kpi::KpiService> kpi_;
  std::string dir_, head_, other_head_, clerk_;
};

TEST_F(KpiRoutesTest, ReportsInThreeFormatsScopedByGrants) {
  ASSERT_EQ(Send("POST", "/api/v1/cases", Application(false), clerk_).status, 201);
  ASSERT_EQ(Send("POST", "/api/v1/cases", Application(false), clerk_).status, 201);
  Answer r = Send("GET", "/api/v1/kpi/reports?region=431128&period=2026-11", {}, head_);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(FigureOf(r.body, "applications")["value"], 2);
  EXPECT_EQ(FigureOf(r.body, "conclusion_rate")["numerator"], 0);
  EXPECT_EQ(FigureOf(r.body, "conclusion_rate")["denominator"], 2);
  EXPECT_EQ(r.body["query"]["from"], "2026-11-01");
  EXPECT_EQ(r.body["previous"]["from"], "2025-11-01");
  // Nothing a year earlier: the growth is unknown (null), not 0 %.
  EXPECT_TRUE(FigureOf(r.body, "applications_growth")["value"].is_null());
  EXPECT_EQ(FigureOf(r.body, "applications_growth")["denominator"], 0);
  Answer csv =
      Send("GET", "/api/v1/kpi/reports?region=431128&period=2026-11&format=csv", {}, head_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_THAT(csv.type, ::testing::HasSubstr("text/csv"));
  EXPECT_THAT(csv.text, ::testing::HasSubstr("cases,applications,申请量,,cases,2,1,2.00"));
  EXPECT_THAT(csv.text,
              ::testing::HasSubstr("applications_growth,申请量同比增长,,percent,2,0,\r\n"));
  Answer xlsx =
      Send("GET", "/api/v1/kpi/reports?region=431128&period=2026-11", {}, head_,
           {{"Accept", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}});
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_TRUE(xlsx.text.starts_with("PK"));
  // Outside the caller's region, without report.read, without a login, a bad period.
  EXPECT_EQ(Send("GET", "/api/v1/kpi/reports?region=431128", {}, other_head_).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/kpi/reports?region=430000", {}, head_).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/kpi/reports?region=431128", {}, clerk_).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/kpi/reports?region=431128", {}, "").status, 401);
  Answer bad = Send("GET", "/api/v1/kpi/reports?region=431128&period=2026-13", {}, head_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["errors"][0]["field"], "period");
  // The dashboard defaults to the caller's region; another region is 403.
  Answer d = Send("GET", "/api/v1/kpi/dashboard?period=2026", {}, head_);
  ASSERT_EQ(d.status, 200) << d.text;
  EXPECT_EQ(d.body["query"]["region"], "431128");
  ASSERT_EQ(d.body["by_month"].size(), 1u);
  EXPECT_EQ(d.body["by_month"][0]["key"], "2026-11");
  EXPECT_EQ(d.body["by_month"][0]["applications"], 2);
  EXPECT_EQ(d.body["by_channel"][0]["key"], "assisted");
  EXPECT_EQ(Send("GET", "/api/v1/kpi/dashboard?region=431128", {}, other_head_).status, 403);
  // Published statistics: no login, counts and rates only.
  Answer pub = Send("GET", "/api/v1/kpi/statistics?region=431128&period=2026", {}, "");
  ASSERT_EQ(pub.status, 200) << pub.text;
  EXPECT_EQ(FigureOf(pub.body, "applications")["value"], 2);
  for (const json& f : pub.body["figures"]) EXPECT_EQ(f["provider"], "cases");
}

TEST_F(KpiRoutesTest, WalkthroughSandboxCasesAreNotedAndNeverCounted) {
  Answer refused = Send("POST", "/api/v1/cases", Application(true), clerk_);
  EXPECT_EQ(refused.status, 403);  // a clerk holds no case.walkthrough
  Answer walk = Send("POST", "/api/v1/cases", Application(true), head_);
  ASSERT_EQ(walk.status, 201) << walk.text;
  const std::string number = walk.body["number"];
  Answer r = Send("GET", "/api/v1/kpi/reports?region=431128&period=2026", {}, head_);
  EXPECT_EQ(FigureOf(r.body, "applications")["value"], 0);
  const std::string path = "/api/v1/kpi/walkthroughs/" + number + "/notes";
  Answer note = Send("POST", path, {{"step", "form"}, {"friction", "营业面积单位不清楚"}}, head_);
  ASSERT_EQ(note.status, 201) << note.text;
  EXPECT_TRUE(note.body["rectification_item"].is_null());
  Answer finding =
      Send("POST", path,
           {{"step", "materials"}, {"friction", "要求重复提交营业执照"}, {"finding", true}}, head_);
  ASSERT_EQ(finding.status, 201);
  EXPECT_TRUE(finding.body["rectification_item"].is_string());
  Answer bad = Send("POST", path, {{"step", "form"}}, head_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Send("POST", path, {{"step", "x"}, {"friction", "y"}}, other_head_).status, 403);
  Answer notes = Send("GET", path, {}, head_);
  ASSERT_EQ(notes.status, 200);
  EXPECT_EQ(notes.body["items"].size(), 2u);
  Answer items = Send("GET", "/api/v1/kpi/rectification-items?region=431128", {}, head_);
  ASSERT_EQ(items.status, 200);
  ASSERT_EQ(items.body["items"].size(), 1u);
  EXPECT_EQ(items.body["items"][0]["case_number"], number);
  EXPECT_EQ(items.body["items"][0]["source"], "walkthrough");
  EXPECT_EQ(Send("GET", "/api/v1/kpi/walkthroughs/431128-20261126-999999/notes", {}, head_).status,
            404);
}

}  // namespace
}  // namespace tongban::api
