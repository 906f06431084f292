#include "base/office_hours.h"

#include <gtest/gtest.h>

namespace tongban {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr char kHours[] = R"(
office_hours:
  - region: cn
    weekdays: ["08:30-12:00", "14:30-17:30"]
  - region: "431128"
    weekdays: [08:00-12:00, 14:30-17:30]
    friday: [08:00-12:00, 14:30-17:00]
    make_up_working_day: [08:00-12:00]
  - region: "430000"
    weekdays: [09:00-12:00, 13:30-17:00]
)";

Date D(std::string_view text) { return *Date::Parse(text); }
Timestamp China(std::string_view date, int hh, int mm) {
  return StartOfDayInChina(D(date)) + hours(hh) + minutes(mm);
}

TEST(OfficeHours, ParsesRangesAndFillsWeekdays) {
  auto table = OfficeHoursTable::ParseYaml(kHours, "hours.yaml");
  ASSERT_TRUE(table.ok()) << table.error().ToString();
  ASSERT_EQ(table->entries().size(), 3u);
  const OfficeHours& xintian = table->entries()[1];
  EXPECT_EQ(xintian.region, "431128");
  EXPECT_EQ(xintian.On(Weekday::kMonday),
            (std::vector<TimeRange>{{8 * 60, 12 * 60}, {14 * 60 + 30, 17 * 60 + 30}}));
  EXPECT_EQ(xintian.On(Weekday::kFriday)[1], (TimeRange{14 * 60 + 30, 17 * 60}));
  EXPECT_EQ(xintian.On(Weekday::kSunday), (std::vector<TimeRange>{{8 * 60, 12 * 60}}));
  // Without make_up_working_day, a make-up day keeps Monday's hours.
  const OfficeHours& national = table->entries()[0];
  EXPECT_EQ(national.On(Weekday::kSaturday), national.On(Weekday::kMonday));
  EXPECT_EQ(national.On(Weekday::kMonday)[0].minutes(), 210);
}

TEST(OfficeHours, FindFallsBackToCityProvinceThenTheDefault) {
  auto table = *OfficeHoursTable::ParseYaml(kHours, "hours.yaml");
  EXPECT_EQ(table.Find("431128")->region, "431128");
  EXPECT_EQ(table.Find("430181")->region, "430000");  // 浏阳市: Hunan's
  EXPECT_EQ(table.Find("450100")->region, "cn");
  EXPECT_EQ(table.Find("cn")->region, "cn");
  auto only_county = *OfficeHoursTable::ParseYaml(
      "office_hours:\n  - {region: \"431128\", weekdays: [\"08:00-12:00\"]}\n", "x.yaml");
  EXPECT_EQ(only_county.Find("430181"), nullptr);
}

TEST(OfficeHours, HoursFollowTheWorkingDayCalendar) {
  auto table = *OfficeHoursTable::ParseYaml(kHours, "hours.yaml");
  auto calendar = Calendar::WithEmbeddedSchedules();
  const OfficeHours& h = *table.Find("431128");
  // Sunday 26 January 2025 is a make-up working day; 28 January is 除夕 (off).
  EXPECT_EQ(OfficeHoursOn(*calendar, h, D("2025-01-26")).ranges,
            (std::vector<TimeRange>{{480, 720}}));
  EXPECT_TRUE(OfficeHoursOn(*calendar, h, D("2025-01-28")).ranges.empty());
  EXPECT_TRUE(OfficeHoursOn(*calendar, h, D("2025-01-25")).ranges.empty());   // Saturday
  EXPECT_EQ(OfficeHoursOn(*calendar, h, D("2025-01-24")).ranges.size(), 2u);  // Friday
  EXPECT_EQ(OfficeHoursOn(*calendar, h, D("2025-01-24")).ranges[1].end_minute, 17 * 60);
  EXPECT_TRUE(OfficeHoursOn(*calendar, h, D("2027-03-01")).provisional);

  EXPECT_TRUE(IsOpenAt(*calendar, h, China("2025-01-27", 8, 0)));
  EXPECT_TRUE(IsOpenAt(*calendar, h, China("2025-01-27", 11, 59)));
  EXPECT_FALSE(IsOpenAt(*calendar, h, China("2025-01-27", 12, 0)));  // end is exclusive
  EXPECT_FALSE(IsOpenAt(*calendar, h, China("2025-01-27", 13, 0)));
  EXPECT_TRUE(IsOpenAt(*calendar, h, China("2025-01-26", 9, 0)));     // make-up Sunday
  EXPECT_FALSE(IsOpenAt(*calendar, h, China("2025-01-26", 15, 0)));   // mornings only
  EXPECT_FALSE(IsOpenAt(*calendar, h, China("2025-01-29", 9, 0)));    // 春节
  EXPECT_FALSE(IsOpenAt(*calendar, h, China("2025-01-24", 17, 10)));  // Friday closes at 17:00
}

TEST(OfficeHours, RefusesBadInputListingEveryField) {
  auto bad = OfficeHoursTable::ParseYaml(R"(
office_hours:
  - region: cn
    monday: ["8:30-12:00"]
    tuesday: ["12:00-08:30"]
    wednesday: ["08:00-12:00", "11:00-17:00"]
    thursday: ["08:00-25:00"]
    saturday: ["08:00-12:00"]
  - region: cn
    weekdays: []
  - weekdays: ["08:00-12:00"]
)",
                                         "bad.yaml");
  ASSERT_FALSE(bad.ok());
  std::set<std::string> fields;
  for (const FieldError& f : bad.error().fields()) fields.insert(f.field);
  const std::string text = bad.error().ToString();
  for (const char* f :
       {"office_hours/0/monday/0", "office_hours/0/tuesday/0", "office_hours/0/wednesday/1",
        "office_hours/0/thursday/0", "office_hours/0/saturday", "office_hours/0/friday",
        "office_hours/1/region", "office_hours/2/region"}) {
    EXPECT_TRUE(fields.count(f)) << f << " missing in " << text;
  }
  EXPECT_FALSE(OfficeHoursTable::ParseYaml("office_hours: 3", "x").ok());
  EXPECT_FALSE(OfficeHoursTable::ParseYaml("[", "x").ok());
  EXPECT_TRUE(ParseTimeRange("00:00-24:00", "t").ok());
  EXPECT_FALSE(ParseTimeRange("00:00-24:01", "t").ok());
}

}  // namespace
}  // namespace tongban
