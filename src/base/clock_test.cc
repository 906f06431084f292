#include "base/clock.h"

#include <gtest/gtest.h>

#include <chrono>

namespace tongban {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

Timestamp Utc(int y, int m, int d, int hh, int mm, int ss = 0) {
  return Timestamp(std::chrono::days(DaysFromCivil(y, m, d))) + hours(hh) + minutes(mm) +
         seconds(ss);
}

TEST(Date, ParsesAndFormatsIso) {
  auto d = Date::Parse("2025-01-26");
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(d->civil().year, 2025);
  EXPECT_EQ(d->civil().month, 1);
  EXPECT_EQ(d->civil().day, 26);
  EXPECT_EQ(d->ToString(), "2025-01-26");
  EXPECT_EQ(d->weekday(), Weekday::kSunday);
  EXPECT_TRUE(d->IsWeekend());
  EXPECT_EQ(Date::Parse("2024-02-29")->ToString(), "2024-02-29");  // leap year
  EXPECT_EQ(Date::Parse("0001-01-01")->ToString(), "0001-01-01");
  EXPECT_EQ(Date::Parse("9999-12-31")->ToString(), "9999-12-31");
}

TEST(Date, RefusesMalformedAndImpossibleDatesNamingTheField) {
  for (const char* bad : {"", "2025-1-26", "2025/01/26", "2025-01-26T00:00", " 2025-01-26",
                          "20250126", "2025-0a-26", "-025-01-26", "2025-01-2６"}) {
    auto d = Date::Parse(bad, "from");
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.error().code(), ErrorCode::kInvalidArgument);
    ASSERT_EQ(d.error().fields().size(), 1u);
    EXPECT_EQ(d.error().fields()[0].field, "from");
    EXPECT_NE(d.error().fields()[0].message.find("YYYY-MM-DD"), std::string::npos) << bad;
  }
  auto feb = Date::Parse("2025-02-29", "due");
  ASSERT_FALSE(feb.ok());
  EXPECT_EQ(feb.error().ToString(),
            "invalid_argument: due is not a valid date "
            "[due: day 29 does not exist: 2025-02 has 28 days]");
  EXPECT_FALSE(Date::Parse("2025-13-01").ok());
  EXPECT_FALSE(Date::Parse("2025-00-10").ok());
  EXPECT_FALSE(Date::Parse("2025-04-31").ok());
  EXPECT_FALSE(Date::Parse("1900-02-29").ok());  // not a leap year
  EXPECT_FALSE(Date::Parse("0000-01-01").ok());
}

TEST(Date, CivilArithmeticAgreesWithStdChrono) {
  // std::chrono's calendar types (libstdc++ 12) are an independent implementation.
  for (int64_t days = Date::Min().days(); days <= Date::Max().days(); days += 997) {
    const Date d = Date::FromDays(days);
    const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(days))};
    const CivilDate c = d.civil();
    ASSERT_EQ(c.year, static_cast<int>(ymd.year())) << days;
    ASSERT_EQ(c.month, static_cast<int>(static_cast<unsigned>(ymd.month()))) << days;
    ASSERT_EQ(c.day, static_cast<int>(static_cast<unsigned>(ymd.day()))) << days;
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), days);
    const std::chrono::weekday wd{std::chrono::sys_days(std::chrono::days(days))};
    ASSERT_EQ(static_cast<unsigned>(d.weekday()), wd.iso_encoding()) << days;
  }
  EXPECT_EQ(Date().ToString(), "1970-01-01");
  EXPECT_EQ(Date().weekday(), Weekday::kThursday);
  EXPECT_EQ(Date::Parse("2025-01-28")->AddDays(8).ToString(), "2025-02-05");
  EXPECT_LT(*Date::Parse("2024-12-31"), *Date::Parse("2025-01-01"));
}

TEST(Clock, FakeClockIsSetAndAdvancedExplicitly) {
  FakeClock clock(Utc(2025, 1, 24, 1, 30));
  const Clock& c = clock;
  EXPECT_EQ(c.Now(), Utc(2025, 1, 24, 1, 30));
  clock.Advance(hours(2) + microseconds(5));
  EXPECT_EQ(c.Now(), Utc(2025, 1, 24, 3, 30) + microseconds(5));
  clock.Set(Utc(2026, 2, 14, 0, 0));
  EXPECT_EQ(c.Now(), Utc(2026, 2, 14, 0, 0));
}

TEST(Clock, SystemClockIsTheWallClock) {
  EXPECT_GT(SystemClock::Instance().Now(), Utc(2024, 1, 1, 0, 0));
}

TEST(Clock, TodayIsTheDateInChinaStandardTime) {
  // 16:00 UTC is midnight in Beijing (UTC+8).
  FakeClock clock(Utc(2025, 1, 23, 15, 59, 59));
  EXPECT_EQ(TodayInChina(clock).ToString(), "2025-01-23");
  clock.Advance(seconds(1));
  EXPECT_EQ(TodayInChina(clock).ToString(), "2025-01-24");
  EXPECT_EQ(StartOfDayInChina(*Date::Parse("2025-01-24")), Utc(2025, 1, 23, 16, 0));
  // Before 1970 too (floor, not truncation).
  EXPECT_EQ(DateInChina(Utc(1969, 12, 31, 15, 0)).ToString(), "1969-12-31");
  EXPECT_EQ(DateInChina(Utc(1969, 12, 31, 16, 0)).ToString(), "1970-01-01");
}

}  // namespace
}  // namespace tongban
