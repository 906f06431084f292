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
  EXPECT_EQ(r->department, "26");
  EXPECT_EQ(r->type, "01");
  EXPECT_EQ(r->random, "123451");
  EXPECT_EQ(MakeProjectCode(2024, "430603", "26", "01", 12345), "2024-430603-26-01-012345");
  // What is not verified is said, segment by segment.
  ASSERT_EQ(r->unverified.size(), 3U);
  EXPECT_TRUE(r->unverified[0].starts_with("department: 26 ")) << r->unverified[0];
  EXPECT_TRUE(r->unverified[1].starts_with("type: 01 ")) << r->unverified[1];
  EXPECT_TRUE(r->unverified[2].starts_with("check: ")) << r->unverified[2];
}

TEST(ProjectCodeTest, NoGuessedCheckRefusesARealCode) {
  // Codes differing only in their last character are all accepted: the check character's
  // algorithm (GB/T 40058-2021 §4.7) was not found, so none is guessed.
  for (const char* code : {"2024-430603-26-01-123450", "2024-430603-26-01-123451",
                           "2024-430603-26-01-12345X", "2024-430603-26-01-12345x"}) {
    auto r = ParseProjectCode(code, 2026);
    ASSERT_TRUE(r.ok()) << code;
  }
  EXPECT_EQ(ParseProjectCode("2024-430603-26-01-12345x", 2026)->normalized,
            "2024-430603-26-01-12345X");
  // A department or type code outside the ranges this project once guessed (industry 01 … 97,
  // type 01 … 03) is accepted; an earlier year and an abolished region are noted, not refused.
  auto odd = ParseProjectCode("2014-432901-00-09-000001", 2026);
  ASSERT_TRUE(odd.ok()) << odd.error().ToString();
  ASSERT_EQ(odd->unverified.size(), 5U);
  EXPECT_EQ(odd->unverified[0], "year: 2014 is before the national platform opened (2015)");
  EXPECT_EQ(odd->unverified[1], "region: 432901 is not in the current GB/T 2260 list");
}

TEST(ProjectCodeTest, RefusesEachSegmentByName) {
  EXPECT_EQ(Why("2024-430603-26-01-12345"),
            "length: 24 characters expected (YYYY-RRRRRR-DD-TT-NNNNNN), got 23");
  EXPECT_EQ(Why("2024 430603-26-01-123451"), "format: a hyphen expected at position 5");
  EXPECT_EQ(Why("2O24-430603-26-01-123451"), "year: 4 digits expected");
  EXPECT_EQ(Why("2027-430603-26-01-123451"), "year: 2027 is after 2026");
  EXPECT_EQ(Why("2024-43O603-26-01-123451"), "region: 6 digits expected");
  EXPECT_EQ(Why("2024-430603-2A-01-123451"), "department: 2 digits expected");
  EXPECT_EQ(Why("2024-430603-26-0 -123451"), "type: 2 digits expected");
  EXPECT_EQ(Why("2024-430603-26-01-1234-1"), "random: 6 digits or Latin letters expected");
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
