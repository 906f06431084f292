// Calendars changed at run time: a region's additions and the national schedule stored,
// checked, traced, reloaded by the next process, and in force for working-day arithmetic.
#include "calendars/service.h"

#include <gtest/gtest.h>

#include "store/testing.h"

namespace tongban::calendars {
namespace {

Date D(std::string_view s) { return *Date::Parse(s); }

people::Principal Admin(std::string username, std::string region) {
  people::Principal p;
  p.account.id = username;
  p.account.username = std::move(username);
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant g;
  g.grant.scope.region = std::move(region);
  g.permissions = {"calendar.write"};
  p.grants.push_back(std::move(g));
  return p;
}

class CalendarServiceTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    ASSERT_TRUE(db_);
    auto mine = Migrations();
    ASSERT_TRUE(mine.ok()) << mine.error().ToString();
    const store::MigrationSet* sets[] = {&trace::TraceMigrations(), &*mine};
    auto applied = db_->Migrate(sets);
    ASSERT_TRUE(applied.ok()) << applied.error().ToString();
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    Open();
  }
  void Open() {
    service_.reset();
    national_ = Calendar::WithEmbeddedSchedules();
    auto s = CalendarService::Create(*db_, *trace_, *national_, {.clock = &clock_});
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    service_ = std::move(s).value();
  }

  FakeClock clock_{StartOfDayInChina(D("2026-11-26"))};
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<Calendar> national_;
  std::unique_ptr<CalendarService> service_;
  people::Principal county_ = Admin("xintian.catalog_admin", "431128");
  people::Principal everywhere_ = Admin("root", "*");
};

TEST_P(CalendarServiceTest, AYearDayByDay) {
  if (!service_) return;
  auto year = service_->Year("cn", 2026);
  ASSERT_TRUE(year.ok()) << year.error().ToString();
  EXPECT_FALSE(year->provisional);
  EXPECT_EQ(year->version, 0);
  ASSERT_EQ(year->days.size(), 365U);
  EXPECT_EQ(year->days[0].holiday, "元旦");
  EXPECT_FALSE(year->days[0].working);
  EXPECT_TRUE(year->days[3].make_up);  // 2026-01-04, a Sunday
  EXPECT_TRUE(year->days[3].working);
  EXPECT_TRUE(year->days[4].working);  // Monday 2026-01-05
  EXPECT_EQ(year->national.holidays.size(), 7U);
  EXPECT_TRUE(service_->Year("cn", 2030)->provisional);
  auto bad = service_->Year("43112", 1999);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().ToString().find("region"), std::string::npos);
  EXPECT_NE(bad.error().ToString().find("year"), std::string::npos);
}

TEST_P(CalendarServiceTest, ARegionsAdditionCountsForThatRegionOnly) {
  if (!service_) return;
  // Thursday 2026-12-03 off in 新田 only: a limit of one working day from Wednesday ends Friday.
  EXPECT_EQ(service_->ForRegion("431128").AddWorkingDays(D("2026-12-02"), 1)->date,
            D("2026-12-03"));
  auto changed = service_->Change(county_, "431128", 2026, "新田县人民政府通知",
                                  {{.name = "县庆",
                                    .from = D("2026-12-03"),
                                    .to = D("2026-12-03"),
                                    .make_up_working_days = {}}},
                                  0);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(changed->version, 1);
  EXPECT_EQ(changed->updated_by, "xintian.catalog_admin");
  const Day& day =
      changed->days[static_cast<size_t>(D("2026-12-03").days() - D("2026-01-01").days())];
  EXPECT_EQ(day.holiday, "县庆");
  EXPECT_TRUE(day.regional);
  EXPECT_FALSE(day.working);
  EXPECT_EQ(service_->ForRegion("431128").AddWorkingDays(D("2026-12-02"), 1)->date,
            D("2026-12-04"));
  EXPECT_EQ(national_->AddWorkingDays(D("2026-12-02"), 1)->date, D("2026-12-03"));
  EXPECT_EQ(service_->ForRegion("430181").AddWorkingDays(D("2026-12-02"), 1)->date,
            D("2026-12-03"));

  // Traced with what it replaced; another county's administrator and a stale version refused.
  auto events = trace_->Read("calendar/431128", 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1U);
  EXPECT_EQ((*events)[0].action, "calendar.changed");
  EXPECT_EQ((*events)[0].actor, "xintian.catalog_admin");
  EXPECT_NE((*events)[0].payload.find("县庆"), std::string::npos);
  auto other = service_->Change(Admin("liuyang", "430181"), "431128", 2026, "x", {}, 1);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kForbidden);
  auto stale = service_->Change(county_, "431128", 2026, "x", {}, 0);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code(), ErrorCode::kVersionMismatch);

  // The next process loads it again.
  Open();
  EXPECT_EQ(service_->ForRegion("431128").AddWorkingDays(D("2026-12-02"), 1)->date,
            D("2026-12-04"));
  EXPECT_EQ(service_->Year("431128", 2026)->version, 1);
}

TEST_P(CalendarServiceTest, TheNationalScheduleNeedsEveryRegionAndMovesDueDays) {
  if (!service_) return;
  auto year = service_->Year("cn", 2026);
  ASSERT_TRUE(year.ok());
  std::vector<HolidayPeriod> holidays = year->national.holidays;
  holidays.push_back({.name = "临时休假",
                      .from = D("2026-12-01"),
                      .to = D("2026-12-02"),
                      .make_up_working_days = {}});
  auto county = service_->Change(county_, "cn", 2026, year->national.source, holidays, 0);
  ASSERT_FALSE(county.ok());
  EXPECT_EQ(county.error().code(), ErrorCode::kForbidden);

  const Calendar& xintian = service_->ForRegion("431128");
  EXPECT_EQ(national_->AddWorkingDays(D("2026-11-30"), 1)->date, D("2026-12-01"));
  auto changed = service_->Change(everywhere_, "cn", 2026, year->national.source, holidays, 0);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  // The shared national calendar (the one due days are counted in) and a region's follow.
  EXPECT_EQ(national_->AddWorkingDays(D("2026-11-30"), 1)->date, D("2026-12-03"));
  EXPECT_EQ(xintian.AddWorkingDays(D("2026-11-30"), 1)->date, D("2026-12-03"));
  EXPECT_EQ(national_->WorkingDaysBetween(D("2026-11-30"), D("2026-12-04")).days, 2);

  Open();  // a restart keeps it, over the schedule compiled in
  EXPECT_EQ(national_->AddWorkingDays(D("2026-11-30"), 1)->date, D("2026-12-03"));
}

TEST_P(CalendarServiceTest, CountiesInheritTheirProvincesAndCitiesAdditions) {
  if (!service_) return;
  const Calendar& xintian = service_->ForRegion("431128");     // built before the change
  const Calendar& town = service_->ForRegion("431128101000");  // a town of 新田: the county's
  EXPECT_EQ(&town, &xintian);
  auto province = service_->Change(Admin("hunan", "430000"), "430000", 2026, "湖南省通知",
                                   {{.name = "省庆",
                                     .from = D("2026-12-03"),
                                     .to = D("2026-12-04"),
                                     .make_up_working_days = {}}},
                                   0);
  ASSERT_TRUE(province.ok()) << province.error().ToString();
  // Thursday and Friday off in every county of Hunan, built before or after; not in Hubei.
  EXPECT_EQ(xintian.AddWorkingDays(D("2026-12-02"), 1)->date, D("2026-12-07"));
  EXPECT_EQ(service_->ForRegion("430181110000").AddWorkingDays(D("2026-12-02"), 1)->date,
            D("2026-12-07"));
  EXPECT_EQ(service_->ForRegion("430181").AddWorkingDays(D("2026-12-02"), 1)->date,
            D("2026-12-07"));
  EXPECT_EQ(service_->ForRegion("431100").AddWorkingDays(D("2026-12-02"), 1)->date,
            D("2026-12-07"));
  EXPECT_EQ(service_->ForRegion("420102").AddWorkingDays(D("2026-12-02"), 1)->date,
            D("2026-12-03"));
  // The county's own holiday on the Friday wins over the province's overlapping one: only the
  // county's Friday is off there, while the rest of Hunan keeps both days.
  auto county = service_->Change(county_, "431128", 2026, "新田县人民政府通知",
                                 {{.name = "县庆",
                                   .from = D("2026-12-04"),
                                   .to = D("2026-12-04"),
                                   .make_up_working_days = {}}},
                                 0);
  ASSERT_TRUE(county.ok()) << county.error().ToString();
  EXPECT_EQ(xintian.AddWorkingDays(D("2026-12-02"), 1)->date, D("2026-12-03"));
  EXPECT_EQ(xintian.AddWorkingDays(D("2026-12-03"), 1)->date, D("2026-12-07"));
  EXPECT_EQ(service_->ForRegion("430181").AddWorkingDays(D("2026-12-02"), 1)->date,
            D("2026-12-07"));
  // A restart rebuilds the same inheritance from the stored additions.
  Open();
  EXPECT_EQ(service_->ForRegion("431128").AddWorkingDays(D("2026-12-03"), 1)->date,
            D("2026-12-07"));
  EXPECT_EQ(service_->ForRegion("431102").AddWorkingDays(D("2026-12-02"), 1)->date,
            D("2026-12-07"));
}

TEST_P(CalendarServiceTest, RefusesABadScheduleNamingEveryField) {
  if (!service_) return;
  auto bad = service_->Change(county_, "431128", 2026, "",
                              {{.name = "x",
                                .from = D("2026-12-03"),
                                .to = D("2026-12-01"),
                                .make_up_working_days = {D("2026-12-02")}}},  // a Wednesday
                              0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  const std::string text = bad.error().ToString();
  EXPECT_NE(text.find("source"), std::string::npos) << text;
  EXPECT_NE(text.find("holidays/0"), std::string::npos) << text;
  EXPECT_EQ(service_->Year("431128", 2026)->version, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, CalendarServiceTest,
                         ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::calendars
