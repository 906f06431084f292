#include "base/calendar.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

namespace tongban {
namespace {

Date D(std::string_view text) {
  auto d = Date::Parse(text);
  if (!d.ok()) throw std::invalid_argument(d.error().ToString());
  return *d;
}

CalendarDate Settled(std::string_view text) { return {D(text), false}; }
CalendarDate Provisional(std::string_view text) { return {D(text), true}; }

// The State Council General Office notices, transcribed here independently of
// data/calendar/cn-YYYY.yaml, so that the reference below checks the shipped data too.
struct NoticeHoliday {
  const char* from;
  const char* to;
  std::vector<const char*> make_up;
};
const std::map<int, std::vector<NoticeHoliday>>& Notices() {
  static const auto* kNotices = new std::map<int, std::vector<NoticeHoliday>>{
      {2024,  // 国办发明电〔2023〕7号
       {{"2024-01-01", "2024-01-01", {}},
        {"2024-02-10", "2024-02-17", {"2024-02-04", "2024-02-18"}},
        {"2024-04-04", "2024-04-06", {"2024-04-07"}},
        {"2024-05-01", "2024-05-05", {"2024-04-28", "2024-05-11"}},
        {"2024-06-10", "2024-06-10", {}},
        {"2024-09-15", "2024-09-17", {"2024-09-14"}},
        {"2024-10-01", "2024-10-07", {"2024-09-29", "2024-10-12"}}}},
      {2025,  // 国办发明电〔2024〕12号
       {{"2025-01-01", "2025-01-01", {}},
        {"2025-01-28", "2025-02-04", {"2025-01-26", "2025-02-08"}},
        {"2025-04-04", "2025-04-06", {}},
        {"2025-05-01", "2025-05-05", {"2025-04-27"}},
        {"2025-05-31", "2025-06-02", {}},
        {"2025-10-01", "2025-10-08", {"2025-09-28", "2025-10-11"}}}},
      {2026,  // notice of 2025-11-04
       {{"2026-01-01", "2026-01-03", {"2026-01-04"}},
        {"2026-02-15", "2026-02-23", {"2026-02-14", "2026-02-28"}},
        {"2026-04-04", "2026-04-06", {}},
        {"2026-05-01", "2026-05-05", {"2026-05-09"}},
        {"2026-06-19", "2026-06-21", {}},
        {"2026-09-25", "2026-09-27", {}},
        {"2026-10-01", "2026-10-07", {"2026-09-20", "2026-10-10"}}}},
  };
  return *kNotices;
}

// The naive definition, one day at a time: what the O(1) calendar must agree with.
class Reference {
 public:
  Reference() {
    for (const auto& [year, holidays] : Notices()) {
      loaded_.insert(year);
      for (const NoticeHoliday& h : holidays) {
        for (Date d = D(h.from); d <= D(h.to); d = d.AddDays(1)) off_.insert(d.days());
        for (const char* m : h.make_up) make_up_.insert(D(m).days());
      }
    }
  }
  void AddYear(int year, const std::vector<NoticeHoliday>& holidays) {
    loaded_.insert(year);
    for (const NoticeHoliday& h : holidays) {
      for (Date d = D(h.from); d <= D(h.to); d = d.AddDays(1)) off_.insert(d.days());
      for (const char* m : h.make_up) make_up_.insert(D(m).days());
    }
  }
  bool Working(Date d) const {
    if (make_up_.count(d.days())) return true;
    if (off_.count(d.days())) return false;
    return !d.IsWeekend();
  }
  CalendarDate Add(Date from, int64_t n) const {
    CalendarDate r{from, false};
    for (int64_t counted = 0; counted < n;) {
      r.date = r.date.AddDays(1);
      if (!loaded_.count(r.date.year())) r.provisional = true;
      if (Working(r.date)) ++counted;
    }
    return r;
  }
  WorkingDayCount Between(Date from, Date to) const {
    const int sign = from <= to ? 1 : -1;
    const Date lo = std::min(from, to), hi = std::max(from, to);
    WorkingDayCount c;
    for (Date d = lo.AddDays(1); d <= hi; d = d.AddDays(1)) {
      if (!loaded_.count(d.year())) c.provisional = true;
      if (Working(d)) ++c.days;
    }
    c.days *= sign;
    return c;
  }

 private:
  std::set<int64_t> off_, make_up_;
  std::set<int> loaded_;
};

class CalendarTest : public ::testing::Test {
 protected:
  std::unique_ptr<Calendar> cal_ = Calendar::WithEmbeddedSchedules();

  CalendarDate Add(std::string_view from, int64_t n) {
    auto r = cal_->AddWorkingDays(D(from), n);
    if (!r.ok()) throw std::runtime_error(r.error().ToString());
    return *r;
  }
  int64_t Between(std::string_view from, std::string_view to) {
    return cal_->WorkingDaysBetween(D(from), D(to)).days;
  }
};

TEST_F(CalendarTest, ShipsTheNoticesFor2024To2026) {
  EXPECT_EQ(cal_->version(), 1u);
  EXPECT_EQ(cal_->LoadedYears(), (std::vector<int>{2024, 2025, 2026}));
  EXPECT_FALSE(cal_->IsLoaded(2023));
  EXPECT_FALSE(cal_->IsLoaded(2027));
  const auto schedules = cal_->Schedules();
  ASSERT_EQ(schedules.size(), 3u);
  EXPECT_NE(schedules[1].source.find("国办发明电〔2024〕12号"), std::string::npos);
  EXPECT_EQ(schedules[1].holidays.size(), 6u);
  // Every day the notices name is what they say, and their weekend days are weekend days.
  for (const auto& [year, holidays] : Notices()) {
    for (const NoticeHoliday& h : holidays) {
      for (Date d = D(h.from); d <= D(h.to); d = d.AddDays(1)) {
        EXPECT_EQ(cal_->IsWorkingDay(d), (DayStatus{false, false})) << d;
      }
      for (const char* m : h.make_up) {
        EXPECT_TRUE(D(m).IsWeekend()) << m;
        EXPECT_EQ(cal_->IsWorkingDay(D(m)), (DayStatus{true, false})) << m;
      }
    }
  }
}

TEST_F(CalendarTest, WorkingDaysPerYearMatchTheLaw) {
  // 365/366 days, less weekends, less the statutory holidays (11 days until 2024, 13 from 2025).
  EXPECT_EQ(Between("2023-12-31", "2024-12-31"), 251);
  EXPECT_EQ(Between("2024-12-31", "2025-12-31"), 248);
  EXPECT_EQ(Between("2025-12-31", "2026-12-31"), 248);
  // An unloaded year: weekdays only.
  EXPECT_EQ(cal_->WorkingDaysBetween(D("2026-12-31"), D("2027-12-31")),
            (WorkingDayCount{261, true}));
}

TEST_F(CalendarTest, SpringFestival2025) {
  // Friday 24 January; Sunday 26 January is a make-up working day (国办发明电〔2024〕12号).
  EXPECT_EQ(Add("2025-01-24", 1), Settled("2025-01-26"));
  EXPECT_EQ(Add("2025-01-25", 1), Settled("2025-01-26"));
  EXPECT_EQ(Add("2025-01-26", 1), Settled("2025-01-27"));
  // 除夕 28 January to 初七 4 February off.
  EXPECT_EQ(Add("2025-01-27", 1), Settled("2025-02-05"));
  EXPECT_EQ(Add("2025-01-28", 1), Settled("2025-02-05"));
  // Saturday 8 February works.
  EXPECT_EQ(Add("2025-02-07", 1), Settled("2025-02-08"));
  EXPECT_EQ(Add("2025-02-08", 1), Settled("2025-02-10"));
  // A 20-working-day limit accepted on Monday 20 January 2025.
  EXPECT_EQ(Add("2025-01-20", 20), Settled("2025-02-21"));
  EXPECT_EQ(Between("2025-01-24", "2025-02-10"), 7);
  EXPECT_EQ(Between("2025-01-27", "2025-02-04"), 0);
}

TEST_F(CalendarTest, SpringFestival2024And2026) {
  EXPECT_EQ(Add("2024-02-02", 1), Settled("2024-02-04"));  // Sunday works
  EXPECT_EQ(Add("2024-02-09", 1), Settled("2024-02-18"));  // 除夕 9 Feb was a working day
  EXPECT_EQ(Add("2026-02-13", 1), Settled("2026-02-14"));  // Saturday works
  EXPECT_EQ(Add("2026-02-14", 1), Settled("2026-02-24"));  // nine days off
  EXPECT_EQ(Add("2026-02-27", 1), Settled("2026-02-28"));  // Saturday works
}

TEST_F(CalendarTest, LabourDay) {
  EXPECT_EQ(Add("2024-04-26", 1), Settled("2024-04-28"));
  EXPECT_EQ(Add("2024-04-30", 1), Settled("2024-05-06"));
  EXPECT_EQ(Add("2024-05-10", 1), Settled("2024-05-11"));
  EXPECT_EQ(Add("2025-04-25", 1), Settled("2025-04-27"));
  EXPECT_EQ(Add("2025-04-30", 1), Settled("2025-05-06"));
  EXPECT_EQ(Add("2026-04-30", 1), Settled("2026-05-06"));
  EXPECT_EQ(Add("2026-05-08", 1), Settled("2026-05-09"));
}

TEST_F(CalendarTest, NationalDay2024) {
  EXPECT_EQ(Add("2024-09-13", 1), Settled("2024-09-14"));  // 中秋: Saturday works
  EXPECT_EQ(Add("2024-09-14", 1), Settled("2024-09-18"));
  EXPECT_EQ(Add("2024-09-27", 1), Settled("2024-09-29"));  // Sunday works
  EXPECT_EQ(Add("2024-09-30", 1), Settled("2024-10-08"));
  EXPECT_EQ(Add("2024-10-11", 1), Settled("2024-10-12"));  // Saturday works
  EXPECT_EQ(Between("2024-09-27", "2024-10-12"), 7);       // 29, 30 Sep; 8..12 Oct
}

TEST_F(CalendarTest, NationalDayAndMidAutumn2025) {
  EXPECT_EQ(Add("2025-09-26", 1), Settled("2025-09-28"));
  EXPECT_EQ(Add("2025-09-30", 1), Settled("2025-10-09"));  // 1..8 October off
  EXPECT_EQ(Add("2025-10-10", 1), Settled("2025-10-11"));
  EXPECT_EQ(Between("2025-09-30", "2025-10-08"), 0);
}

TEST_F(CalendarTest, NationalDay2026) {
  EXPECT_EQ(Add("2026-09-18", 1), Settled("2026-09-20"));
  EXPECT_EQ(Add("2026-09-24", 1), Settled("2026-09-28"));  // 中秋 25..27 September
  EXPECT_EQ(Add("2026-09-30", 1), Settled("2026-10-08"));
  EXPECT_EQ(Add("2026-10-09", 1), Settled("2026-10-10"));
}

TEST_F(CalendarTest, YearBoundaries) {
  EXPECT_EQ(Add("2024-12-31", 1), Settled("2025-01-02"));
  EXPECT_EQ(Add("2025-12-31", 1), Settled("2026-01-04"));  // 1..3 Jan off, Sunday 4 works
  EXPECT_EQ(Between("2024-12-30", "2025-01-02"), 2);
  EXPECT_EQ(Between("2025-12-31", "2026-01-05"), 2);
  EXPECT_EQ(Add("2026-12-30", 1), Settled("2026-12-31"));
}

TEST_F(CalendarTest, ZeroGivesTheStartDay) {
  EXPECT_EQ(Add("2025-01-28", 0), Settled("2025-01-28"));  // even on a holiday
  EXPECT_EQ(Add("2025-01-25", 0), Settled("2025-01-25"));  // or a Saturday
  EXPECT_EQ(Add("2030-06-01", 0), Settled("2030-06-01"));  // no day was counted
}

TEST_F(CalendarTest, NegativeNIsRefused) {
  auto r = cal_->AddWorkingDays(D("2025-01-24"), -1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(r.error().fields().size(), 1u);
  EXPECT_EQ(r.error().fields()[0].field, "n");
  EXPECT_FALSE(cal_->AddWorkingDays(D("2025-01-24"), INT64_MIN).ok());
}

TEST_F(CalendarTest, BetweenCountsFromExcludedToIncluded) {
  EXPECT_EQ(Between("2025-01-24", "2025-01-24"), 0);
  EXPECT_EQ(Between("2025-01-26", "2025-01-26"), 0);
  EXPECT_EQ(Between("2025-01-24", "2025-01-26"), 1);  // the 26th counts, the 24th does not
  EXPECT_EQ(Between("2025-01-23", "2025-01-24"), 1);
  EXPECT_EQ(Between("2025-03-07", "2025-03-10"), 1);  // Friday to Monday
  // Reversed: negative, the same magnitude.
  EXPECT_EQ(Between("2025-01-26", "2025-01-24"), -1);
  EXPECT_EQ(Between("2025-02-10", "2025-01-24"), -7);
  // AddWorkingDays and WorkingDaysBetween are inverse.
  for (int n = 0; n < 300; ++n) {
    const CalendarDate to = Add("2024-11-15", n);
    ASSERT_EQ(cal_->WorkingDaysBetween(D("2024-11-15"), to.date).days, n);
  }
}

TEST_F(CalendarTest, YearsWithoutAScheduleAreWeekendsOnlyAndProvisional) {
  // 2023: 29 September was 中秋 in reality, but 2023 is not loaded.
  EXPECT_EQ(Add("2023-09-28", 1), Provisional("2023-09-29"));
  // The answer depends on 30/31 December 2023, so it is provisional although it lands in 2024.
  EXPECT_EQ(Add("2023-12-29", 1), Provisional("2024-01-02"));
  EXPECT_EQ(Add("2023-12-31", 1), Settled("2024-01-02"));
  // 2027 has no notice yet: 1 January 2027 (a Friday) counts as a working day, provisionally.
  EXPECT_EQ(Add("2026-12-31", 1), Provisional("2027-01-01"));
  EXPECT_EQ(cal_->WorkingDaysBetween(D("2026-12-01"), D("2026-12-31")),
            (WorkingDayCount{22, false}));
  EXPECT_TRUE(cal_->WorkingDaysBetween(D("2026-12-01"), D("2027-01-01")).provisional);
  EXPECT_TRUE(cal_->WorkingDaysBetween(D("2027-01-01"), D("2026-12-01")).provisional);
  EXPECT_EQ(cal_->IsWorkingDay(D("2027-01-01")), (DayStatus{true, true}));
  EXPECT_EQ(cal_->IsWorkingDay(D("2026-12-31")), (DayStatus{true, false}));
  // An empty calendar: everything weekend-only.
  Calendar empty;
  EXPECT_EQ(empty.version(), 0u);
  EXPECT_EQ(*empty.AddWorkingDays(D("2025-01-24"), 1), Provisional("2025-01-27"));
}

constexpr char k2027[] = R"(# Test data, not a published notice.
region: cn
year: 2027
source: test schedule for 2027
holidays:
  - name: 元旦
    from: 2027-01-01
    to: 2027-01-03
    days: 3
  - name: 春节
    from: 2027-02-05
    to: 2027-02-12
    make_up_working_days: [2027-01-31, 2027-02-20]
)";

TEST_F(CalendarTest, LoadingAYearChangesResultsAndBumpsTheVersion) {
  std::vector<CalendarChange> changes;
  cal_->AddListener([&](const CalendarChange& c) { changes.push_back(c); });
  const uint64_t before = cal_->version();
  EXPECT_EQ(Add("2026-12-31", 1), Provisional("2027-01-01"));

  ASSERT_TRUE(cal_->LoadYaml(k2027, "2027.yaml").ok());
  EXPECT_EQ(cal_->version(), before + 1);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].version, before + 1);
  EXPECT_EQ(changes[0].years, std::vector<int>{2027});
  EXPECT_TRUE(cal_->IsLoaded(2027));
  EXPECT_EQ(Add("2026-12-31", 1), Settled("2027-01-04"));
  EXPECT_EQ(Add("2027-01-29", 1), Settled("2027-01-31"));  // Sunday made a working day
  EXPECT_EQ(Add("2027-02-04", 1), Settled("2027-02-15"));
  EXPECT_EQ(Add("2027-12-30", 2), Provisional("2028-01-03"));

  // Loading the same year again replaces it.
  ASSERT_TRUE(cal_->LoadYaml(R"(
region: cn
year: 2027
source: corrected test schedule
holidays: []
)",
                             "2027b.yaml")
                  .ok());
  EXPECT_EQ(cal_->version(), before + 2);
  EXPECT_EQ(Add("2026-12-31", 1), Settled("2027-01-01"));
  EXPECT_EQ(cal_->Schedules().size(), 4u);
}

TEST_F(CalendarTest, InvalidSchedulesAreRefusedWholeWithEveryError) {
  const uint64_t before = cal_->version();
  Status s = cal_->LoadYaml(R"(
region: cn
year: 2027
source: test
colour: red
holidays:
  - name: 元旦
    from: 2027-01-01
    to: 2027-01-03
    days: 4
    make_up_working_days: [2027-01-04, 2027-01-02]
  - name: 春节
    from: 2027-02-31
    to: 2027-02-12
)",
                            "bad.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const FieldError& f : s.error().fields()) fields.insert(f.field);
  EXPECT_TRUE(fields.count("colour")) << s.error().ToString();
  EXPECT_TRUE(fields.count("holidays/0/days")) << s.error().ToString();
  EXPECT_TRUE(fields.count("holidays/1/from")) << s.error().ToString();
  EXPECT_EQ(cal_->version(), before);
  EXPECT_FALSE(cal_->IsLoaded(2027));

  // Semantic errors: a make-up day on a Monday and inside the holiday, overlapping holidays.
  s = cal_->LoadYaml(R"(
region: cn
year: 2027
source: test
holidays:
  - name: 元旦
    from: 2027-01-01
    to: 2027-01-03
    make_up_working_days: [2027-01-04, 2027-01-02]
  - name: 又一个
    from: 2027-01-03
    to: 2027-01-05
)",
                     "bad.yaml");
  ASSERT_FALSE(s.ok());
  const std::string text = s.error().ToString();
  EXPECT_NE(text.find("holidays/0/make_up_working_days/0: 2027-01-04 is a monday"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("holidays/0/make_up_working_days/1: 2027-01-02 is a day off"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("holidays/1/from: overlaps holidays/0"), std::string::npos) << text;
  EXPECT_EQ(cal_->version(), before);

  EXPECT_FALSE(cal_->LoadYaml("year: [", "broken.yaml").ok());
  EXPECT_FALSE(cal_->LoadYaml("", "empty.yaml").ok());
  EXPECT_FALSE(cal_->LoadYaml("- 1\n- 2\n", "list.yaml").ok());
  EXPECT_FALSE(cal_->LoadFile("/nonexistent/calendar.yaml").ok());
  EXPECT_EQ(cal_->version(), before);
}

TEST_F(CalendarTest, SeveralDocumentsLoadAtOnce) {
  std::string two = k2027;
  two +=
      "---\nregion: cn\nyear: 2023\nsource: test 2023\nholidays:\n"
      "  - {name: 国庆节, from: 2023-09-29, to: 2023-10-06, "
      "make_up_working_days: [2023-10-07, 2023-10-08]}\n";
  ASSERT_TRUE(cal_->LoadYaml(two, "two.yaml").ok());
  EXPECT_EQ(cal_->version(), 2u);  // one load, one version
  EXPECT_EQ(cal_->LoadedYears(), (std::vector<int>{2023, 2024, 2025, 2026, 2027}));
  EXPECT_EQ(Add("2023-09-28", 1), Settled("2023-10-07"));
  // 2023 and 2024 are now one settled run.
  EXPECT_EQ(Add("2023-12-29", 1), Settled("2024-01-02"));
}

TEST(CalendarRegion, RegionalAdditionsApplyOnTopOfTheNationalSchedule) {
  constexpr char kGuangxi[] = R"(
region: "450000"
year: 2025
source: test regional schedule
holidays:
  - name: 壮族三月三
    from: 2025-03-31
    to: 2025-04-01
)";
  auto national = Calendar::WithEmbeddedSchedules();
  Status refused = national->LoadYaml(kGuangxi, "gx.yaml");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().fields().at(0).field, "region");

  auto guangxi = Calendar::WithEmbeddedSchedules("450000");
  ASSERT_TRUE(guangxi->LoadYaml(kGuangxi, "gx.yaml").ok());
  EXPECT_EQ(*guangxi->AddWorkingDays(D("2025-03-28"), 1), Settled("2025-04-02"));
  EXPECT_EQ(*national->AddWorkingDays(D("2025-03-28"), 1), Settled("2025-03-31"));
  // The national holidays still hold in the region.
  EXPECT_EQ(*guangxi->AddWorkingDays(D("2025-01-24"), 1), Settled("2025-01-26"));
  // A regional schedule alone does not settle a year.
  EXPECT_FALSE(guangxi->IsLoaded(2027));
}

TEST_F(CalendarTest, LargeNAndTheEdgesOfTheDateRange) {
  const Reference ref;
  EXPECT_EQ(Add("2024-01-01", 10000), ref.Add(D("2024-01-01"), 10000));
  EXPECT_TRUE(Add("2024-01-01", 10000).provisional);
  EXPECT_EQ(Add("2024-01-01", 10000).date.ToString(), "2062-06-20");
  EXPECT_EQ(cal_->WorkingDaysBetween(D("2024-01-01"), D("2062-06-20")).days, 10000);
  EXPECT_EQ(Add("0001-01-01", 1), Provisional("0001-01-02"));
  EXPECT_FALSE(cal_->AddWorkingDays(D("9999-12-30"), 5).ok());
  EXPECT_FALSE(cal_->AddWorkingDays(D("2025-01-01"), INT64_MAX).ok());
  EXPECT_GT(cal_->WorkingDaysBetween(Date::Min(), Date::Max()).days, 2'600'000);
  EXPECT_EQ(cal_->WorkingDaysBetween(Date::Max(), Date::Min()).days,
            -cal_->WorkingDaysBetween(Date::Min(), Date::Max()).days);
}

TEST_F(CalendarTest, AgreesWithTheDayByDayReferenceOnRandomInputs) {
  const Reference ref;
  std::mt19937_64 rng(20250124);
  const int64_t lo = D("2021-10-01").days(), hi = D("2028-03-31").days();
  std::uniform_int_distribution<int64_t> day(lo, hi);
  std::uniform_int_distribution<int64_t> n(0, 700);
  std::uniform_int_distribution<int64_t> span(-900, 900);
  for (int i = 0; i < 20000; ++i) {
    const Date from = Date::FromDays(day(rng));
    const int64_t k = n(rng);
    auto got = cal_->AddWorkingDays(from, k);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(*got, ref.Add(from, k)) << from << " + " << k;
    const Date to = from.AddDays(span(rng));
    ASSERT_EQ(cal_->WorkingDaysBetween(from, to), ref.Between(from, to)) << from << ".." << to;
    ASSERT_EQ(cal_->IsWorkingDay(from).working, ref.Working(from)) << from;
  }
}

TEST(CalendarLoad, AfterLoadingAYearTheReferenceStillAgrees) {
  auto cal = Calendar::WithEmbeddedSchedules();
  ASSERT_TRUE(cal->LoadYaml(k2027, "2027.yaml").ok());
  Reference ref;
  ref.AddYear(2027, {{"2027-01-01", "2027-01-03", {}},
                     {"2027-02-05", "2027-02-12", {"2027-01-31", "2027-02-20"}}});
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> day(D("2026-06-01").days(), D("2028-06-01").days());
  std::uniform_int_distribution<int64_t> n(0, 400);
  for (int i = 0; i < 5000; ++i) {
    const Date from = Date::FromDays(day(rng));
    const int64_t k = n(rng);
    ASSERT_EQ(*cal->AddWorkingDays(from, k), ref.Add(from, k)) << from << " + " << k;
  }
}

TEST(CalendarConcurrency, ReadersSeeTheOldOrTheNewScheduleWhileLoading) {
  auto cal = Calendar::WithEmbeddedSchedules();
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      const Date from = D("2026-12-31");
      while (!stop.load()) {
        const CalendarDate r = *cal->AddWorkingDays(from, 1);
        if (!(r == Provisional("2027-01-01") || r == Settled("2027-01-04") ||
              r == Settled("2027-01-01"))) {
          bad.fetch_add(1);
        }
      }
    });
  }
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(cal->LoadYaml(k2027, "2027.yaml").ok());
  }
  stop.store(true);
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(cal->version(), 51u);
}

}  // namespace
}  // namespace tongban
