// Demand limits from configuration, the working-hour and working-day clocks, and the text
// similarity that suggests duplicates.
#include "demands/limits.h"

#include <gtest/gtest.h>

#include "demands/text.h"
#include "people/timestamp.h"

namespace tongban::demands {
namespace {

int64_t Ms(const char* rfc3339) { return *people::ParseTimestamp(rfc3339); }

TEST(Limits, TheShippedFileGivesLimitsByClassUrgencyAndRegion) {
  auto table = LimitsTable::Shipped();
  ASSERT_TRUE(table.ok()) << table.error().ToString();
  EXPECT_EQ(table->HandlingDays("110105", DemandClass::kConsultation, Urgency::kOrdinary, false),
            1);
  EXPECT_EQ(table->HandlingDays("110105", DemandClass::kComplaint, Urgency::kOrdinary, false), 7);
  EXPECT_EQ(table->HandlingDays("431128", DemandClass::kComplaint, Urgency::kOrdinary, false), 5);
  EXPECT_EQ(table->HandlingDays("431128", DemandClass::kHelp, Urgency::kUrgent, false), 0);
  EXPECT_EQ(table->HandlingDays("431128", DemandClass::kHelp, Urgency::kOrdinary, true), 15);
  EXPECT_EQ(table->For("431128").sign_for_hours, 2);
}

TEST(Limits, AnInvalidFileNamesEveryBadField) {
  auto table = LimitsTable::ParseYaml(R"(limits:
  - region: "4311"
    sign_for_hours: 0
    urgent_days: 0
    complex_days: 15
    callback_days: 1
    ordinary_days: {consultation: 1, help: x, gossip: 3}
office_hours:
  - region: cn
    weekdays: ["08:30-12:00"]
)",
                                      "test.yaml");
  ASSERT_FALSE(table.ok());
  std::set<std::string> fields;
  for (const auto& f : table.error().fields()) fields.insert(f.field);
  for (const char* f :
       {"limits/0/region", "limits/0/sign_for_hours", "limits/0/ordinary_days/help",
        "limits/0/ordinary_days/gossip", "limits/0/ordinary_days/complaint", "limits"}) {
    EXPECT_TRUE(fields.count(f)) << f << " in " << table.error().ToString();
  }
}

TEST(Limits, WorkingMinutesRunOnlyInOfficeHoursOfWorkingDays) {
  auto table = LimitsTable::Shipped();
  ASSERT_TRUE(table.ok());
  auto calendar = Calendar::WithEmbeddedSchedules();
  const OfficeHours& hours = *table->office_hours().Find("431128");
  // Thursday 09:00 + 2 h = 11:00.
  EXPECT_EQ(*AddWorkingMinutes(*calendar, hours, Ms("2026-11-26T09:00:00+08:00"), 120),
            Ms("2026-11-26T11:00:00+08:00"));
  // 11:30 + 2 h: 30 min before lunch, 90 after 14:30.
  EXPECT_EQ(*AddWorkingMinutes(*calendar, hours, Ms("2026-11-26T11:30:00+08:00"), 120),
            Ms("2026-11-26T16:00:00+08:00"));
  // Friday 17:00 + 2 h ends on Monday 10:00.
  EXPECT_EQ(*AddWorkingMinutes(*calendar, hours, Ms("2026-11-27T17:00:00+08:00"), 120),
            Ms("2026-11-30T10:00:00+08:00"));
  // Before opening on a Saturday night: Monday 10:30.
  EXPECT_EQ(*AddWorkingMinutes(*calendar, hours, Ms("2026-11-28T22:00:00+08:00"), 120),
            Ms("2026-11-30T10:30:00+08:00"));
  // National Day 2026: 10-01..10-07 off, so 09-30 17:00 + 2 h ends 10-08 10:00.
  EXPECT_EQ(*AddWorkingMinutes(*calendar, hours, Ms("2026-09-30T17:00:00+08:00"), 120),
            Ms("2026-10-08T10:00:00+08:00"));
}

TEST(Limits, WorkingDaysEndAtTheEndOfTheLastDay) {
  auto calendar = Calendar::WithEmbeddedSchedules();
  const int64_t thursday = Ms("2026-11-26T09:00:00+08:00");
  EXPECT_EQ(*AddWorkingDaysEnd(*calendar, thursday, 0), Ms("2026-11-26T23:59:59.999+08:00"));
  EXPECT_EQ(*AddWorkingDaysEnd(*calendar, thursday, 1), Ms("2026-11-27T23:59:59.999+08:00"));
  EXPECT_EQ(*AddWorkingDaysEnd(*calendar, thursday, 2), Ms("2026-11-30T23:59:59.999+08:00"));
}

TEST(Text, SimilarDemandsScoreHigherThanUnrelatedOnes) {
  const auto a = TextTerms("企业用电报装时间太长，希望加快办理");
  const auto b = TextTerms("用电报装时间过长，请尽快办理");
  const auto c = TextTerms("咨询社保缴费基数如何调整");
  EXPECT_GT(Similarity(a, b), 0.35);
  EXPECT_LT(Similarity(a, c), 0.1);
  EXPECT_DOUBLE_EQ(Similarity(a, a), 1.0);
  EXPECT_EQ(Similarity({}, {}), 0);
  EXPECT_TRUE(TextTerms("ABC 水电").count("abc"));
  EXPECT_TRUE(TextTerms("ABC 水电").count("水电"));
  EXPECT_TRUE(TextTerms("水").count("水"));
}

}  // namespace
}  // namespace tongban::demands
