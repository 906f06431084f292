// The pure parts of the KPIs: periods, rounding, a case's contribution and its timing.
#include "kpi/facts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tongban::kpi {
namespace {

Date D(const char* text) { return *Date::Parse(text); }

TEST(Period, ParsesYearsQuartersMonthsDaysAndRanges) {
  EXPECT_EQ(*ParsePeriod("2026", "period"), std::pair(D("2026-01-01"), D("2026-12-31")));
  EXPECT_EQ(*ParsePeriod("2026-Q3", "period"), std::pair(D("2026-07-01"), D("2026-09-30")));
  EXPECT_EQ(*ParsePeriod("2024-02", "period"), std::pair(D("2024-02-01"), D("2024-02-29")));
  EXPECT_EQ(*ParsePeriod("2026-11-27", "period"), std::pair(D("2026-11-27"), D("2026-11-27")));
  EXPECT_EQ(*ParsePeriod("2026-11-03..2026-12-02", "period"),
            std::pair(D("2026-11-03"), D("2026-12-02")));
  for (const char* bad :
       {"", "26", "2026-13", "2026-Q5", "2026-11-31", "2026-12-02..2026-11-03", "yesterday"}) {
    auto r = ParsePeriod(bad, "period");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().fields().at(0).field, "period");
  }
  EXPECT_EQ(YearEarlier(D("2024-02-29"), D("2024-03-31")),
            std::pair(D("2023-02-28"), D("2023-03-31")));
}

TEST(Figures, KeepExactFractionsAndRoundHalfUp) {
  // The article's Yongzhou figures: 10.44万 of 10.49万 concluded; +97.6% applications.
  Figure rate = Rate("conclusion_rate", "办结率", 104400, 104900);
  EXPECT_EQ(rate.numerator, 104400);
  EXPECT_EQ(rate.denominator, 104900);
  EXPECT_DOUBLE_EQ(rate.Rounded(), 99.52);
  EXPECT_DOUBLE_EQ(Rate("x", "x", 1, 3).Rounded(), 33.33);
  EXPECT_DOUBLE_EQ(Rate("x", "x", 2, 3).Rounded(), 66.67);
  EXPECT_DOUBLE_EQ(Rate("x", "x", 1, 0).Rounded(), 0);
  EXPECT_FALSE(Rate("x", "x", 1, 0).Value().has_value());  // unknown, not 0 %
  EXPECT_FALSE(Average("x", "x", "days", 0, 0).Value().has_value());
  EXPECT_EQ(Count("x", "x", "cases", 0).Value(), 0.0);
  EXPECT_EQ(Rate("x", "x", 1, 4).Value(), 25.0);
  EXPECT_DOUBLE_EQ(Average("x", "x", "days", 7, 2).Rounded(), 3.5);
  EXPECT_DOUBLE_EQ(Rate("x", "x", -1, 8).Rounded(), -12.5);
}

CaseInputs Decided(const char* accepted, const char* decided) {
  CaseInputs in;
  in.region = "431128";
  in.department = "431128-wjj";
  in.matter = "M1";
  in.channel = "window";
  in.applicant_code = "11010519491231002X";  // Beijing: another province
  in.state = cases::CaseState::kApproved;
  in.received_on = D(accepted);
  in.accepted_on = D(accepted);
  in.decided_on = D(decided);
  in.promised = catalog::TimeLimit{.value = 5, .unit = catalog::LimitUnit::kWorkingDays};
  in.legal = catalog::TimeLimit{.value = 20, .unit = catalog::LimitUnit::kWorkingDays};
  in.materials = {{cases::MaterialState::kProvided, cases::MaterialOrigin::kLicence},
                  {cases::MaterialState::kProvided, cases::MaterialOrigin::kUploaded},
                  {cases::MaterialState::kProofWaived, cases::MaterialOrigin::kNone}};
  return in;
}

TEST(Contribution, CountsByReceivedAndDecidedDayAtBothGrains) {
  auto calendar = Calendar::WithEmbeddedSchedules();
  // Accepted Thursday 2026-11-26; decided Thursday 2026-12-03: 5 working days, on time.
  CaseInputs in = Decided("2026-11-26", "2026-12-03");
  const Timing t = TimingOf(in, *calendar);
  EXPECT_EQ(t.working_days, 5);
  EXPECT_TRUE(t.on_time);
  // One day later is late; a suspension of one day makes it on time again.
  in.decided_on = D("2026-12-04");
  EXPECT_FALSE(TimingOf(in, *calendar).on_time);
  in.suspended_days = 1;
  EXPECT_TRUE(TimingOf(in, *calendar).on_time);
  EXPECT_EQ(TimingOf(in, *calendar).working_days, 5);

  const Contribution c = Contribute(in, *calendar);
  const auto& received = c.at("f|d|2026-11-26|431128|431128-wjj|M1|window|");
  EXPECT_EQ(received[static_cast<size_t>(Fact::kApplications)], 1);
  EXPECT_EQ(received[static_cast<size_t>(Fact::kConcluded)], 0);
  EXPECT_EQ(received[static_cast<size_t>(Fact::kCrossRegion)], 1);
  EXPECT_EQ(received[static_cast<size_t>(Fact::kMaterials)], 3);
  EXPECT_EQ(received[static_cast<size_t>(Fact::kNotBrought)], 2);
  EXPECT_EQ(received[static_cast<size_t>(Fact::kOnline)], 0);
  const auto& decided = c.at("f|d|2026-12-04|431128|431128-wjj|M1|window|");
  EXPECT_EQ(decided[static_cast<size_t>(Fact::kConcluded)], 1);
  EXPECT_EQ(decided[static_cast<size_t>(Fact::kOnTime)], 1);
  EXPECT_EQ(decided[static_cast<size_t>(Fact::kPromisedDays)], 5);
  EXPECT_EQ(decided[static_cast<size_t>(Fact::kLegalDays)], 20);
  EXPECT_TRUE(c.contains("f|m|2026-11|431128|431128-wjj||window|"));
  EXPECT_TRUE(c.contains("f|m|2026-12|431128|431128-wjj||window|"));
  EXPECT_TRUE(c.contains("h|d|2026-12-04|431128|431128-wjj|M1|window||5"));
  EXPECT_TRUE(c.contains("h|m|2026-12|431128|||||5"));
  EXPECT_EQ(c.size(), 6u);

  // Round trip and difference: withdrawing the decision removes exactly the decided rows.
  EXPECT_EQ(*Parse(Serialize(c)), c);
  EXPECT_FALSE(Parse("f|d|x=1,a").ok());
  CaseInputs undecided = in;
  undecided.decided_on.reset();
  const Contribution delta = Difference(c, Contribute(undecided, *calendar));
  EXPECT_EQ(delta.size(), 4u);
  EXPECT_EQ(delta.at("h|m|2026-12|431128|||||5"), std::vector<int64_t>{-1});
  EXPECT_TRUE(Difference(c, c).empty());
}

}  // namespace
}  // namespace tongban::kpi
