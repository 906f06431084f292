// Reading and writing the catalog file format: shape errors with paths, aliases, hostile input,
// and text that survives a round trip.
#include "catalog/yaml_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/testing.h"
#include "catalog/validate.h"

namespace tongban::catalog {
namespace {

using testing::Describe;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::Paths;
using testing::TestFile;
using ::testing::UnorderedElementsAre;

CatalogFile Parse(std::string_view text, FieldErrors& errors) {
  return ParseCatalogYaml(text, errors);
}

TEST(CatalogYaml, ReadsTheFixtureWithChineseAliases) {
  FieldErrors errors;
  CatalogFile f = Parse(TestFile("small.yaml"), errors);
  ASSERT_TRUE(errors.empty()) << Describe(errors.fields());
  ASSERT_EQ(f.regions.size(), 2u);
  EXPECT_EQ(f.regions[0].code, "431128");
  EXPECT_EQ(f.regions[1].name, "金陵镇");
  ASSERT_EQ(f.departments.size(), 2u);
  EXPECT_EQ(f.windows[1].kind, WindowKind::kMatter);                   // 专窗
  EXPECT_EQ(f.certificates[2].status, CertificateStatus::kCancelled);  // 取消
  EXPECT_EQ(f.certificates[0].cancelled_basis, "");                    // ~ is absent
  ASSERT_EQ(f.basic_items.size(), 3u);
  EXPECT_EQ(f.basic_items[0].code, "000172003000");    // leading zeros survive
  EXPECT_EQ(f.basic_items[0].kind, Kind::kLicensing);  // 行政许可
  ASSERT_EQ(f.implementation_items.size(), 3u);
  const ImplementationItem& it = f.implementation_items[0];
  EXPECT_EQ(it.handling_type, HandlingType::kPromised);                   // 承诺件
  EXPECT_EQ(it.promised_limit, (TimeLimit{3, LimitUnit::kWorkingDays}));  // 工作日
  EXPECT_EQ(it.lists.nearby, (std::vector<Level>{Level::kTown, Level::kVillage}));
  EXPECT_EQ(
      it.cross_region_modes,
      (std::vector<CrossRegionMode>{CrossRegionMode::kOnline, CrossRegionMode::kProxyAcceptance}));
  ASSERT_EQ(it.scenarios.size(), 2u);
  EXPECT_EQ(it.scenarios[0].kind, ScenarioKind::kNew);  // 新办
  ASSERT_EQ(it.scenarios[0].form.size(), 3u);
  EXPECT_THAT(it.scenarios[0].form[2].options, ElementsAre("宾馆", "美容美发", "游泳场所"));
  EXPECT_EQ(it.scenarios[0].materials[1].condition, "venue_kind = \"游泳场所\"");
  EXPECT_EQ(f.implementation_items[2].handling_type, HandlingType::kInstant);  // 即办件
  EXPECT_FALSE(f.implementation_items[2].promised_limit.has_value());
  EXPECT_EQ(f.implementation_items[1].fees[0].amount_fen, 1000);
  ASSERT_EQ(f.bundles.size(), 1u);
  EXPECT_EQ(f.bundles[0].matters.size(), 2u);
}

TEST(CatalogJson, KeepsJsonTypesAndNamesTheFieldOfAWrongOne) {
  const std::string text = R"({
    "regions": [{"code": 431128, "name": "新田县"}, {"code": "431128101000", "name": true}],
    "implementation_items": [{
      "code": "X-1", "visits": "1", "online_depth": 2, "legal_limit": {"value": "20"},
      "keywords": ["ok", 7],
      "scenarios": [{"code": "new", "materials": [{"name": "申请书", "core": "true"}]}]
    }]
  })";
  const std::vector<std::string> wrong_types = {
      "regions/0/code: must be a string, not a number",
      "regions/1/name: must be a string, not true or false",
      "implementation_items/0/visits: must be a number, not a string",
      "implementation_items/0/legal_limit/value: must be a number, not a string",
      "implementation_items/0/keywords/1: must be a string, not a number",
      "implementation_items/0/scenarios/0/materials/0/core: must be true or false, not a string"};
  FieldErrors errors;
  CatalogFile f = ParseCatalogJson(text, errors);
  std::vector<std::string> found;
  for (const FieldError& e : errors.fields()) {
    if (e.message.starts_with("must be a") || e.message.starts_with("must be true")) {
      found.push_back(e.field + ": " + e.message);
    }
  }
  EXPECT_THAT(found, UnorderedElementsAre(wrong_types[0], wrong_types[1], wrong_types[2],
                                          wrong_types[3], wrong_types[4], wrong_types[5]))
      << Describe(errors.fields());
  ASSERT_EQ(f.implementation_items.size(), 1u);
  EXPECT_EQ(f.implementation_items[0].online_depth, 2);  // a number where a number belongs

  // Read as YAML, plain scalars take the type their field needs: none of these is an error.
  FieldErrors yaml_errors;
  ParseCatalogYaml(text, yaml_errors);
  for (const FieldError& e : yaml_errors.fields()) {
    EXPECT_FALSE(e.message.starts_with("must be a") || e.message.starts_with("must be true"))
        << e.field << ": " << e.message;
  }
}

TEST(CatalogYaml, EmptyDocumentIsAnEmptyCatalog) {
  FieldErrors errors;
  EXPECT_EQ(Parse("", errors), CatalogFile{});
  EXPECT_EQ(Parse("# nothing\n", errors), CatalogFile{});
  EXPECT_EQ(Parse("{}", errors), CatalogFile{});
  EXPECT_TRUE(errors.empty()) << Describe(errors.fields());
}

TEST(CatalogYaml, ShapeErrorsNameTheirPaths) {
  FieldErrors errors;
  Parse(R"(
departments:
  - code: d1
    name: x
    region: "431128"
    colour: red
basic_items:
  - {code: b1, name: n, kind: 许可, legal_basis: x}
implementation_items:
  - code: i1
    basic_item: b1
    department: d1
    region: "431128"
    handling_type: instant
    legal_limit: {value: twenty, unit: working_days}
    visits: [1]
    online_depth: 4
    jurisdiction: x
    scenarios: {}
regions: "431128"
colours: []
)",
        errors);
  EXPECT_THAT(Paths(errors.fields()),
              UnorderedElementsAre("departments/0/uscc", "departments/0/colour",
                                   "basic_items/0/kind", "implementation_items/0/legal_limit/value",
                                   "implementation_items/0/visits",
                                   "implementation_items/0/scenarios", "regions", "colours"))
      << Describe(errors.fields());
  for (const auto& e : errors.fields()) {
    if (e.field == "basic_items/0/kind") {
      EXPECT_THAT(e.message, HasSubstr("licensing | benefit"));
      EXPECT_THAT(e.message, HasSubstr("许可"));
    }
    if (e.field == "departments/0/uscc") {
      EXPECT_EQ(e.message, "is required");
    }
    if (e.field == "departments/0/colour") {
      EXPECT_EQ(e.message, "is not a known field");
    }
  }
}

TEST(CatalogYaml, SyntaxErrorsGiveLineAndColumn) {
  FieldErrors errors;
  Parse("regions:\n  - code: \"431128\"\n  - code: [x, y\n", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.fields()[0].field, "");
  EXPECT_THAT(errors.fields()[0].message, HasSubstr("YAML syntax error at line"));
}

TEST(CatalogYaml, DuplicateKeysAreRefused) {
  FieldErrors errors;
  Parse("regions:\n  - code: \"431128\"\n    code: \"430181\"\n", errors);
  EXPECT_THAT(Paths(errors.fields()), ElementsAre("regions/0/code")) << Describe(errors.fields());
}

TEST(CatalogYaml, AliasBombsRunOutOfBudgetInsteadOfMemory) {
  // Aliases multiply along the shape the reader walks: items × scenarios × form fields × options
  // would be 10 × 100 × 100 × 100 visits from a few kilobytes.
  auto repeat = [](const std::string& alias, int n) {
    std::string out = "[";
    for (int i = 0; i < n; ++i) out += (i ? ", *" : "*") + alias;
    return out + "]";
  };
  std::string text = "anchors:\n";
  text += "  - &o x\n";
  text += "  - &os " + repeat("o", 100) + "\n";
  text += "  - &f {name: f, label: l, type: enum, options: *os}\n";
  text += "  - &fs " + repeat("f", 100) + "\n";
  text += "  - &s {code: s, name: n, kind: new, process: p, form: *fs}\n";
  text += "  - &ss " + repeat("s", 100) + "\n";
  text +=
      "  - &i {code: i, basic_item: b, department: d, region: '431128', handling_type: "
      "instant, legal_limit: {value: 1, unit: hours}, visits: 0, online_depth: 1, "
      "jurisdiction: x, scenarios: *ss}\n";
  text += "implementation_items: " + repeat("i", 10) + "\n";
  FieldErrors errors;
  ParseLimits limits;
  limits.max_nodes = 100000;
  ParseCatalogYaml(text, errors, limits);
  bool budget = false;
  for (const auto& e : errors.fields())
    budget = budget || e.message.find("nodes") != e.message.npos;
  EXPECT_TRUE(budget) << Describe(errors.fields());
  EXPECT_LT(errors.size(), 10u) << "the reader stops once the budget is spent";
}

TEST(CatalogYaml, DeepNestingIsAnErrorNotACrash) {
  std::string text = "regions: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  FieldErrors errors;
  ParseCatalogYaml(text, errors);
  EXPECT_FALSE(errors.empty());
}

TEST(CatalogYaml, OversizeInputIsRefusedBeforeParsing) {
  FieldErrors errors;
  ParseLimits limits;
  limits.max_bytes = 10;
  ParseCatalogYaml("regions: []\n# padding", errors, limits);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors.fields()[0].message, HasSubstr("larger than 10 bytes"));
}

TEST(CatalogYaml, WritesEnglishIdsAndReadsBackTheSameValues) {
  FieldErrors errors;
  CatalogFile f = Parse(TestFile("small.yaml"), errors);
  ASSERT_TRUE(errors.empty());
  const std::string text = EmitCatalogYaml(f);
  EXPECT_THAT(text, HasSubstr("kind: licensing"));
  EXPECT_THAT(text, HasSubstr("handling_type: instant"));
  EXPECT_THAT(text, HasSubstr("code: \"000172003000\""));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("行政许可")));
  FieldErrors again;
  CatalogFile back = Parse(text, again);
  ASSERT_TRUE(again.empty()) << Describe(again.fields()) << text;
  EXPECT_EQ(back, f);
  EXPECT_EQ(EmitCatalogYaml(back), text);
}

TEST(CatalogYaml, PrefillAndValidationSurviveTheRoundTrip) {
  FieldErrors errors;
  CatalogFile f = Parse(TestFile("small.yaml"), errors);
  ASSERT_TRUE(errors.empty());
  auto& field = f.implementation_items[0].scenarios[0].form[0];
  field.prefill = "licence(\"营业执照\").name";
  field.validation = "not(null)";
  field.validation_message = "须填写场所名称";
  const std::string text = EmitCatalogYaml(f);
  EXPECT_THAT(text, HasSubstr("prefill: "));
  EXPECT_THAT(text, HasSubstr("须填写场所名称"));
  FieldErrors again;
  CatalogFile back = Parse(text, again);
  ASSERT_TRUE(again.empty()) << Describe(again.fields()) << text;
  EXPECT_EQ(back, f);
}

TEST(CatalogYaml, ReviewDepartmentsAndVerificationPeriodSurviveTheRoundTrip) {
  FieldErrors errors;
  CatalogFile f = Parse(TestFile("small.yaml"), errors);
  ASSERT_TRUE(errors.empty());
  // Unset, neither is written.
  EXPECT_THAT(EmitCatalogYaml(f), Not(HasSubstr("review_departments")));
  EXPECT_THAT(EmitCatalogYaml(f), Not(HasSubstr("verification_within_days")));
  f.implementation_items[0].scenarios[0].review_departments = {"431128-wjj", "431128-jtj"};
  f.implementation_items[0].verification_within_days = 30;
  const std::string text = EmitCatalogYaml(f);
  EXPECT_THAT(text, HasSubstr("review_departments: [\"431128-wjj\", \"431128-jtj\"]"));
  EXPECT_THAT(text, HasSubstr("verification_within_days: 30"));
  FieldErrors again;
  CatalogFile back = Parse(text, again);
  ASSERT_TRUE(again.empty()) << Describe(again.fields()) << text;
  EXPECT_EQ(back, f);
  // Not a number: an error naming the field.
  FieldErrors bad;
  std::string broken = text;
  broken.replace(broken.find("verification_within_days: 30"), 28, "verification_within_days: x");
  Parse(broken, bad);
  ASSERT_FALSE(bad.empty());
  EXPECT_THAT(bad.fields()[0].field, HasSubstr("verification_within_days"));
}

TEST(CatalogYaml, AwkwardStringsSurviveTheRoundTrip) {
  ImplementationItem it;
  it.code = "c1";
  it.basic_item = "007";
  it.department = "d";
  it.region = "431128";
  it.legal_limit = TimeLimit{1, LimitUnit::kHours};
  it.jurisdiction = "a: b # not a comment\n  second line, [x] {y}";
  it.keywords = {"true",   "null",   "~",        "0123",       "1e3",
                 "- dash", "x, y",   "'quoted'", "\"dq\"",     "2025-01-01",
                 " lead",  "trail ", "#hash",    "中文：冒号", "yes"};
  it.place = "&anchor *alias !tag %percent @at `tick`";
  it.scenarios = {Scenario{.code = "s",
                           .name = "n",
                           .kind = ScenarioKind::kOther,
                           .process = "p",
                           .form = {FormField{.name = "f",
                                              .label = "a, b: {c}",
                                              .type = FieldType::kEnum,
                                              .required = false,
                                              .options = {"[1]", "no", "3.5"}}},
                           .materials = {}}};
  const std::string text = EmitItemYaml(it);
  auto back = ParseItemYaml(text);
  ASSERT_TRUE(back.ok()) << back.error().ToString() << "\n" << text;
  EXPECT_EQ(*back, it) << text;
  EXPECT_EQ(EmitItemYaml(*back), text);
}

TEST(CatalogYaml, StoredItemThatCannotBeReadIsAnIntegrityError) {
  auto r = ParseItemYaml("code: [");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kIntegrity);
}

}  // namespace
}  // namespace tongban::catalog
