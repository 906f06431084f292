// Every rule of the catalog format has a failing case here, naming the path it must report.
#include "catalog/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "catalog/testing.h"
#include "catalog/yaml_io.h"

namespace tongban::catalog {
namespace {

using testing::Describe;
using ::testing::HasSubstr;
using testing::Paths;
using testing::TestFile;
using ::testing::UnorderedElementsAre;

CatalogFile Small() {
  FieldErrors errors;
  CatalogFile f = ParseCatalogYaml(TestFile("small.yaml"), errors);
  EXPECT_TRUE(errors.empty()) << Describe(errors.fields());
  return f;
}

std::vector<FieldError> Check(const CatalogFile& f, const KnownCodes& known = {}) {
  FieldErrors errors;
  ValidateCatalog(f, known, errors);
  return errors.fields();
}

// Applies `mutate` to the fixture and expects exactly one error, at `path`, whose message holds
// `message`.
void ExpectOnly(const std::function<void(CatalogFile&)>& mutate, const std::string& path,
                const std::string& message) {
  CatalogFile f = Small();
  mutate(f);
  auto errors = Check(f);
  ASSERT_EQ(errors.size(), 1u) << "expected only " << path << ", got:\n" << Describe(errors);
  EXPECT_EQ(errors[0].field, path);
  EXPECT_THAT(errors[0].message, HasSubstr(message));
}

ImplementationItem& Item(CatalogFile& f, size_t i) { return f.implementation_items[i]; }
Material& MaterialOf(CatalogFile& f, size_t item, size_t scenario, size_t material) {
  return f.implementation_items[item].scenarios[scenario].materials[material];
}

TEST(CatalogRules, TheFixtureIsValid) { EXPECT_EQ(Describe(Check(Small())), ""); }

TEST(CatalogRules, RegionCodes) {
  ExpectOnly([](CatalogFile& f) { f.regions[0].code = "43112"; }, "regions/0/code",
             "6 or 12 digits");
  ExpectOnly([](CatalogFile& f) { f.regions[0].code = "431128101"; }, "regions/0/code",
             "6 or 12 digits");
  ExpectOnly([](CatalogFile& f) { f.regions[1].code = "431128"; }, "regions/1/code",
             "already used by regions/0/code");
  // Well-formed but not in the region list (GB/T 2260 has no 431199).
  ExpectOnly([](CatalogFile& f) { f.regions[0].code = "431199"; }, "regions/0/code",
             "'431199' is not in the region list");
  ExpectOnly([](CatalogFile& f) { Item(f, 2).region = "431128199000"; },
             "implementation_items/2/region", "'431128199000' is not in the region list");
  ExpectOnly([](CatalogFile& f) { f.departments[0].region = "43112x"; }, "departments/0/region",
             "6 or 12 digits");
  ExpectOnly([](CatalogFile& f) { f.windows[0].region = ""; }, "windows/0/region", "required");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).region = "4311280"; }, "implementation_items/0/region",
             "6 or 12 digits");
  ExpectOnly([](CatalogFile& f) { f.bundles[0].region = "abc"; }, "bundles/0/region",
             "6 or 12 digits");
}

TEST(CatalogRules, Departments) {
  ExpectOnly([](CatalogFile& f) { f.departments[0].name = ""; }, "departments/0/name", "required");
  // Codes are changed on an added copy, so no reference to the original breaks.
  ExpectOnly(
      [](CatalogFile& f) {
        f.departments.push_back(f.departments[0]);
        f.departments[2].code = "卫健局";
      },
      "departments/2/code", "letters, digits");
  ExpectOnly(
      [](CatalogFile& f) {
        f.departments.push_back(f.departments[0]);
        f.departments[2].code = std::string(65, 'd');
      },
      "departments/2/code", "longer than 64");
  ExpectOnly([](CatalogFile& f) { f.departments[0].uscc = ""; }, "departments/0/uscc", "required");
  ExpectOnly([](CatalogFile& f) { f.departments[0].uscc = "11431128MB123456"; },
             "departments/0/uscc", "must have 18 characters");
  ExpectOnly([](CatalogFile& f) { f.departments[0].uscc = "11431128MB1234562X"; },
             "departments/0/uscc", "check");
  ExpectOnly([](CatalogFile& f) { f.departments[0].uscc = "11431128mb1234562l"; },
             "departments/0/uscc", "upper case: 11431128MB1234562L");
  ExpectOnly([](CatalogFile& f) { f.departments.push_back(f.departments[0]); },
             "departments/2/code", "already used by departments/0/code");
}

TEST(CatalogRules, Windows) {
  ExpectOnly([](CatalogFile& f) { f.windows[1].department = "nowhere"; }, "windows/1/department",
             "department 'nowhere' is not in the catalog");
  ExpectOnly([](CatalogFile& f) { f.windows[0].hours = "8:30\n17:30"; }, "windows/0/hours",
             "control character");
  // A department already stored satisfies the reference.
  CatalogFile f = Small();
  f.windows[1].department = "stored-dept";
  KnownCodes known;
  known.departments.insert("stored-dept");
  EXPECT_EQ(Describe(Check(f, known)), "");
}

TEST(CatalogRules, Certificates) {
  ExpectOnly([](CatalogFile& f) { f.certificates[2].cancelled_basis = ""; },
             "certificates/2/cancelled_basis", "required");
  ExpectOnly([](CatalogFile& f) { f.certificates[0].cancelled_basis = "某决定"; },
             "certificates/0/cancelled_basis", "only for cancelled");
  ExpectOnly([](CatalogFile& f) { f.certificates[0].basis = "  "; }, "certificates/0/basis",
             "blank");
  ExpectOnly([](CatalogFile& f) { f.certificates[1].name = "a\x01"; }, "certificates/1/name",
             "control character");
}

TEST(CatalogRules, BasicItems) {
  ExpectOnly([](CatalogFile& f) { f.basic_items[0].legal_basis = ""; }, "basic_items/0/legal_basis",
             "required");
  ExpectOnly([](CatalogFile& f) { f.basic_items[2].name = "\xff\xfe"; }, "basic_items/2/name",
             "UTF-8");
  ExpectOnly([](CatalogFile& f) { f.basic_items.push_back(f.basic_items[1]); },
             "basic_items/3/code", "already used by basic_items/1/code");
}

TEST(CatalogRules, ImplementationItemReferences) {
  ExpectOnly([](CatalogFile& f) { Item(f, 0).basic_item = "999999999999"; },
             "implementation_items/0/basic_item",
             "basic item '999999999999' is not in the catalog");
  ExpectOnly([](CatalogFile& f) { Item(f, 1).department = "431128-gaj"; },
             "implementation_items/1/department", "not in the catalog");
  ExpectOnly([](CatalogFile& f) { Item(f, 1).windows[1] = "431128-zw-99"; },
             "implementation_items/1/windows/1", "window '431128-zw-99' is not in the catalog");
  ExpectOnly([](CatalogFile& f) { Item(f, 1).windows[1] = "431128-zw-08"; },
             "implementation_items/1/windows/1", "listed twice");
  ExpectOnly([](CatalogFile& f) { Item(f, 2).code = Item(f, 0).code; },
             "implementation_items/2/code", "already used by implementation_items/0/code");
}

TEST(CatalogRules, Limits) {
  ExpectOnly([](CatalogFile& f) { Item(f, 0).legal_limit.reset(); },
             "implementation_items/0/legal_limit", "required");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).promised_limit.reset(); },
             "implementation_items/0/promised_limit", "required");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).promised_limit->value = 21; },
             "implementation_items/0/promised_limit/value",
             "the promised limit 21 exceeds the legal limit 20 working_days");
  ExpectOnly([](CatalogFile& f) { Item(f, 2).legal_limit->value = -1; },
             "implementation_items/2/legal_limit/value", "between 0 and");
  // Equal is allowed; different units are not compared; an instant matter needs no promise.
  CatalogFile f = Small();
  Item(f, 0).promised_limit->value = 20;
  Item(f, 1).promised_limit = TimeLimit{30, LimitUnit::kNaturalDays};
  Item(f, 2).promised_limit.reset();
  EXPECT_EQ(Describe(Check(f)), "");
}

TEST(CatalogRules, FeesVisitsDepthListsModes) {
  ExpectOnly([](CatalogFile& f) { Item(f, 1).fees[0].amount_fen = -5; },
             "implementation_items/1/fees/0/amount_fen", "non-negative");
  ExpectOnly([](CatalogFile& f) { Item(f, 1).fees[0].basis = ""; },
             "implementation_items/1/fees/0/basis", "required");
  ExpectOnly([](CatalogFile& f) { Item(f, 1).fees[0].name = ""; },
             "implementation_items/1/fees/0/name", "required");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).visits = -1; }, "implementation_items/0/visits",
             "between 0 and");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).online_depth = 5; },
             "implementation_items/0/online_depth", "1, 2, 3 or 4");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).online_depth = 0; },
             "implementation_items/0/online_depth", "1, 2, 3 or 4");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).lists.nearby.push_back(Level::kTown); },
             "implementation_items/0/lists/nearby/2", "'town' is listed twice");
  ExpectOnly(
      [](CatalogFile& f) { Item(f, 0).cross_region_modes.push_back(CrossRegionMode::kOnline); },
      "implementation_items/0/cross_region_modes/2", "'online' is listed twice");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).jurisdiction = ""; },
             "implementation_items/0/jurisdiction", "required");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).keywords[1] = " "; },
             "implementation_items/0/keywords/1", "blank");
}

TEST(CatalogRules, AutoDecisionOnlyForInstantMattersWithARuleOverItsInputs) {
  const auto set = [](size_t item, std::string rule) {
    return [item, rule](CatalogFile& f) {
      Item(f, item).scenarios[0].auto_decision = AutoDecision{.rule = rule};
    };
  };
  // Item 0 is a promised matter (承诺件): 秒批 is for instant matters only.
  ExpectOnly(set(0, "true"), "implementation_items/0/scenarios/0/auto_decision",
             "only for instant matters");
  const std::string rule = "implementation_items/2/scenarios/0/auto_decision/rule";
  ExpectOnly(set(2, ""), rule, "is required");
  ExpectOnly(set(2, "form.level <="), rule, "1:");
  ExpectOnly(set(2, "household.age > 18"), rule, "unknown name 'household'");
  // The registers' records, under the names docs/catalog-format.md lists, and no others.
  ExpectOnly(set(2, "person.age > 18 and person.disabled"), rule,
             "1:28: 'person' has no member 'disabled'");
  ExpectOnly(set(2, "entity.capital > 1"), rule, "'entity' has no member 'capital'");
  ExpectOnly(set(2, "applicant.region = \"431128\""), rule, "'applicant' has no member 'region'");
  CatalogFile f = Small();
  set(2,
      "form.level <= 2 and applicant.kind = \"person\" and count(materials) >= 0 and "
      "person.assistance = \"minimum_living\" and person.disability.level <= 2 and "
      "(entity = null or entity.size = \"small\")")(f);
  EXPECT_EQ(Describe(Check(f)), "");
  // Written and read back unchanged.
  FieldErrors errors;
  CatalogFile back = ParseCatalogYaml(EmitCatalogYaml(f), errors);
  EXPECT_TRUE(errors.empty()) << Describe(errors.fields());
  ASSERT_TRUE(back.implementation_items[2].scenarios[0].auto_decision.has_value());
  EXPECT_EQ(back.implementation_items[2].scenarios[0].auto_decision,
            f.implementation_items[2].scenarios[0].auto_decision);
  EXPECT_FALSE(back.implementation_items[1].scenarios[0].auto_decision.has_value());
}

TEST(CatalogRules, JurisdictionRulesCompileOverTheirInputs) {
  const std::string path = "implementation_items/0/jurisdiction";
  // Does not parse: the matter and the position are named.
  ExpectOnly([](CatalogFile& f) { Item(f, 0).jurisdiction = "starts with(applicant.region,"; },
             path, "matter '11431128MB1234562L000172003000001' at 1:");
  // A name that is not an input of the rule.
  ExpectOnly([](CatalogFile& f) { Item(f, 0).jurisdiction = "household_region = \"431128\""; },
             path, "unknown name 'household_region'");
  // A member `applicant` does not have, even after a valid one and across lines.
  ExpectOnly(
      [](CatalogFile& f) {
        Item(f, 0).jurisdiction = "applicant.kind = \"person\" and\n  applicant . regoin = \"4\"";
      },
      path, "2:15: 'applicant' has no member 'regoin'");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).jurisdiction = "case.department = \"x\""; }, path,
             "'case' has no member 'department'");
  // What the rule may use passes: every input, members of the fixed contexts, text that only
  // looks like a member inside a string or a comment, a form field and a person's record.
  for (const char* rule :
       {"true", "starts with(applicant.region, \"431128\")",
        "applicant.household_region = case.region or applicant.kind = \"enterprise\"",
        "starts with(form.property_region, \"431128\") // applicant.nothing",
        "person.household_region = \"applicant.nothing\" or entity = null",
        "case.form.property_region != null and applicant.age >= 18"}) {
    CatalogFile f = Small();
    Item(f, 0).jurisdiction = rule;
    EXPECT_EQ(Describe(Check(f)), "") << rule;
  }
  EXPECT_TRUE(CheckJurisdiction("applicant.region = \"4\"").empty());
  EXPECT_EQ(CheckJurisdiction("applicant.regoin = \"4\"").size(), 1u);
}

TEST(CatalogRules, Scenarios) {
  ExpectOnly([](CatalogFile& f) { Item(f, 2).scenarios.clear(); },
             "implementation_items/2/scenarios", "at least one scenario");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).scenarios[1].code = "new"; },
             "implementation_items/0/scenarios/1/code", "already used");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).scenarios[0].process = ""; },
             "implementation_items/0/scenarios/0/process", "required");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).scenarios[0].form[0].name = "venue name"; },
             "implementation_items/0/scenarios/0/form/0/name", "identifier");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).scenarios[0].form[1].name = "venue_name"; },
             "implementation_items/0/scenarios/0/form/1/name", "already used");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).scenarios[0].form[2].options.clear(); },
             "implementation_items/0/scenarios/0/form/2/options", "needs options");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).scenarios[0].form[0].options = {"a"}; },
             "implementation_items/0/scenarios/0/form/0/options", "only enum fields");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).scenarios[0].form[2].options[2] = "宾馆"; },
             "implementation_items/0/scenarios/0/form/2/options/2", "listed twice");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).scenarios[0].form[1].label = ""; },
             "implementation_items/0/scenarios/0/form/1/label", "required");
}

TEST(CatalogRules, ReviewDepartmentsAndTheVerificationPeriod) {
  // 并联审批: each listed department is a catalog department, listed once.
  ExpectOnly(
      [](CatalogFile& f) {
        Item(f, 0).scenarios[0].review_departments = {"431128-wjj", "431128-zrzyj"};
      },
      "implementation_items/0/scenarios/0/review_departments/1",
      "department '431128-zrzyj' is not in the catalog");
  ExpectOnly(
      [](CatalogFile& f) {
        Item(f, 0).scenarios[0].review_departments = {"431128-wjj", "431128-wjj"};
      },
      "implementation_items/0/scenarios/0/review_departments/1", "listed twice");
  // 告知承诺 核查: at least a day, at most ten years.
  ExpectOnly([](CatalogFile& f) { Item(f, 0).verification_within_days = 0; },
             "implementation_items/0/verification_within_days", "between 1 and 3650");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).verification_within_days = 3651; },
             "implementation_items/0/verification_within_days", "between 1 and 3650");
  CatalogFile f = Small();
  EXPECT_EQ(Item(f, 0).VerificationDays(), 60);  // the default when the matter sets none
  Item(f, 0).scenarios[0].review_departments = {"431128-jtj", "431128-wjj"};
  Item(f, 0).verification_within_days = 30;
  EXPECT_EQ(Item(f, 0).VerificationDays(), 30);
  EXPECT_EQ(Describe(Check(f)), "");
  // A department already in the database counts as in the catalog.
  Item(f, 0).scenarios[0].review_departments = {"431128-gaj"};
  KnownCodes known;
  known.departments.insert("431128-gaj");
  EXPECT_EQ(Describe(Check(f, known)), "");
}

TEST(CatalogRules, PrefillAndValidationAreFeelThatCompiles) {
  CatalogFile good = Small();
  auto& field = Item(good, 0).scenarios[0].form[0];
  field.prefill = "if entity != null then entity.name else licence(\"营业执照\").name";
  field.validation = "not(null), \"x\"";
  field.validation_message = "须填写";
  EXPECT_EQ(Describe(Check(good)), "");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).scenarios[0].form[0].prefill = "person.("; },
             "implementation_items/0/scenarios/0/form/0/prefill", "1:");
  ExpectOnly(
      [](CatalogFile& f) {
        Item(f, 0).scenarios[0].form[1].validation = "[1..";
        Item(f, 0).scenarios[0].form[1].validation_message = "m";
      },
      "implementation_items/0/scenarios/0/form/1/validation", "1:");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).scenarios[0].form[1].validation = "> 0"; },
             "implementation_items/0/scenarios/0/form/1/validation_message", "required");
  ExpectOnly([](CatalogFile& f) { Item(f, 0).scenarios[0].form[1].validation_message = "m"; },
             "implementation_items/0/scenarios/0/form/1/validation_message",
             "only for a field with a validation");
}

TEST(CatalogRules, ReuseAndRequestDaysAreBounded) {
  const std::string path = "implementation_items/0/scenarios/0/materials/";
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 0).reuse_days = -1; }, path + "0/reuse_days",
             "between 0 and 3650");
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 2).reuse_days = 3651; },
             path + "2/reuse_days", "between 0 and 3650");
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 2).request_days = 0; },
             path + "2/request_days", "between 1 and 60");
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 1).request_days = 3; },
             path + "1/request_days", "only for materials requested");
  CatalogFile f = Small();
  EXPECT_EQ(MaterialOf(f, 0, 0, 2).reuse_days, 180);
  EXPECT_EQ(MaterialOf(f, 0, 0, 2).request_days, 5);
  EXPECT_EQ(MaterialOf(f, 0, 0, 1).reuse_days, std::nullopt);
  MaterialOf(f, 0, 0, 0).reuse_days = 0;  // never reused
  EXPECT_EQ(Describe(Check(f)), "");
}

TEST(CatalogRules, Materials) {
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 1).condition = ""; },
             "implementation_items/0/scenarios/0/materials/1/condition", "required");
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 0).condition = "x > 1"; },
             "implementation_items/0/scenarios/0/materials/0/condition", "only for materials");
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 0).licence_type = ""; },
             "implementation_items/0/scenarios/0/materials/0/licence_type", "required");
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 1).licence_type = "营业执照"; },
             "implementation_items/0/scenarios/0/materials/1/licence_type",
             "only for materials fetched as a licence");
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 2).certificate = ""; },
             "implementation_items/0/scenarios/0/materials/2/certificate", "names the certificate");
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 1).name = "营业执照"; },
             "implementation_items/0/scenarios/0/materials/1/name", "already used");
}

TEST(CatalogRules, NoCertificateOffTheList) {
  // 清单外无证明: a certificate not on the list, or cancelled, is refused.
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 2).certificate = "ZM-431128-777"; },
             "implementation_items/0/scenarios/0/materials/2/certificate",
             "certificate 'ZM-431128-777' is not on the certificate list (清单外无证明)");
  ExpectOnly([](CatalogFile& f) { MaterialOf(f, 0, 0, 2).certificate = "ZM-431128-090"; },
             "implementation_items/0/scenarios/0/materials/2/certificate", "has been cancelled");
  // Any source is checked, not only certificate requests (a commitment replaces a certificate
  // that must itself be on the list).
  ExpectOnly(
      [](CatalogFile& f) {
        MaterialOf(f, 0, 0, 1).certificate = "ZM-431128-090";
        MaterialOf(f, 0, 0, 1).source = MaterialSource::kCommitment;
      },
      "implementation_items/0/scenarios/0/materials/1/certificate", "has been cancelled");

  // A stored certificate counts; a file that cancels a stored one cannot still require it.
  CatalogFile f = Small();
  f.certificates.erase(f.certificates.begin());  // ZM-431128-001, required by item 1
  KnownCodes known;
  known.certificates["ZM-431128-001"] = CertificateStatus::kRetained;
  EXPECT_EQ(Describe(Check(f, known)), "");
  known.certificates["ZM-431128-001"] = CertificateStatus::kCancelled;
  EXPECT_THAT(Paths(Check(f, known)),
              UnorderedElementsAre("implementation_items/1/scenarios/0/materials/0/certificate"));
  f = Small();
  f.certificates[1].status = CertificateStatus::kCancelled;
  f.certificates[1].cancelled_basis = "某决定";
  known.certificates["ZM-431128-002"] = CertificateStatus::kRetained;
  EXPECT_THAT(Paths(Check(f, known)),
              UnorderedElementsAre("implementation_items/0/scenarios/0/materials/2/certificate"));
}

TEST(CatalogRules, Bundles) {
  ExpectOnly([](CatalogFile& f) { f.bundles[0].matters[1] = "nope"; }, "bundles/0/matters/1",
             "matter 'nope' is not in the catalog");
  ExpectOnly([](CatalogFile& f) { f.bundles[0].matters[1] = f.bundles[0].matters[0]; },
             "bundles/0/matters/1", "listed twice");
  ExpectOnly([](CatalogFile& f) { f.bundles[0].matters.clear(); }, "bundles/0/matters",
             "needs its matters");
  ExpectOnly([](CatalogFile& f) { f.bundles[0].process = ""; }, "bundles/0/process", "required");
  CatalogFile f = Small();
  f.implementation_items.pop_back();
  f.bundles[0].matters.push_back("11431128MB1234562L000110013000002");
  KnownCodes known;
  known.implementation_items.insert("11431128MB1234562L000110013000002");
  EXPECT_EQ(Describe(Check(f, known)), "");
}

TEST(CatalogRules, EveryErrorOfAFileIsListedOnce) {
  std::string text = TestFile("small.yaml");
  auto replace = [&](const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("uscc: \"11431128MB1234570F\"", "uscc: \"123\"");              // rule
  replace("kind: 专窗", "kind: 窗口");                                   // shape: enum
  replace("status: 取消", "status: 取消\n    extra: 1");                 // shape: unknown key
  replace("basic_item: \"000120031000\"", "basic_item: \"000\"");        // rule: reference
  replace("promised_limit: {value: 5,", "promised_limit: {value: 50,");  // rule: limits
  replace("certificate: \"ZM-431128-001\"", "certificate: \"ZM-X\"");    // rule: 清单外无证明
  replace("online_depth: 2", "online_depth: deep");                      // shape: integer
  replace("process: bundle_parallel", "process: ");                      // shape: required
  auto r = ReadCatalog(text, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.error().message(), HasSubstr("8 errors; nothing was imported"));
  EXPECT_THAT(Paths(r.error().fields()),
              UnorderedElementsAre("departments/1/uscc", "windows/1/kind", "certificates/2/extra",
                                   "implementation_items/1/basic_item",
                                   "implementation_items/1/promised_limit/value",
                                   "implementation_items/1/scenarios/0/materials/0/certificate",
                                   "implementation_items/2/online_depth", "bundles/0/process"))
      << r.error().ToString();
}

TEST(CatalogRules, ReadCatalogAcceptsTheFixture) {
  auto r = ReadCatalog(TestFile("small.yaml"), {});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->implementation_items.size(), 3u);
}

TEST(RegionSubtreePrefix, TrimsToTheLevel) {
  EXPECT_EQ(RegionSubtreePrefix("430000"), "43");
  EXPECT_EQ(RegionSubtreePrefix("431100"), "4311");
  EXPECT_EQ(RegionSubtreePrefix("431128"), "431128");
  EXPECT_EQ(RegionSubtreePrefix("431128101"), "431128101");
  EXPECT_EQ(RegionSubtreePrefix("431128101000"), "431128101");
  EXPECT_EQ(RegionSubtreePrefix("431128000000"), "431128");
  EXPECT_EQ(RegionSubtreePrefix("431128001001"), "431128001001");
  EXPECT_EQ(RegionSubtreePrefix("4311"), std::nullopt);
  EXPECT_EQ(RegionSubtreePrefix("43112a"), std::nullopt);
}

}  // namespace
}  // namespace tongban::catalog
