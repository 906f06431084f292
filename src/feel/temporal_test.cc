#include "feel/temporal.h"

#include <gtest/gtest.h>

namespace tongban::feel {
namespace {

Date D(std::string_view s) {
  std::optional<Date> d = Date::Parse(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(Date());
}
Time T(std::string_view s) {
  std::optional<Time> t = Time::Parse(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t.value_or(Time());
}
DateTime DT(std::string_view s) {
  std::optional<DateTime> t = DateTime::Parse(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t.value_or(DateTime());
}
DaysTimeDuration DTD(std::string_view s) {
  std::optional<DaysTimeDuration> d = DaysTimeDuration::Parse(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(DaysTimeDuration());
}
YearsMonthsDuration YMD(std::string_view s) {
  std::optional<YearsMonthsDuration> d = YearsMonthsDuration::Parse(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(YearsMonthsDuration());
}

TEST(TemporalTest, DatesRoundTrip) {
  for (std::string_view s : {"2026-02-15", "-0001-01-01", "0000-01-01", "10000-01-01", "1970-01-01",
                             "2024-02-29", "999999999-12-31", "-999999999-01-01"}) {
    EXPECT_EQ(D(s).ToString(), s);
  }
  EXPECT_EQ(D("1970-01-02").days(), 1);
  EXPECT_EQ(D("1969-12-31").days(), -1);
}

TEST(TemporalTest, InvalidDates) {
  for (std::string_view s : {"2026-13-01", "2026-02-30", "2025-02-29", "2026-2-15", "26-02-15",
                             "02026-01-01", "2026-02-15Z", "2026-02-15T10:00:00", "", "x",
                             "1000000000-01-01", "2026-00-10", "2026-01-00"}) {
    EXPECT_FALSE(Date::Parse(s).has_value()) << s;
  }
}

TEST(TemporalTest, DateProperties) {
  Date d = D("2026-02-15");  // a Sunday
  EXPECT_EQ(d.year(), 2026);
  EXPECT_EQ(d.month(), 2);
  EXPECT_EQ(d.day(), 15);
  EXPECT_EQ(d.weekday(), 7);
  EXPECT_EQ(d.DayOfWeekName(), "Sunday");
  EXPECT_EQ(d.MonthName(), "February");
  EXPECT_EQ(d.DayOfYear(), 46);
  EXPECT_EQ(d.LastDayOfMonth(), 28);
  EXPECT_EQ(D("2024-02-01").LastDayOfMonth(), 29);
  EXPECT_EQ(D("1970-01-01").weekday(), 4);
  EXPECT_EQ(D("2019-09-17").DayOfYear(), 260);  // spec example
  EXPECT_EQ(D("2019-09-17").IsoWeekOfYear(), 38);
  EXPECT_EQ(D("2019-09-17").DayOfWeekName(), "Tuesday");
  EXPECT_EQ(D("2019-09-17").MonthName(), "September");
  EXPECT_EQ(D("2021-01-03").IsoWeekOfYear(), 53);
  EXPECT_EQ(D("2020-12-31").IsoWeekOfYear(), 53);
  EXPECT_EQ(D("2024-12-30").IsoWeekOfYear(), 1);
  EXPECT_EQ(D("-0001-01-01").year(), -1);
}

TEST(TemporalTest, DateArithmetic) {
  EXPECT_EQ(D("2026-01-31").Plus(YMD("P1M"))->ToString(), "2026-02-28");
  EXPECT_EQ(D("2024-01-31").Plus(YMD("P1M"))->ToString(), "2024-02-29");
  EXPECT_EQ(D("2026-03-31").Plus(YMD("-P1M"))->ToString(), "2026-02-28");
  EXPECT_EQ(D("2026-02-15").Plus(YMD("P1Y11M"))->ToString(), "2028-01-15");
  EXPECT_EQ(D("2026-02-15").Plus(DTD("P20D"))->ToString(), "2026-03-07");
  EXPECT_EQ(D("2026-02-15").Plus(DTD("PT25H"))->ToString(), "2026-02-16");
  EXPECT_EQ(D("2026-02-15").Plus(DTD("-PT1H"))->ToString(), "2026-02-14");
  EXPECT_FALSE(D("999999999-12-31").Plus(DTD("P1D")).has_value());
  EXPECT_FALSE(D("999999999-12-31").Plus(YMD("P1M")).has_value());
  EXPECT_LT(D("2026-02-15"), D("2026-02-16"));
}

TEST(TemporalTest, Times) {
  EXPECT_EQ(T("10:30:00").ToString(), "10:30:00");
  EXPECT_EQ(T("10:30:00.123").ToString(), "10:30:00.123");
  EXPECT_EQ(T("10:30:00.500+08:00").ToString(), "10:30:00.5+08:00");
  EXPECT_EQ(T("10:30:00Z").ToString(), "10:30:00Z");
  EXPECT_EQ(T("10:30:00z").ToString(), "10:30:00Z");
  EXPECT_EQ(T("10:30:00+00:00").ToString(), "10:30:00Z");
  EXPECT_EQ(T("10:30:00-05:30").ToString(), "10:30:00-05:30");
  EXPECT_EQ(T("10:30:00@Asia/Shanghai").ToString(), "10:30:00@Asia/Shanghai");
  EXPECT_EQ(T("24:00:00").ToString(), "00:00:00");
  for (std::string_view s : {"24:00:01", "10:60:00", "10:30:60", "10:30", "1:30:00", "10:30:00.",
                             "10:30:00+19:00", "10:30:00@Nowhere/City", "10:30:00+0800", ""}) {
    EXPECT_FALSE(Time::Parse(s).has_value()) << s;
  }
  Time t = T("23:59:01.25+02:00");
  EXPECT_EQ(t.hour(), 23);
  EXPECT_EQ(t.minute(), 59);
  EXPECT_EQ(t.second(), 1);
  EXPECT_EQ(t.nanosecond(), 250'000'000);
  EXPECT_EQ(t.TimeOffset()->ToString(), "PT2H");
  EXPECT_FALSE(t.TimezoneName().has_value());
  EXPECT_EQ(T("10:00:00@Asia/Shanghai").TimezoneName(), "Asia/Shanghai");
  EXPECT_EQ(T("10:00:00@Asia/Shanghai").TimeOffset()->ToString(), "PT8H");
  EXPECT_FALSE(T("10:00:00").TimeOffset().has_value());
}

TEST(TemporalTest, TimeArithmeticAndOrder) {
  EXPECT_EQ(T("23:00:00").Plus(DTD("PT2H")).ToString(), "01:00:00");
  EXPECT_EQ(T("01:00:00Z").Plus(DTD("-PT2H")).ToString(), "23:00:00Z");
  EXPECT_EQ(T("10:30:00").Minus(T("09:00:00"))->ToString(), "PT1H30M");
  EXPECT_EQ(T("10:00:00+02:00").Minus(T("08:00:00Z"))->ToString(), "PT0S");
  EXPECT_FALSE(T("10:00:00").Minus(T("10:00:00Z")).has_value());
  EXPECT_EQ(T("10:00:00+02:00").Compare(T("08:00:00Z")), std::strong_ordering::equal);
  EXPECT_EQ(T("10:00:00").Compare(T("11:00:00")), std::strong_ordering::less);
  EXPECT_FALSE(T("10:00:00").Compare(T("10:00:00Z")).has_value());
  EXPECT_NE(T("10:00:00+02:00"), T("08:00:00Z"));  // same instant, not the same value
}

TEST(TemporalTest, DateTimes) {
  EXPECT_EQ(DT("2026-02-15T10:30:00").ToString(), "2026-02-15T10:30:00");
  EXPECT_EQ(DT("2026-02-15T10:30:00.5+08:00").ToString(), "2026-02-15T10:30:00.5+08:00");
  EXPECT_EQ(DT("2026-02-15T10:30:00@Europe/Paris").ToString(), "2026-02-15T10:30:00@Europe/Paris");
  EXPECT_EQ(DT("2026-02-15T24:00:00").ToString(), "2026-02-16T00:00:00");
  EXPECT_EQ(DT("-0001-12-31T23:59:59Z").ToString(), "-0001-12-31T23:59:59Z");
  for (std::string_view s : {"2026-02-15", "2026-02-15T", "2026-02-15 10:30:00",
                             "2026-02-15T24:00:01", "2026-02-30T10:00:00"}) {
    EXPECT_FALSE(DateTime::Parse(s).has_value()) << s;
  }
  DateTime paris_winter = DT("2026-02-15T10:30:00@Europe/Paris");
  DateTime paris_summer = DT("2026-07-15T10:30:00@Europe/Paris");
  EXPECT_EQ(paris_winter.TimeOffset()->ToString(), "PT1H");
  EXPECT_EQ(paris_summer.TimeOffset()->ToString(), "PT2H");
  EXPECT_EQ(paris_winter.TimezoneName(), "Europe/Paris");
  EXPECT_EQ(paris_winter.Compare(DT("2026-02-15T09:30:00Z")), std::strong_ordering::equal);
  EXPECT_EQ(paris_summer.Compare(DT("2026-07-15T16:30:00+08:00")), std::strong_ordering::equal);
  EXPECT_FALSE(paris_winter.Compare(DT("2026-02-15T09:30:00")).has_value());
  EXPECT_EQ(DT("2026-02-15T10:00:00").Compare(DT("2026-02-15T09:00:00")),
            std::strong_ordering::greater);
  EXPECT_EQ(DT("2026-02-15T10:30:00+08:00").ToInstant()->seconds, 1771122600);
}

TEST(TemporalTest, DateTimeArithmetic) {
  EXPECT_EQ(DT("2026-02-15T23:30:00").Plus(DTD("PT1H"))->ToString(), "2026-02-16T00:30:00");
  EXPECT_EQ(DT("2026-03-01T00:00:00Z").Plus(DTD("-PT0.5S"))->ToString(), "2026-02-28T23:59:59.5Z");
  EXPECT_EQ(DT("2026-01-31T10:00:00+08:00").Plus(YMD("P1M"))->ToString(),
            "2026-02-28T10:00:00+08:00");
  EXPECT_EQ(DT("2026-02-16T00:30:00").Minus(DT("2026-02-15T23:30:00"))->ToString(), "PT1H");
  EXPECT_EQ(DT("2026-02-15T10:30:00+08:00").Minus(DT("2026-02-15T00:00:00Z"))->ToString(),
            "PT2H30M");
  EXPECT_EQ(DT("2026-02-14T00:00:00").Minus(DT("2026-02-15T10:30:00"))->ToString(), "-P1DT10H30M");
  EXPECT_FALSE(DT("2026-02-15T10:30:00").Minus(DT("2026-02-15T10:30:00Z")).has_value());
}

TEST(TemporalTest, FromTimestamp) {
  Timestamp ts{std::chrono::microseconds(int64_t{1771122600} * 1'000'000 + 500'000)};
  EXPECT_EQ(DateTime::FromTimestamp(ts, *Zone::Named("Asia/Shanghai")).ToString(),
            "2026-02-15T10:30:00.5@Asia/Shanghai");
  EXPECT_EQ(DateTime::FromTimestamp(ts, *Zone::Offset(0)).ToString(), "2026-02-15T02:30:00.5Z");
  EXPECT_EQ(
      DateTime::FromTimestamp(Timestamp{std::chrono::microseconds(-1)}, Zone::Local()).ToString(),
      "1969-12-31T23:59:59.999999");
}

TEST(TemporalTest, DaysTimeDurations) {
  for (auto [in, out] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"P1DT2H30M", "P1DT2H30M"},
           {"-PT5M", "-PT5M"},
           {"PT0.5S", "PT0.5S"},
           {"PT36H", "P1DT12H"},
           {"P2D", "P2D"},
           {"PT0S", "PT0S"},
           {"P0D", "PT0S"},
           {"-PT0S", "PT0S"},
           {"PT90M", "PT1H30M"},
           {"-P1DT0.25S", "-P1DT0.25S"},
           {"PT1.000000001S", "PT1.000000001S"},
           {"PT1.S", "PT1S"}}) {  // XML Schema's unsignedDecimalPtNumeral "1." (TCK 1120)
    EXPECT_EQ(DTD(in).ToString(), out) << in;
  }
  for (std::string_view s : {"P", "PT", "P1DT", "P1Y", "P1M", "P1Y2D", "PT1H2H", "PT1M1H", "1D",
                             "P-1D", "PT.5S", "P1D2H", "PT1.5M", ""}) {
    EXPECT_FALSE(DaysTimeDuration::Parse(s).has_value()) << s;
  }
  DaysTimeDuration d = DTD("-P1DT12H30M15S");
  EXPECT_EQ(d.days(), -1);
  EXPECT_EQ(d.hours(), -12);
  EXPECT_EQ(d.minutes(), -30);
  EXPECT_EQ(d.seconds(), -15);
  EXPECT_EQ(DTD("PT1.5S").ToDecimalSeconds().ToString(), "1.5");
  EXPECT_EQ(DTD("PT1H").Plus(DTD("-PT90M"))->ToString(), "-PT30M");
  EXPECT_EQ(DTD("PT1H").Minus(DTD("PT0.5S"))->ToString(), "PT59M59.5S");
  EXPECT_EQ(DTD("PT1H").Times(*Decimal::Parse("1.5"))->ToString(), "PT1H30M");
  EXPECT_EQ(DTD("P1D").DividedBy(*Decimal::Parse("3"))->ToString(), "PT8H");
  EXPECT_EQ(DTD("PT1S").DividedBy(*Decimal::Parse("3"))->ToString(), "PT0.333333333S");
  EXPECT_FALSE(DTD("PT1S").DividedBy(Decimal()).has_value());
  EXPECT_EQ(DTD("P1D").DividedBy(DTD("PT6H"))->ToString(), "4");
  EXPECT_FALSE(DTD("P1D").DividedBy(DTD("PT0S")).has_value());
  EXPECT_LT(DTD("PT59M"), DTD("PT1H"));
  EXPECT_LT(DTD("-PT1H"), DTD("PT0S"));
  EXPECT_FALSE(DaysTimeDuration::Parse("P99999999999999999D").has_value());
}

TEST(TemporalTest, YearsMonthsDurations) {
  for (auto [in, out] :
       std::initializer_list<std::pair<std::string_view, std::string_view>>{{"P1Y2M", "P1Y2M"},
                                                                            {"P65Y11M", "P65Y11M"},
                                                                            {"P14M", "P1Y2M"},
                                                                            {"P2Y", "P2Y"},
                                                                            {"P0M", "P0M"},
                                                                            {"P0Y", "P0M"},
                                                                            {"-P3M", "-P3M"},
                                                                            {"-P1Y", "-P1Y"}}) {
    EXPECT_EQ(YMD(in).ToString(), out) << in;
  }
  for (std::string_view s : {"P1Y2D", "PT1H", "P", "P1M1Y", "P1D", "P1Y2M3D", "1Y", ""}) {
    EXPECT_FALSE(YearsMonthsDuration::Parse(s).has_value()) << s;
  }
  YearsMonthsDuration d = YMD("-P1Y2M");
  EXPECT_EQ(d.years(), -1);
  EXPECT_EQ(d.months(), -2);
  EXPECT_EQ(YearsMonthsDuration::Between(D("2011-12-22"), D("2013-08-24")).ToString(), "P1Y8M");
  EXPECT_EQ(YearsMonthsDuration::Between(D("2013-08-24"), D("2011-12-22")).ToString(), "-P1Y8M");
  EXPECT_EQ(YearsMonthsDuration::Between(D("2026-01-31"), D("2026-02-28")).ToString(), "P0M");
  EXPECT_EQ(YearsMonthsDuration::Between(D("2026-01-15"), D("2026-02-15")).ToString(), "P1M");
  EXPECT_EQ(
      YearsMonthsDuration::Between(DT("2026-01-15T10:00:00"), DT("2026-02-15T09:00:00")).ToString(),
      "P0M");
  EXPECT_EQ(YMD("P1Y").Times(*Decimal::Parse("1.5"))->ToString(), "P1Y6M");
  EXPECT_EQ(YMD("P1Y").DividedBy(*Decimal::Parse("5"))->ToString(), "P2M");
  EXPECT_EQ(YMD("P1Y").DividedBy(YMD("P3M"))->ToString(), "4");
  EXPECT_EQ(YMD("P1Y").Plus(YMD("P2M"))->ToString(), "P1Y2M");
  EXPECT_EQ(YMD("P1Y").Minus(YMD("P2Y"))->ToString(), "-P1Y");
  EXPECT_GT(YMD("P1Y"), YMD("P11M"));
}

TEST(TemporalTest, ZonesComeFromTheSystemDatabase) {
  EXPECT_TRUE(Zone::Named("Asia/Shanghai").has_value());
  EXPECT_TRUE(Zone::Named("America/New_York").has_value());
  EXPECT_TRUE(Zone::Named("UTC").has_value());
  EXPECT_FALSE(Zone::Named("Mars/Olympus").has_value());
  EXPECT_FALSE(Zone::Named("").has_value());
  // New York on the night daylight saving starts: 02:30 does not exist; the earlier offset.
  EXPECT_EQ(DT("2026-03-08T02:30:00@America/New_York").OffsetSeconds(), -5 * 3600);
  EXPECT_EQ(DT("2026-03-08T04:00:00@America/New_York").OffsetSeconds(), -4 * 3600);
  EXPECT_FALSE(Zone::Offset(19 * 3600).has_value());
}

}  // namespace
}  // namespace tongban::feel
