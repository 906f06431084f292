// The investment project code: a known-good code, each segment refused by name, the check
// character computed independently, and the templates and regional data shipped.
#include "projects/project_code.h"

#include <gtest/gtest.h>

#include "projects/model.h"

namespace tongban::projects {
namespace {

std::string Why(std::string_view code) {
  auto r = ParseProjectCode(code, 2026);
  if (r.ok()) return "ok";
  return r.error().fields().empty() ? r.error().message() : r.error().fields()[0].message;
}

TEST(ProjectCodeTest, AcceptsAWellFormedCode) {
  auto r = ParseProjectCode("2024-430603-26-01-123451", 2026);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->year, 2024);
  EXPECT_EQ(r->region, "430603");
  EXPECT_EQ(r->industry, "26");
  EXPECT_EQ(r->kind, ApprovalKind::kApproval);
  EXPECT_EQ(r->serial, "12345");
  EXPECT_EQ(MakeProjectCode(2024, "430603", "26", ApprovalKind::kApproval, 12345),
            "2024-430603-26-01-123451");
}

TEST(ProjectCodeTest, CheckCharacterIsMod11Of19Digits) {
  EXPECT_EQ(ProjectCodeCheckCharacter("2024430603260112345"), '1');
  EXPECT_EQ(ProjectCodeCheckCharacter("202443060326011234"), '\0');
  // A code whose sum leaves 2 gets X, accepted in lower case too.
  for (int serial = 0; serial < 200; ++serial) {
    const std::string code = MakeProjectCode(2025, "430603", "47", ApprovalKind::kFiling, serial);
    ASSERT_TRUE(ParseProjectCode(code, 2026).ok()) << code;
    if (code.back() == 'X') {
      std::string lower = code;
      lower.back() = 'x';
      auto r = ParseProjectCode(lower, 2026);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->normalized, code);
      return;
    }
  }
  ADD_FAILURE() << "no serial gave the check character X";
}

TEST(ProjectCodeTest, RefusesEachSegmentByName) {
  EXPECT_EQ(Why("2024-430603-26-01-12345"),
            "length: 24 characters expected (YYYY-RRRRRR-II-TT-SSSSSC), got 23");
  EXPECT_EQ(Why("2024 430603-26-01-123451"), "format: a hyphen expected at position 5");
  EXPECT_EQ(Why("2014-430603-26-01-123451"), "year: 2014 is outside 2015 … 2026");
  EXPECT_EQ(Why("2027-430603-26-01-123451"), "year: 2027 is outside 2015 … 2026");
  EXPECT_EQ(Why("2024-439999-26-01-123451"), "region: 439999 is not a GB/T 2260 region code");
  EXPECT_EQ(Why("2024-430603-00-01-123451"), "industry: 00 is not a GB/T 4754 division (01 … 97)");
  EXPECT_EQ(Why("2024-430603-26-04-123451"), "type: 04 is not 01 (审批), 02 (核准) or 03 (备案)");
  EXPECT_EQ(Why("2024-430603-26-01-1234A1"), "serial: 5 digits expected");
  EXPECT_EQ(Why("2024-430603-26-01-123453"), "check: check character expected 1, got 3");
}

TEST(ProjectDataTest, ShippedTemplatesAndRegionsParse) {
  auto templates = ShippedTemplates();
  ASSERT_TRUE(templates.ok()) << templates.error().ToString();
  ASSERT_EQ(templates->size(), 3U);
  for (const auto& t : *templates) {
    EXPECT_EQ(t.stages.size(), 4U) << t.title;
    EXPECT_EQ(t.stages[0].title, "立项用地规划许可");
    EXPECT_EQ(t.stages[3].title, "竣工验收");
  }
  auto regions = ShippedRegionsConfig();
  ASSERT_TRUE(regions.ok()) << regions.error().ToString();
  const RegionConfig* yunxi = regions->For("430603");
  ASSERT_NE(yunxi, nullptr);
  EXPECT_EQ(yunxi->budgets.at(ProjectType::kGovernmentInvestment), 30);
  EXPECT_EQ(regions->For("110101")->region, "cn");
}

TEST(ProjectDataTest, TemplateErrorsNameTheirPath) {
  auto t = ParseTemplate(R"(type: social_investment
title: x
budget_days: 10
stages:
  - {key: a, title: A, share_days: 4, matters: [{code: m, title: M, department: d, legal_days: 5, share_days: 6}]}
  - {key: b, title: B, share_days: 6, matters: [{code: m, title: M2, department: d, legal_days: 5, share_days: 2}]}
)",
                         "t.yaml");
  ASSERT_FALSE(t.ok());
  std::vector<std::string> fields;
  for (const auto& f : t.error().fields()) fields.push_back(f.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"stages[0].matters[0].share_days",
                                              "stages[1].matters[0].code"}));
}

}  // namespace
}  // namespace tongban::projects
