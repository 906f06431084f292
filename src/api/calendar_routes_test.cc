// The calendar routes over a real server on port 0: a region's year read by anyone, changed by
// its catalog administrator (field errors, scope, stale versions), in force at once.
#include "api/calendar_routes.h"

#include <gtest/gtest.h>

#include "api/route_test_fixture.h"
#include "people/repository.h"
#include "trace/trace.h"

namespace tongban::api {
namespace {

using nlohmann::json;

class CalendarRoutesTest : public RouteTestFixture {
 protected:
  void SetUp() override {
    std::vector<store::MigrationSet> sets;
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*calendars::Migrations());
    OpenDatabase(sets);
    CreatePeople(clock_);
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    national_ = Calendar::WithEmbeddedSchedules();
    calendars_ = *calendars::CalendarService::Create(*db_, *trace_, *national_, {.clock = &clock_});
    // The case service's recomputation in the app; here it records the region it was asked for.
    calendars_->SetDueDays([this](std::string_view region) -> Result<calendars::DueDaysRecomputed> {
      recomputed_for_.emplace_back(region);
      return calendars::DueDaysRecomputed{.open_cases = 3, .moved = 2};
    });
    StartServer([this](Server& s) { RegisterCalendarRoutes(s, *calendars_, *auth_); });
    admin_ = Staff("xintian.catalog_admin", "catalog_admin", "431128");
    clerk_ = Staff("xintian.clerk", "window_clerk", "431128");
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26"))};
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<Calendar> national_;
  std::unique_ptr<calendars::CalendarService> calendars_;
  std::string admin_;
  std::string clerk_;
  std::vector<std::string> recomputed_for_;
};

const json kCountyDay = {
    {"source", "新田县人民政府通知"},
    {"holidays", {{{"name", "县庆"}, {"from", "2026-12-03"}, {"to", "2026-12-03"}}}},
    {"version", 0}};

TEST_F(CalendarRoutesTest, ReadsAYearAndChangesARegionsAdditions) {
  Answer year = Get("/api/v1/calendars/431128/2026", "");
  ASSERT_EQ(year.status, 200) << year.text;
  EXPECT_EQ(year.body["days"].size(), 365U);
  EXPECT_EQ(year.body["days"][0]["holiday"], "元旦");
  EXPECT_EQ(year.body["days"][0]["working"], false);
  EXPECT_EQ(year.body["version"], 0);
  EXPECT_TRUE(year.body["own"].is_null());
  EXPECT_EQ(year.body["national"]["holidays"].size(), 7U);

  Answer changed = Send("PUT", "/api/v1/calendars/431128/2026", kCountyDay, admin_);
  ASSERT_EQ(changed.status, 200) << changed.text;
  EXPECT_EQ(changed.body["version"], 1);
  EXPECT_EQ(changed.body["updated_by"], "xintian.catalog_admin");
  const json& dec3 = changed.body["days"][336];  // 2026-12-03
  EXPECT_EQ(dec3["date"], "2026-12-03");
  EXPECT_EQ(dec3["holiday"], "县庆");
  EXPECT_EQ(dec3["regional"], true);
  EXPECT_EQ(dec3["working"], false);
  EXPECT_EQ(calendars_->ForRegion("431128").AddWorkingDays(*Date::Parse("2026-12-02"), 1)->date,
            *Date::Parse("2026-12-04"));
  // The stored due days of the county's open cases were recomputed after the change.
  EXPECT_EQ(changed.body["due_days"], json({{"open_cases", 3}, {"moved", 2}}));
  EXPECT_EQ(recomputed_for_, std::vector<std::string>{"431128"});
  EXPECT_FALSE(year.body.contains("due_days"));  // a read has none

  // The same change again is stale; a clerk and the national schedule are refused.
  EXPECT_EQ(Send("PUT", "/api/v1/calendars/431128/2026", kCountyDay, admin_).status, 412);
  EXPECT_EQ(Send("PUT", "/api/v1/calendars/431128/2026", kCountyDay, clerk_).status, 403);
  EXPECT_EQ(Send("PUT", "/api/v1/calendars/cn/2026", kCountyDay, admin_).status, 403);
  EXPECT_EQ(Send("PUT", "/api/v1/calendars/431128/2026", kCountyDay, "").status, 401);
}

TEST_F(CalendarRoutesTest, NamesEveryBadField) {
  json body = {{"source", "x"},
               {"holidays",
                {{{"name", "坏"},
                  {"from", "2026-12-3"},
                  {"to", "2026-12-01"},
                  {"make_up_working_days", {"2026-12-02", "no"}}}}},
               {"colour", "red"}};
  Answer bad = Send("PUT", "/api/v1/calendars/431128/2026", body, admin_);
  ASSERT_EQ(bad.status, 400) << bad.text;
  std::set<std::string> fields;
  for (const json& e : bad.body["errors"]) fields.insert(e["field"].get<std::string>());
  EXPECT_TRUE(fields.contains("holidays/0/from")) << bad.text;
  EXPECT_TRUE(fields.contains("holidays/0/make_up_working_days/1")) << bad.text;
  EXPECT_TRUE(fields.contains("version")) << bad.text;
  EXPECT_TRUE(fields.contains("colour")) << bad.text;

  // Well-formed but wrong: the calendar's own checks, by field.
  body = {{"source", "x"},
          {"holidays",
           {{{"name", "坏"},
             {"from", "2026-12-01"},
             {"to", "2026-12-02"},
             {"make_up_working_days", {"2026-12-09"}}}}},
          {"version", 0}};
  bad = Send("PUT", "/api/v1/calendars/431128/2026", body, admin_);
  ASSERT_EQ(bad.status, 400) << bad.text;
  EXPECT_NE(bad.text.find("holidays/0/make_up_working_days/0"), std::string::npos) << bad.text;
  EXPECT_EQ(Get("/api/v1/calendars/431128/1999", "").status, 400);
  EXPECT_EQ(Get("/api/v1/calendars/4311/2026", "").status, 400);
}

}  // namespace
}  // namespace tongban::api
