// Benefits (issue 8): policies checked at publication and versioned, the grant roll and payment
// roll, matching runs with explanations stored atomically, notices once per run and person,
// consent and opt-out grants, and the funnel; the storage cases on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/uscc.h"
#include "benefits/benefits.h"
#include "benefits/demo_funnel.h"
#include "benefits/match_scheduler.h"
#include "benefits/policy.h"
#include "licences/service.h"
#include "people/sms.h"
#include "regions/region_import.h"
#include "registers/register.h"
#include "registers/testing.h"
#include "store/testing.h"
#include "trace/trace.h"

namespace tongban::benefits {
namespace {

using registers::testing::MakeIdNumber;
using registers::testing::Staff;

constexpr const char* kVillageA = "431128001001";
constexpr const char* kVillageB = "431128002001";

std::string PolicyYaml(std::string_view eligibility, int version = 1,
                       std::string_view valid_from = "2026-01-01",
                       std::string_view mode = "consent_required",
                       std::string_view amount = "if disability_level <= 2 then 10000 else 8000") {
  return fmt::format(R"(name: living
version: {}
title: 困难残疾人生活补贴
matter: "11431128MB17048517050103021000001"
legal_basis: 国发〔2015〕52号
eligibility: '{}'
amount: '{}'
cycle: monthly
region: "431128"
valid_from: {}
mode: {}
opt_out_days: 15
channels: [sms, visit]
)",
                     version, eligibility, amount, valid_from, mode);
}

constexpr std::string_view kLivingRule =
    R"(status = "alive" and disability_certificate and assistance = "minimum_living")";

TEST(Policy, TheShippedPoliciesParseAndPassTheChecks) {
  auto policies = BuiltinPolicies();
  ASSERT_TRUE(policies.ok()) << policies.error().ToString();
  ASSERT_EQ(policies->size(), 3u);
  for (const auto& p : *policies) {
    EXPECT_TRUE(CheckPolicy(p).ok()) << p.name << ": " << CheckPolicy(p).error().ToString();
    EXPECT_EQ(p.region, "431128");
  }
  EXPECT_EQ((*policies)[1].mode, GrantMode::kDirectWithOptOut);
  EXPECT_EQ((*policies)[2].subject, Subject::kEntity);
  EXPECT_EQ((*policies)[0].case_materials.size(), 2u);
}

TEST(Policy, NamesEveryMissingOrMalformedKey) {
  auto p = ParsePolicy("name: Bad Name\nversion: 0\ncycle: weekly\nmode: maybe\nregion: 12\n");
  ASSERT_FALSE(p.ok());
  std::vector<std::string> fields;
  for (const auto& f : p.error().fields()) fields.push_back(f.field);
  for (const char* f : {"name", "version", "title", "legal_basis", "eligibility", "region",
                        "valid_from", "matter", "amount", "cycle", "mode"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
  }
}

TEST(Policy, RefusesRulesThatReferToUnknownFieldsOrCannotBeEvaluated) {
  auto unknown = ParsePolicy(PolicyYaml("monthly_income < 500"));
  ASSERT_TRUE(unknown.ok()) << unknown.error().ToString();
  Status s = CheckPolicy(*unknown);
  ASSERT_FALSE(s.ok());
  ASSERT_FALSE(s.error().fields().empty());
  EXPECT_EQ(s.error().fields()[0].field, "eligibility");
  EXPECT_NE(s.error().fields()[0].message.find("monthly_income"), std::string::npos)
      << s.error().ToString();

  auto not_boolean = ParsePolicy(PolicyYaml("age + 1"));
  ASSERT_TRUE(not_boolean.ok());
  Status nb = CheckPolicy(*not_boolean);
  ASSERT_FALSE(nb.ok());
  EXPECT_EQ(nb.error().fields()[0].field, "eligibility");

  auto bad_amount = ParsePolicy(
      PolicyYaml(kLivingRule, 1, "2026-01-01", "consent_required", "disability_level * 10.5"));
  ASSERT_TRUE(bad_amount.ok());
  Status ba = CheckPolicy(*bad_amount);
  ASSERT_FALSE(ba.ok());
  EXPECT_EQ(ba.error().fields()[0].field, "amount");

  auto good = ParsePolicy(PolicyYaml(kLivingRule));
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(CheckPolicy(*good).ok());
}

TEST(Policy, FormatsFenAsYuan) {
  EXPECT_EQ(FenToYuan(123456), "1234.56");
  EXPECT_EQ(FenToYuan(5), "0.05");
  EXPECT_EQ(FenToYuan(-250), "-2.50");
}

// A notice-only policy over the entity register (政策直通车).
constexpr std::string_view kManufacturingRelief = R"(name: manufacturing_relief
version: 1
kind: notice
subject: entity
title: 小微制造业企业减负政策直通车
legal_basis: 湘政办发〔2026〕1号
eligibility: 'starts with(industry, "C") and size in ["micro", "small"] and status = "active"'
region: "431128"
valid_from: 2026-01-01
channels: [portal]
)";

std::string MakeUscc(int sequence) {
  const std::string org8 = fmt::format("MA4L{:04d}", sequence);
  const std::string first17 =
      fmt::format("91431128{}{}", org8, OrganizationCodeCheckCharacter(org8));
  return first17 + UsccCheckCharacter(first17);
}

class BenefitsContract : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    ASSERT_TRUE(db_);
    auto regions = regions::Migrations();
    auto reg_m = registers::Migrations();
    auto mine = Migrations();
    ASSERT_TRUE(regions.ok() && reg_m.ok() && mine.ok());
    const store::MigrationSet* sets[] = {&trace::TraceMigrations(), &*regions, &*reg_m,
                                         &licences::LicencesMigrations(), &*mine};
    auto applied = db_->Migrate(sets);
    ASSERT_TRUE(applied.ok()) << applied.error().ToString();
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    auto reg = registers::Registers::Create(
        *db_, *registers::FieldCipher::Create(registers::testing::FixedKeys()), *trace_, clock_);
    ASSERT_TRUE(reg.ok()) << reg.error().ToString();
    registers_ = std::move(reg).value();
    auto b = Benefits::Create(*db_, *registers_, clock_, &sms_);
    ASSERT_TRUE(b.ok()) << b.error().ToString();
    benefits_ = std::move(b).value();
  }

  // A person of the register; level 0: no disability certificate.
  std::string AddPerson(int sequence, const char* village, registers::Assistance assistance,
                        int level, bool care = false, bool phone = true) {
    registers::Person p;
    p.id_number = MakeIdNumber("431128", "19700101", sequence);
    p.name = fmt::format("人{}", sequence);
    p.sex = sequence % 2 == 1 ? Sex::kMale : Sex::kFemale;
    p.birth_date = *Date::Parse("1970-01-01");
    p.household_region = village;
    p.address = "新田县";
    if (phone) p.phone = fmt::format("1381234{:04d}", sequence);
    p.income_band = registers::IncomeBand::kLow;
    p.assistance = assistance;
    if (level > 0) {
      p.disability = registers::Disability{.certificate = p.id_number + fmt::format("4{}", level),
                                           .category = registers::DisabilityCategory::kPhysical,
                                           .level = level};
    }
    p.long_term_care = care;
    auto created = registers_->CreatePerson(clerk_, p);
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    return created.ok() ? created->id : "";
  }

  // An enterprise of the entity register, by a county-wide clerk.
  std::string AddEntity(int sequence, registers::EntitySize size, const char* region,
                        const char* industry = "C1711") {
    registers::Entity e{.uscc = MakeUscc(sequence),
                        .name = fmt::format("企业{}", sequence),
                        .legal_representative = "张三",
                        .industry = industry,
                        .size = size,
                        .registered_region = region};
    auto created =
        registers_->CreateEntity(Staff("clerk", "430000", {"register.read", "register.write"}), e);
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    return e.uscc;
  }

  // Six persons: four eligible for the living subsidy (two in each village), of whom one is on
  // the roll; one on the roll without 低保 (no longer eligible); one neither.
  // The SMS of `runs` per second since `t0_ms`, by the time each is (or was) due.
  std::map<int64_t, int> SmsPerSecond(std::initializer_list<std::string> runs, int64_t t0_ms) {
    std::map<int64_t, int> per_second;
    for (const auto& r : runs) {
      auto notices = benefits_->Notices(r);
      EXPECT_TRUE(notices.ok());
      if (!notices.ok()) continue;
      for (const auto& n : *notices) {
        if (n.channel == "sms") ++per_second[(n.send_at_ms - t0_ms) / 1000];
      }
    }
    return per_second;
  }
  // Populate() and four more with a phone (six by SMS, one on the visit list); the living
  // subsidy at 2 SMS a second. Returns the clock's time in ms.
  int64_t PopulateForRates() {
    Populate();
    for (int i = 0; i < 4; ++i) {
      AddPerson(201 + 2 * i, kVillageB, registers::Assistance::kMinimumLiving, 3);
    }
    EXPECT_TRUE(
        benefits_->Publish(officer_, PolicyYaml(kLivingRule, 2) + "send_rate: {sms: 2/s}\n").ok());
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
        .count();
  }

  void Populate() {
    using registers::Assistance;
    eligible_a1_ = AddPerson(101, kVillageA, Assistance::kMinimumLiving, 1, true);
    eligible_a2_ = AddPerson(103, kVillageA, Assistance::kMinimumLiving, 3, false, false);
    eligible_b_ = AddPerson(105, kVillageB, Assistance::kMinimumLiving, 4);
    receiving_ = AddPerson(107, kVillageB, Assistance::kMinimumLiving, 2, true);
    no_longer_ = AddPerson(109, kVillageA, Assistance::kNone, 2, true);
    AddPerson(111, kVillageB, Assistance::kMinimumLiving, 0);
    ASSERT_TRUE(benefits_->Publish(officer_, PolicyYaml(kLivingRule)).ok());
    auto imported = benefits_->ImportGrants(
        officer_, "living",
        fmt::format("person_id,amount_fen,start_date\n{},10000,2026-01-01\n{},10000,2026-01-01\n",
                    receiving_, no_longer_));
    ASSERT_TRUE(imported.ok()) << imported.error().ToString();
    ASSERT_EQ(imported->imported, 2);
  }

  int64_t Count(const std::string& table) {
    long long n = -1;
    auto r = db_->Transaction<long long>(store::TxKind::kRead, [&](soci::session& sql) {
      sql << "SELECT COUNT(*) FROM " + table, soci::into(n);
      return Result<long long>(n);
    });
    return r.ok() ? *r : -1;
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26"))};
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<registers::Registers> registers_;
  std::unique_ptr<Benefits> benefits_;
  people::Principal clerk_ = Staff("clerk", "431128", {"register.read", "register.write"});
  people::Principal officer_ = Staff("officer", "431128",
                                     {"policy.write", "policy.match", "policy.grant", "policy.push",
                                      "register.read", "register.read_full"});
  people::Principal outsider_ = Staff("outsider", "430181", {"policy.write", "policy.match"});
  std::string eligible_a1_, eligible_a2_, eligible_b_, receiving_, no_longer_;
};

TEST_P(BenefitsContract, PublishesVersionsAndRunsTheOneInForceOnTheReferenceDate) {
  if (!benefits_) return;
  auto v1 = benefits_->Publish(officer_, PolicyYaml(kLivingRule));
  ASSERT_TRUE(v1.ok()) << v1.error().ToString();
  EXPECT_EQ(benefits_->Publish(officer_, PolicyYaml(kLivingRule)).error().code(),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(benefits_->Publish(outsider_, PolicyYaml(kLivingRule, 2)).error().code(),
            ErrorCode::kForbidden);
  auto refused = benefits_->Publish(officer_, PolicyYaml("income < 3", 2));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().fields()[0].field, "eligibility");
  auto v2 = benefits_->Publish(
      officer_, PolicyYaml(std::string(kLivingRule) + " and age >= 60", 2, "2027-01-01"));
  ASSERT_TRUE(v2.ok()) << v2.error().ToString();

  EXPECT_EQ(benefits_->PolicyInForce("living", *Date::Parse("2026-12-31"))->version, 1);
  EXPECT_EQ(benefits_->PolicyInForce("living", *Date::Parse("2027-01-01"))->version, 2);
  EXPECT_EQ(benefits_->PolicyInForce("living", *Date::Parse("2025-12-31")).error().code(),
            ErrorCode::kNotFound);
  auto list = benefits_->ListPolicies();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].version, 2);
  EXPECT_EQ(benefits_->GetPolicy("living", 1)->eligibility, kLivingRule);

  AddPerson(101, kVillageA, registers::Assistance::kMinimumLiving, 1);  // aged 56
  auto now = benefits_->Match(officer_, "living", {.reference = *Date::Parse("2026-11-26")});
  ASSERT_TRUE(now.ok()) << now.error().ToString();
  EXPECT_EQ(now->version, 1);
  EXPECT_EQ(now->total.eligible, 1);
  auto later = benefits_->Match(officer_, "living", {.reference = *Date::Parse("2027-02-01")});
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->version, 2);
  EXPECT_EQ(later->total.eligible, 0);
}

TEST_P(BenefitsContract, ImportsTheGrantRollReportingBadLinesAndExportsThePaymentRoll) {
  if (!benefits_) return;
  const std::string a = AddPerson(101, kVillageA, registers::Assistance::kMinimumLiving, 1);
  const std::string b = AddPerson(103, kVillageB, registers::Assistance::kMinimumLiving, 3);
  ASSERT_TRUE(benefits_->Publish(officer_, PolicyYaml(kLivingRule)).ok());
  const std::string csv = fmt::format(
      "person_id,amount_fen,start_date,end_date\n"
      "{},10000,2026-01-01,\n"           // line 2
      "nobody,10000,2026-01-01,\n"       // line 3: unknown person
      "{},ten,2026-01-01,\n"             // line 4: bad amount
      "{},8000,2026-10-01,2026-10-31\n"  // line 5: ends before November
      "{},8000,2026-11-01,2026-10-01\n"  // line 6: ends before it starts
      "{},8000,2026-11-01,\n"            // line 7
      "{},10000,2026-01-01,\n",          // line 8: already on the roll
      a, a, b, b, b, a);
  auto r = benefits_->ImportGrants(officer_, "living", csv);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->imported, 3);
  ASSERT_EQ(r->rejected.size(), 4u);
  EXPECT_EQ(r->rejected[0].line, 3);
  EXPECT_EQ(r->rejected[0].field, "person_id");
  EXPECT_EQ(r->rejected[1].line, 4);
  EXPECT_EQ(r->rejected[1].field, "amount_fen");
  EXPECT_EQ(r->rejected[2].line, 6);
  EXPECT_EQ(r->rejected[2].field, "end_date");
  EXPECT_EQ(r->rejected[3].line, 8);
  EXPECT_EQ(benefits_->ImportGrants(officer_, "living", "person_id,start_date\n")
                .error()
                .fields()[0]
                .field,
            "amount_fen");

  auto by_id_number = benefits_->ImportGrants(
      officer_, "living",
      fmt::format("id_number,amount_fen,start_date\n{},9000,2026-12-01\n{},9000,2026-12-01\n",
                  MakeIdNumber("431128", "19700101", 101),
                  MakeIdNumber("431128", "19700101", 199)));
  ASSERT_TRUE(by_id_number.ok()) << by_id_number.error().ToString();
  EXPECT_EQ(by_id_number->imported, 1);
  ASSERT_EQ(by_id_number->rejected.size(), 1u);
  EXPECT_EQ(by_id_number->rejected[0].line, 3);
  EXPECT_EQ(by_id_number->rejected[0].field, "id_number");
  auto december = benefits_->PaymentRoll("living", "2026-12");
  ASSERT_TRUE(december.ok());
  int64_t a_in_december = 0;
  for (const auto& l : *december) {
    if (l.person_id == a) a_in_december = l.amount_fen;
  }
  EXPECT_EQ(a_in_december, 9000);  // the later of a's two grants

  auto november = benefits_->PaymentRoll("living", "2026-11");
  ASSERT_TRUE(november.ok()) << november.error().ToString();
  ASSERT_EQ(november->size(), 2u);
  std::ostringstream out;
  WritePaymentRollCsv(*november, out);
  const std::string expected =
      fmt::format("person_id,region,amount_fen,amount_yuan\n{},{},10000,100.00\n{},{},8000,80.00\n",
                  a, kVillageA, b, kVillageB);
  const std::string expected_swapped =
      fmt::format("person_id,region,amount_fen,amount_yuan\n{},{},8000,80.00\n{},{},10000,100.00\n",
                  b, kVillageB, a, kVillageA);
  EXPECT_EQ(out.str(), a < b ? expected : expected_swapped);
  auto october = benefits_->PaymentRoll("living", "2026-10");
  ASSERT_TRUE(october.ok());
  EXPECT_EQ(october->size(), 2u);  // a, and b's October grant
  EXPECT_EQ(benefits_->PaymentRoll("living", "2026").error().fields()[0].field, "period");

  const std::string path =
      ::testing::TempDir() + "/roll_" + std::string(store::BackendName(GetParam())) + ".xlsx";
  ASSERT_TRUE(WritePaymentRollXlsx(*november, "困难残疾人生活补贴 2026-11", path).ok());
  std::ifstream xlsx(path, std::ios::binary);
  char magic[2] = {};
  xlsx.read(magic, 2);
  EXPECT_EQ(std::string(magic, 2), "PK");  // a zip container
  EXPECT_GT(std::filesystem::file_size(path), 1000u);
  std::filesystem::remove(path);
}

TEST_P(BenefitsContract, MatchesFindsWhoIsMissingAndWhoNoLongerQualifiesWithReasons) {
  if (!benefits_) return;
  Populate();
  std::vector<std::string> stages;
  auto run =
      benefits_->Match(officer_, "living",
                       {.progress = [&](const MatchProgress& p) { stages.emplace_back(p.stage); }});
  ASSERT_TRUE(run.ok()) << run.error().ToString();
  EXPECT_FALSE(run->id.empty());
  EXPECT_EQ(run->version, 1);
  EXPECT_EQ(run->reference, *Date::Parse("2026-11-26"));
  EXPECT_FALSE(run->as_of.empty());
  EXPECT_EQ(run->total.screened, 6);
  EXPECT_EQ(run->total.eligible, 4);
  EXPECT_EQ(run->total.eligible_not_receiving, 3);
  EXPECT_EQ(run->total.no_longer_eligible, 1);
  ASSERT_EQ(run->regions.size(), 2u);
  EXPECT_EQ(run->regions[0].region, "431128001");
  EXPECT_EQ(run->regions[0].screened, 3);
  EXPECT_EQ(run->regions[0].eligible_not_receiving, 2);
  EXPECT_EQ(run->regions[0].no_longer_eligible, 1);
  EXPECT_EQ(run->regions[1].region, "431128002");
  EXPECT_EQ(run->regions[1].eligible_not_receiving, 1);
  EXPECT_EQ(stages.back(), "done");

  auto listed = benefits_->RunResults(run->id, "eligible_not_receiving", "", 100);
  ASSERT_TRUE(listed.ok()) << listed.error().ToString();
  std::vector<std::string> ids;
  for (const auto& r : *listed) ids.push_back(r.person_id);
  std::vector<std::string> want{eligible_a1_, eligible_a2_, eligible_b_};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids, want);
  for (const auto& r : *listed) {
    EXPECT_EQ(r.amount_fen, r.person_id == eligible_a1_ ? 10000 : 8000);
    EXPECT_NE(r.explanation.find("minimum_living"), std::string::npos) << r.explanation;
  }
  auto review = benefits_->RunResults(run->id, "no_longer_eligible", "", 100);
  ASSERT_TRUE(review.ok());
  ASSERT_EQ(review->size(), 1u);
  EXPECT_EQ((*review)[0].person_id, no_longer_);
  EXPECT_NE((*review)[0].explanation.find("\"none\""), std::string::npos)
      << (*review)[0].explanation;
  // Never cut: the grant stays on the roll.
  EXPECT_EQ(benefits_->PaymentRoll("living", "2026-11")->size(), 2u);

  auto stored = benefits_->GetRun(run->id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->total.eligible_not_receiving, 3);
  EXPECT_EQ(stored->as_of, run->as_of);
  EXPECT_EQ(stored->regions.size(), 2u);

  auto town = benefits_->Match(officer_, "living", {.region = "431128002", .dry_run = true});
  ASSERT_TRUE(town.ok()) << town.error().ToString();
  EXPECT_TRUE(town->id.empty());
  EXPECT_EQ(town->total.screened, 3);
  EXPECT_EQ(town->total.eligible_not_receiving, 1);
  EXPECT_EQ(Count("match_run"), 1);  // the dry run stored nothing

  EXPECT_EQ(benefits_->Match(officer_, "living", {.region = "430181"}).error().fields()[0].field,
            "region");
  EXPECT_EQ(benefits_->Match(outsider_, "living", {.region = "431128"}).error().code(),
            ErrorCode::kForbidden);

  auto why = benefits_->Explain(clerk_, "living", no_longer_, *Date::Parse("2026-11-26"));
  ASSERT_TRUE(why.ok()) << why.error().ToString();
  EXPECT_FALSE(why->first);
  EXPECT_NE(why->second.find("assistance"), std::string::npos);
  EXPECT_TRUE(benefits_->Explain(clerk_, "living", eligible_b_, *Date::Parse("2026-11-26"))->first);
}

TEST_P(BenefitsContract, AnInterruptedRunLeavesNothingAndIsRedone) {
  if (!benefits_) return;
  Populate();
  auto broken = benefits_->Match(officer_, "living", {.fail_after_results = 2});
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(Count("match_run"), 0);
  EXPECT_EQ(Count("match_result"), 0);
  EXPECT_EQ(Count("match_region"), 0);
  auto again = benefits_->Match(officer_, "living", {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Count("match_result"), 4);
}

TEST_P(BenefitsContract, NotifiesOncePerRunAndPersonTakesConsentAndReportsTheFunnel) {
  if (!benefits_) return;
  Populate();
  auto run = benefits_->Match(officer_, "living", {});
  ASSERT_TRUE(run.ok());
  auto first = benefits_->Notify(officer_, run->id, {.limit = 2});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->sent, 2);
  EXPECT_EQ(first->remaining, 1);
  auto rest = benefits_->Notify(officer_, run->id, {.limit = 100});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->sent, 1);
  EXPECT_EQ(rest->remaining, 0);
  EXPECT_EQ(benefits_->Notify(officer_, run->id, {})->sent, 0);  // never twice
  auto notices = benefits_->Notices(run->id);
  ASSERT_TRUE(notices.ok());
  ASSERT_EQ(notices->size(), 3u);
  for (const auto& n : *notices) {
    if (n.person_id == eligible_a2_) {  // no phone: on the village staff's visit list
      EXPECT_EQ(n.channel, "visit");
      EXPECT_EQ(n.status, "assigned");
      EXPECT_EQ(n.assigned_region, kVillageA);
      EXPECT_EQ(n.due_date, "2026-12-06");
    } else {
      EXPECT_EQ(n.channel, "sms");
      EXPECT_EQ(n.status, "sent");
    }
  }
  EXPECT_EQ(sms_.size(), 2u);
  EXPECT_NE(sms_.Outbox("13812340101", 1).at(0).text.find("困难残疾人生活补贴"), std::string::npos);

  // Staff record consent after the visit: the evidence is required.
  EXPECT_EQ(benefits_->RecordConsent(officer_, run->id, eligible_a2_, {.by_staff = true})
                .error()
                .fields()[0]
                .field,
            "evidence");
  // Four characters, not four bytes: two Chinese characters (six bytes) are not evidence.
  auto two_characters = benefits_->RecordConsent(officer_, run->id, eligible_a2_,
                                                 {.by_staff = true, .evidence = "同意"});
  ASSERT_FALSE(two_characters.ok());
  EXPECT_EQ(two_characters.error().fields()[0].field, "evidence");
  ASSERT_TRUE(benefits_
                  ->RecordConsent(officer_, run->id, eligible_a2_,
                                  {.by_staff = true, .evidence = "入户走访，本人签字确认"})
                  .ok());
  EXPECT_EQ(benefits_
                ->RecordConsent(officer_, run->id, eligible_a2_,
                                {.by_staff = true, .evidence = "再次登记"})
                .error()
                .code(),
            ErrorCode::kConflict);
  // Online: only the person themself.
  people::Principal citizen;
  citizen.account.id = "citizen";
  citizen.account.kind = people::AccountKind::kCitizen;
  citizen.account.id_number = MakeIdNumber("431128", "19700101", 105);
  EXPECT_EQ(benefits_->RecordConsent(citizen, run->id, eligible_a1_, {}).error().code(),
            ErrorCode::kForbidden);
  ASSERT_TRUE(
      benefits_->RecordConsent(citizen, run->id, eligible_b_, {.decision = Decision::kDeclined})
          .ok());
  // The person sees their own notice with the decision; staff have none of their own.
  auto mine = benefits_->NoticesFor(citizen);
  ASSERT_TRUE(mine.ok()) << mine.error().ToString();
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].run_id, run->id);
  EXPECT_EQ((*mine)[0].person_id, eligible_b_);
  EXPECT_EQ((*mine)[0].policy, "living");
  EXPECT_EQ((*mine)[0].kind, PolicyKind::kBenefit);
  EXPECT_GT((*mine)[0].amount_fen, 0);
  EXPECT_FALSE((*mine)[0].notified_at.empty());
  EXPECT_EQ((*mine)[0].decision, "declined");
  EXPECT_TRUE(benefits_->NoticesFor(officer_)->empty());
  // The grant handler (the proactive grant case, later) receives the accepted ones.
  std::vector<GrantRequest> handed;
  benefits_->SetGrantHandler([&](const GrantRequest& r) -> Status {
    handed.push_back(r);
    Grant g{.policy = r.policy,
            .person_id = r.person_id,
            .region = r.region,
            .amount_fen = r.amount_fen,
            .start = r.start,
            .source = "consent",
            .run_id = r.run_id};
    return benefits_->AddGrant(officer_, g);
  });
  ASSERT_TRUE(benefits_
                  ->RecordConsent(officer_, run->id, eligible_a1_,
                                  {.by_staff = true, .evidence = "电话确认，录音 2026-11-26"})
                  .ok());
  ASSERT_EQ(handed.size(), 1u);
  EXPECT_EQ(handed[0].amount_fen, 10000);
  EXPECT_EQ(benefits_->RecordConsent(officer_, run->id, receiving_, {}).error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(benefits_->ConcludeOptOuts(officer_, run->id).error().code(), ErrorCode::kConflict);

  auto funnel = benefits_->FunnelOf(run->id);
  ASSERT_TRUE(funnel.ok()) << funnel.error().ToString();
  EXPECT_EQ(funnel->total.screened, 6);
  EXPECT_EQ(funnel->total.eligible, 4);
  EXPECT_EQ(funnel->total.eligible_not_receiving, 3);
  EXPECT_EQ(funnel->total.notified, 3);
  EXPECT_EQ(funnel->total.consented, 2);
  EXPECT_EQ(funnel->total.granted, 2);
  ASSERT_EQ(funnel->regions.size(), 2u);
  EXPECT_EQ(funnel->regions[0].granted, 2);
  EXPECT_EQ(funnel->regions[1].notified, 1);
  EXPECT_EQ(funnel->regions[1].granted, 0);
  EXPECT_EQ(benefits_->PaymentRoll("living", "2026-12")->size(), 4u);
}

// An app push service that has no installation for one recipient.
class PartlyFailingAppPush : public SimulatedAppPush {
 public:
  explicit PartlyFailingAppPush(std::string unreachable) : unreachable_(std::move(unreachable)) {}
  Status Send(const AppMessage& message) override {
    if (message.recipient == unreachable_) {
      return Error(ErrorCode::kNotFound, "no app installation");
    }
    return SimulatedAppPush::Send(message);
  }

 private:
  std::string unreachable_;
};

TEST(Policy, ParsesSendingRatesAndRefusesBadOnes) {
  auto per_second = ParseSendRate("20/s", "send_rate");
  ASSERT_TRUE(per_second.ok());
  EXPECT_EQ(per_second->count, 20);
  EXPECT_EQ(per_second->window_ms, 1000);
  auto per_minute = ParseSendRate("600/min", "send_rate");
  ASSERT_TRUE(per_minute.ok());
  EXPECT_EQ(per_minute->count, 600);
  EXPECT_EQ(per_minute->window_ms, 60000);
  for (const char* bad : {"0/s", "5/h", "x/s", "20", "/s", "100001/s", "-3/min"}) {
    auto r = ParseSendRate(bad, "send_rate");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().fields()[0].field, "send_rate") << bad;
  }
  auto policy = ParsePolicy(PolicyYaml(kLivingRule) + "send_rate: {sms: 10/s, app: 600/min}\n");
  ASSERT_TRUE(policy.ok()) << policy.error().ToString();
  EXPECT_EQ(policy->send_rates.at("sms").count, 10);
  EXPECT_EQ(policy->send_rates.at("app").window_ms, 60000);
  for (const char* bad :
       {"send_rate: {portal: 10/s}\n", "send_rate: {sms: fast}\n", "send_rate: [10/s]\n"}) {
    auto refused = ParsePolicy(PolicyYaml(kLivingRule) + bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().fields()[0].field, "send_rate") << bad;
  }
}

TEST_P(BenefitsContract, TheAppChannelPushesMessagesWithTheirDeliveryStatus) {
  if (!benefits_) return;
  Populate();
  PartlyFailingAppPush app(eligible_b_);
  benefits_->SetAppPush(&app);
  std::string yaml = PolicyYaml(kLivingRule, 2);
  yaml.replace(yaml.find("[sms, visit]"), 12, "[app]");
  ASSERT_TRUE(benefits_->Publish(officer_, yaml).ok());
  auto run = benefits_->Match(officer_, "living", {});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->version, 2);
  auto sent = benefits_->Notify(officer_, run->id, {});
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  EXPECT_EQ(sent->sent, 3);  // the person without a phone has the app too
  EXPECT_EQ(sent->failed, 1);
  EXPECT_EQ(sent->scheduled, 0);
  auto notices = benefits_->Notices(run->id);
  ASSERT_TRUE(notices.ok());
  ASSERT_EQ(notices->size(), 3u);
  for (const auto& n : *notices) {
    EXPECT_EQ(n.channel, "app");
    EXPECT_EQ(n.status, n.person_id == eligible_b_ ? "failed" : "sent") << n.person_id;
  }
  EXPECT_EQ(app.size(), 2u);
  auto to_a2 = app.Outbox(eligible_a2_, 10);
  ASSERT_EQ(to_a2.size(), 1u);
  EXPECT_EQ(to_a2[0].title, "困难残疾人生活补贴");
  EXPECT_NE(to_a2[0].text.find("困难残疾人生活补贴"), std::string::npos);
  EXPECT_EQ(sms_.size(), 0u);
  EXPECT_EQ(benefits_->Notify(officer_, run->id, {})->sent, 0);  // never twice
  EXPECT_EQ(benefits_->FunnelOf(run->id)->total.notified, 3);
}

TEST_P(BenefitsContract, BulkSendingObeysEachChannelsRateOnTheFakeClock) {
  if (!benefits_) return;
  const int64_t t0 = PopulateForRates();
  auto run = benefits_->Match(officer_, "living", {});
  ASSERT_TRUE(run.ok());
  auto first = benefits_->Notify(officer_, run->id, {});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->sent, 7);
  EXPECT_EQ(first->scheduled, 4);  // 2 now, 2 in the next second, 2 in the one after
  EXPECT_EQ(sms_.size(), 2u);
  auto count = [&](std::string_view run_id, std::string_view status) {
    auto notices = benefits_->Notices(run_id);
    EXPECT_TRUE(notices.ok());
    int n = 0;
    for (const auto& notice : *notices) n += notice.status == status;
    return n;
  };
  EXPECT_EQ(count(run->id, "scheduled"), 4);
  EXPECT_EQ(count(run->id, "assigned"), 1);
  EXPECT_EQ(*benefits_->SendDue(officer_), 0);
  clock_.Advance(std::chrono::milliseconds(999));
  EXPECT_EQ(*benefits_->SendDue(officer_), 0);
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(*benefits_->SendDue(officer_), 2);
  EXPECT_EQ(*benefits_->SendDue(officer_), 0);  // sent once
  EXPECT_EQ(sms_.size(), 4u);
  EXPECT_EQ(count(run->id, "sent"), 4);

  // A second run's notices queue behind the first's: the rate holds across runs and calls.
  auto second = benefits_->Match(officer_, "living", {});
  ASSERT_TRUE(second.ok());
  auto more = benefits_->Notify(officer_, second->id, {});
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->scheduled, 6);
  EXPECT_EQ(sms_.size(), 4u);
  clock_.Advance(std::chrono::seconds(4));
  EXPECT_EQ(*benefits_->SendDue(officer_), 8);
  EXPECT_EQ(sms_.size(), 12u);
  EXPECT_EQ(count(run->id, "sent"), 6);
  EXPECT_EQ(count(second->id, "sent"), 6);
  const std::map<int64_t, int> expected = {{0, 2}, {1, 2}, {2, 2}, {3, 2}, {4, 2}, {5, 2}};
  EXPECT_EQ(SmsPerSecond({run->id, second->id}, t0), expected);

  // The installation's rate applies when the policy names none: app messages 1 per second.
  benefits_->SetSendRates({{"app", {.count = 1, .window_ms = 1000}}});
  std::string yaml = PolicyYaml(kLivingRule, 3);
  yaml.replace(yaml.find("[sms, visit]"), 12, "[app]");
  ASSERT_TRUE(benefits_->Publish(officer_, yaml).ok());
  auto third = benefits_->Match(officer_, "living", {});
  ASSERT_TRUE(third.ok());
  auto pushed = benefits_->Notify(officer_, third->id, {});
  ASSERT_TRUE(pushed.ok());
  EXPECT_EQ(pushed->sent, 7);
  EXPECT_EQ(pushed->scheduled, 6);
}

// Two processes on one database (a server and a CLI `policy notify`, each its own pool,
// registers and benefits): their SMS share the channel's rate, since the slot is a row taken
// in each notice's transaction, even when both send at the same moment on two threads.
TEST_P(BenefitsContract, TwoSendersOnOneDatabaseShareTheChannelsRate) {
  if (!benefits_) return;
  const int64_t t0 = PopulateForRates();
  // The other process: its own connections, registers and benefits over the same database.
  std::unique_ptr<store::Database> other_db = temp_->Open();
  ASSERT_TRUE(other_db);
  trace::Trace other_trace(*other_db, trace::Trace::Options{});
  auto other_registers = registers::Registers::Create(
      *other_db, *registers::FieldCipher::Create(registers::testing::FixedKeys()), other_trace,
      clock_);
  ASSERT_TRUE(other_registers.ok());
  people::SimulatedSmsGateway other_sms;
  auto other = Benefits::Create(*other_db, **other_registers, clock_, &other_sms);
  ASSERT_TRUE(other.ok());

  auto first = benefits_->Match(officer_, "living", {});
  auto second = (*other)->Match(officer_, "living", {});
  ASSERT_TRUE(first.ok() && second.ok());
  Result<NotifyReport> a = Error(ErrorCode::kInternal, "not run");
  Result<NotifyReport> b = Error(ErrorCode::kInternal, "not run");
  std::thread server([&] { a = benefits_->Notify(officer_, first->id, {}); });
  std::thread cli([&] { b = (*other)->Notify(officer_, second->id, {}); });
  server.join();
  cli.join();
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  ASSERT_TRUE(b.ok()) << b.error().ToString();
  EXPECT_EQ(a->sent + b->sent, 14);
  // Both at the same moment: 2 SMS now between them, the other 10 in the next five seconds.
  EXPECT_EQ(a->scheduled + b->scheduled, 10);
  EXPECT_EQ(sms_.size() + other_sms.size(), 2u);
  const std::map<int64_t, int> expected = {{0, 2}, {1, 2}, {2, 2}, {3, 2}, {4, 2}, {5, 2}};
  EXPECT_EQ(SmsPerSecond({first->id, second->id}, t0), expected);
  // Each process's scheduler then sends what is due, never over the rate in any second.
  clock_.Advance(std::chrono::seconds(6));
  auto due = benefits_->SendDue(officer_);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, 10);
}

TEST_P(BenefitsContract, GrantsOptOutPoliciesWhenNobodyObjectsInTime) {
  if (!benefits_) return;
  AddPerson(101, kVillageA, registers::Assistance::kNone, 1, true);
  AddPerson(103, kVillageA, registers::Assistance::kNone, 2, true);
  AddPerson(105, kVillageB, registers::Assistance::kNone, 3, true);
  const std::string care = R"(status = "alive" and disability_level in [1, 2] and long_term_care)";
  ASSERT_TRUE(
      benefits_->Publish(officer_, PolicyYaml(care, 1, "2026-01-01", "direct_with_opt_out")).ok());
  auto run = benefits_->Match(officer_, "living", {});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->total.eligible_not_receiving, 2);
  ASSERT_EQ(benefits_->Notify(officer_, run->id, {})->sent, 2);
  auto listed = benefits_->RunResults(run->id, "", "", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_TRUE(
      benefits_
          ->RecordConsent(
              officer_, run->id, (*listed)[0].person_id,
              {.decision = Decision::kDeclined, .by_staff = true, .evidence = "本人电话表示不需要"})
          .ok());
  clock_.Advance(std::chrono::hours(24 * 14));
  EXPECT_EQ(*benefits_->ConcludeOptOuts(officer_, run->id), 0);  // still within 15 days
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(*benefits_->ConcludeOptOuts(officer_, run->id), 1);
  EXPECT_EQ(*benefits_->ConcludeOptOuts(officer_, run->id), 0);
  EXPECT_EQ(benefits_->FunnelOf(run->id)->total.granted, 1);
}

TEST_P(BenefitsContract, TheSchedulerHookRunsEachPolicyOncePerCycle) {
  if (!benefits_) return;
  Populate();
  auto first = benefits_->RunDue(officer_);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].reference, *Date::Parse("2026-11-26"));
  EXPECT_EQ((*first)[0].total.eligible_not_receiving, 3);
  EXPECT_TRUE(benefits_->RunDue(officer_)->empty());  // the same month
  clock_.Advance(std::chrono::hours(24 * 4));
  EXPECT_TRUE(benefits_->RunDue(officer_)->empty());  // 30 November
  clock_.Advance(std::chrono::hours(24));
  auto december = benefits_->RunDue(SchedulerPrincipal());  // as the server's scheduler does
  ASSERT_TRUE(december.ok());
  ASSERT_EQ(december->size(), 1u);
  EXPECT_EQ((*december)[0].reference, *Date::Parse("2026-12-01"));
  EXPECT_EQ(Count("match_run"), 2);
}

std::string TablePolicy(std::string_view data_name) {
  return fmt::format(R"(name: living_dmn
version: 1
title: 困难残疾人生活补贴（决策表）
matter: "11431128MB17048517050103021000001"
legal_basis: 国发〔2015〕52号
eligibility_table:
  decision: 生活补贴资格
  hit_policy: FIRST
  data:
    - {{name: status, type: string}}
    - {{name: disability_certificate, type: boolean}}
    - {{name: {}, type: string}}
  inputs:
    - {{expression: status}}
    - {{expression: disability_certificate}}
    - {{expression: {}}}
  outputs:
    - {{type: boolean, default: "false"}}
  rules:
    - ['"alive"', "true", '"minimum_living"', "true"]
amount: 'if disability_level <= 2 then 10000 else 8000'
cycle: monthly
region: "431128"
valid_from: 2026-01-01
mode: consent_required
channels: [visit]
)",
                     data_name, data_name);
}

TEST_P(BenefitsContract, ADecisionTableSelectsTheSamePersonsAsTheFeelRule) {
  if (!benefits_) return;
  Populate();
  auto refused = benefits_->Publish(officer_, TablePolicy("salary_band"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().fields()[0].field, "eligibility_table");
  EXPECT_NE(refused.error().ToString().find("salary_band"), std::string::npos)
      << refused.error().ToString();
  auto published = benefits_->Publish(officer_, TablePolicy("assistance"));
  ASSERT_TRUE(published.ok()) << published.error().ToString();
  auto feel_run = benefits_->Match(officer_, "living", {.dry_run = true});
  auto table_run = benefits_->Match(officer_, "living_dmn", {.dry_run = true});
  ASSERT_TRUE(feel_run.ok() && table_run.ok()) << table_run.error().ToString();
  EXPECT_EQ(table_run->total.eligible, feel_run->total.eligible);
  EXPECT_EQ(table_run->total.eligible, 4);
  EXPECT_EQ(table_run->total.eligible_not_receiving, 4);  // nobody on this policy's roll
  ASSERT_FALSE(table_run->results.empty());
  EXPECT_NE(table_run->results[0].explanation.find("生活补贴资格"), std::string::npos)
      << table_run->results[0].explanation;
  auto why = benefits_->Explain(officer_, "living_dmn", no_longer_, *Date::Parse("2026-11-26"));
  ASSERT_TRUE(why.ok()) << why.error().ToString();
  EXPECT_FALSE(why->first);
  auto yes = benefits_->Explain(officer_, "living_dmn", eligible_a1_, *Date::Parse("2026-11-26"));
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(yes->first);
  EXPECT_EQ(benefits_->WhatIfDraft(officer_, "living_dmn", {.eligibility = "true"}).error().code(),
            ErrorCode::kConflict);
}

TEST_P(BenefitsContract, ANoticeOnlyPolicyTargetsEnterprisesAndCountsDeliveriesAndReads) {
  if (!benefits_) return;
  auto entity = [&](int sequence, const char* industry, registers::EntitySize size,
                    const char* region) { return AddEntity(sequence, size, region, industry); };
  const std::string fits = entity(1, "C1711", registers::EntitySize::kSmall, kVillageA);
  const std::string too_big = entity(2, "C1711", registers::EntitySize::kLarge, kVillageB);
  entity(3, "F5211", registers::EntitySize::kMicro, kVillageB);
  entity(4, "C3011", registers::EntitySize::kMicro, "430181001001");  // another county

  const std::string yaml(kManufacturingRelief);
  auto sms =
      benefits_->Publish(officer_, std::string(yaml).replace(yaml.find("[portal]"), 8, "[sms]"));
  ASSERT_FALSE(sms.ok());
  EXPECT_EQ(sms.error().fields()[0].field, "channels");
  auto unknown = benefits_->Publish(
      officer_, std::string(yaml).replace(yaml.find("industry, \"C\""), 8, "sector"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().fields()[0].field, "eligibility");
  ASSERT_TRUE(benefits_->Publish(officer_, yaml).ok());

  auto run = benefits_->Match(officer_, "manufacturing_relief", {});
  ASSERT_TRUE(run.ok()) << run.error().ToString();
  EXPECT_EQ(run->total.screened, 3);
  EXPECT_EQ(run->total.eligible, 1);
  ASSERT_EQ(run->results.size(), 1u);
  EXPECT_EQ(run->results[0].person_id, fits);
  EXPECT_EQ(run->results[0].region, kVillageA);
  auto sent = benefits_->Notify(officer_, run->id, {});
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  EXPECT_EQ(sent->sent, 1);
  EXPECT_EQ(benefits_->Notices(run->id)->at(0).status, "delivered");

  people::Principal rep;
  rep.account.id = "rep";
  rep.account.kind = people::AccountKind::kCitizen;
  rep.account.id_number = MakeIdNumber("431128", "19800101", 201);
  rep.agencies.push_back({.uscc = fits,
                          .enterprise_name = "企业1",
                          .relation = people::EnterpriseRelation::kLegalRepresentative,
                          .authorisation_id = "",
                          .valid_from = 0,
                          .valid_until = std::nullopt});
  EXPECT_EQ(benefits_->MarkNoticeRead(officer_, run->id, fits).error().code(),
            ErrorCode::kForbidden);
  EXPECT_EQ(benefits_->MarkNoticeRead(rep, run->id, too_big).error().code(), ErrorCode::kForbidden);
  ASSERT_TRUE(benefits_->MarkNoticeRead(rep, run->id, fits).ok());
  ASSERT_TRUE(benefits_->MarkNoticeRead(rep, run->id, fits).ok());  // counted once
  auto funnel = benefits_->FunnelOf(run->id);
  ASSERT_TRUE(funnel.ok());
  EXPECT_EQ(funnel->total.notified, 1);
  EXPECT_EQ(funnel->total.read, 1);
  EXPECT_EQ(funnel->total.granted, 0);
}

TEST_P(BenefitsContract, AWhatIfCountsWhoEntersAndLeavesAndTheCostPerRegion) {
  if (!benefits_) return;
  Populate();
  // Without the 低保 condition the person who no longer qualifies (level 2) enters.
  auto w = benefits_->WhatIfDraft(
      officer_, "living", {.eligibility = R"(status = "alive" and disability_certificate)"});
  ASSERT_TRUE(w.ok()) << w.error().ToString();
  EXPECT_EQ(w->version, 1);
  EXPECT_FALSE(w->cached_register);
  EXPECT_EQ(w->total.screened, 6);
  EXPECT_EQ(w->total.now, 4);
  EXPECT_EQ(w->total.draft, 5);
  EXPECT_EQ(w->total.entering, 1);
  EXPECT_EQ(w->total.leaving, 0);
  EXPECT_EQ(w->total.cost_now_fen, 10000 + 8000 + 8000 + 10000);
  EXPECT_EQ(w->total.cost_draft_fen, 46000);
  ASSERT_EQ(w->regions.size(), 2u);  // the two towns
  EXPECT_EQ(w->regions[0].region, "431128001");
  EXPECT_EQ(w->regions[0].entering, 1);
  EXPECT_EQ(w->regions[1].entering, 0);
  // Stricter, with a new amount: level 3 and 4 leave; the register comes from the cache.
  auto strict = benefits_->WhatIfDraft(
      officer_, "living",
      {.eligibility = std::string(kLivingRule) + " and disability_level <= 2", .amount = "12000"});
  ASSERT_TRUE(strict.ok()) << strict.error().ToString();
  EXPECT_TRUE(strict->cached_register);
  EXPECT_EQ(strict->total.draft, 2);
  EXPECT_EQ(strict->total.leaving, 2);
  EXPECT_EQ(strict->total.entering, 0);
  EXPECT_EQ(strict->total.cost_draft_fen, 24000);
  auto bad =
      benefits_->WhatIfDraft(officer_, "living", {.eligibility = "salary < 3", .amount = "x +"});
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.error().fields().size(), 2u);
  EXPECT_EQ(bad.error().fields()[0].field, "eligibility");
  EXPECT_EQ(bad.error().fields()[1].field, "amount");
  EXPECT_EQ(benefits_->WhatIfDraft(outsider_, "living", {.eligibility = "true", .region = "431128"})
                .error()
                .code(),
            ErrorCode::kForbidden);
}

TEST_P(BenefitsContract, ARunIsReproducedAsOfItsSnapshotAfterTheRegisterChanged) {
  if (!benefits_) return;
  Populate();
  auto run = benefits_->Match(officer_, "living", {});
  ASSERT_TRUE(run.ok()) << run.error().ToString();
  auto listed = [&](const std::vector<MatchResult>& results) {
    std::vector<std::string> out;
    out.reserve(results.size());
    for (const auto& r : results) out.push_back(r.person_id + ":" + r.kind);
    std::sort(out.begin(), out.end());
    return out;
  };
  const std::vector<std::string> before = listed(run->results);

  // After the run: one eligible person leaves 低保, one moves to another county, the one no
  // longer eligible gets 低保 again, a new eligible person is registered and one is granted.
  clock_.Advance(std::chrono::hours(2));
  auto b = registers_->GetPerson(clerk_, eligible_b_);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(registers_
                  ->PatchPerson(clerk_, eligible_b_, b->version,
                                {.assistance = registers::Assistance::kNone})
                  .ok());
  auto a2 = registers_->GetPerson(clerk_, eligible_a2_);
  ASSERT_TRUE(registers_
                  ->PatchPerson(Staff("mover", "430000", {"register.read", "register.write"}),
                                eligible_a2_, a2->version, {.household_region = "430181001001"})
                  .ok());
  auto n = registers_->GetPerson(clerk_, no_longer_);
  ASSERT_TRUE(registers_
                  ->PatchPerson(clerk_, no_longer_, n->version,
                                {.assistance = registers::Assistance::kMinimumLiving})
                  .ok());
  AddPerson(113, kVillageA, registers::Assistance::kMinimumLiving, 2);
  ASSERT_TRUE(
      benefits_
          ->ImportGrants(
              officer_, "living",
              fmt::format("person_id,amount_fen,start_date\n{},10000,2026-01-01\n", eligible_a1_))
          ->imported == 1);

  auto now = benefits_->Match(officer_, "living", {.dry_run = true});
  ASSERT_TRUE(now.ok());
  EXPECT_NE(listed(now->results), before);
  EXPECT_EQ(now->total.screened, 6);  // one moved out, one registered

  auto again = benefits_->RerunAsOf(officer_, run->id);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_TRUE(again->id.empty());  // a dry run
  EXPECT_EQ(again->as_of, run->as_of);
  EXPECT_EQ(again->version, run->version);
  EXPECT_EQ(listed(again->results), before);
  EXPECT_EQ(again->total.screened, run->total.screened);
  EXPECT_EQ(again->total.eligible, run->total.eligible);
  EXPECT_EQ(again->total.eligible_not_receiving, run->total.eligible_not_receiving);
  EXPECT_EQ(again->total.no_longer_eligible, run->total.no_longer_eligible);
  ASSERT_EQ(again->regions.size(), run->regions.size());
  for (size_t i = 0; i < run->regions.size(); ++i) {
    EXPECT_EQ(again->regions[i].region, run->regions[i].region);
    EXPECT_EQ(again->regions[i].eligible_not_receiving, run->regions[i].eligible_not_receiving);
  }
  for (size_t i = 0; i < run->results.size(); ++i) {
    EXPECT_EQ(again->results[i].explanation, run->results[i].explanation);
    EXPECT_EQ(again->results[i].amount_fen, run->results[i].amount_fen);
  }
  EXPECT_EQ(benefits_->RerunAsOf(officer_, "missing").error().code(), ErrorCode::kNotFound);
}

// The article's funnel from generated data: 12,000 disabled persons of Xintian screened against
// the two shipped subsidies, 236 eligible and receiving nothing, all notified, 178 consenting
// and granted; every figure computed by the runs. A second seed into the same county is refused.
// The article's funnel in total: 12,000 screened, 236 eligible who received nothing, 178 paid.
void ExpectTheArticlesTotals(const FunnelRow& t) {
  EXPECT_EQ(t.screened, 12000);
  EXPECT_EQ(t.eligible, 920);
  EXPECT_EQ(t.eligible_not_receiving, 236);
  EXPECT_EQ(t.notified, 236);
  EXPECT_EQ(t.consented, 178);
  EXPECT_EQ(t.granted, 178);
}

TEST_P(BenefitsContract, TheArticlesFunnelFollowsFromTheGeneratedCounty) {
  if (!benefits_) return;
  people::Principal seeder = Staff("seeder", "431128",
                                   {"policy.write", "policy.match", "policy.grant", "policy.push",
                                    "register.read", "register.read_full", "register.write"});
  const std::string dir = ::testing::TempDir() + "/funnel-" +
                          (GetParam() == store::Backend::kSqlite ? "sqlite" : "postgres");
  auto seeded = SeedArticleFunnel(*benefits_, *registers_, seeder, {.dir = dir});
  ASSERT_TRUE(seeded.ok()) << seeded.error().ToString();
  EXPECT_EQ(seeded->persons, 12000);
  ASSERT_EQ(seeded->runs.size(), 2u);
  ExpectTheArticlesTotals(seeded->total.total);
  // Each run's own funnel, as the API gives it, and its regions adding up to the total.
  auto living = benefits_->FunnelOf(seeded->runs[0]);
  ASSERT_TRUE(living.ok());
  EXPECT_EQ(living->policy, "disability_living_subsidy");
  EXPECT_EQ(living->total.eligible_not_receiving, 120);
  EXPECT_EQ(living->total.granted, 90);
  int64_t listed = 0;
  for (const auto& r : living->regions) listed += r.eligible_not_receiving;
  EXPECT_EQ(listed, 120);
  auto care = benefits_->FunnelOf(seeded->runs[1]);
  ASSERT_TRUE(care.ok());
  EXPECT_EQ(care->total.eligible, 500);
  EXPECT_EQ(care->total.granted, 88);
  EXPECT_EQ(SeedArticleFunnel(*benefits_, *registers_, seeder, {.dir = dir}).error().code(),
            ErrorCode::kConflict);
}

// The demo's case: the county register holds hand-written persons already, two of them eligible
// (one for both subsidies). The seed generates the complement, so the totals still read the
// article's figures, and those persons stay listed and notified, undecided, for the journeys.
TEST_P(BenefitsContract, TheArticlesFunnelHoldsBesideThePersonsTheCountyHeldBefore) {
  if (!benefits_) return;
  const std::string both =
      AddPerson(101, kVillageA, registers::Assistance::kMinimumLiving, 2, true);
  const std::string living_only =
      AddPerson(103, kVillageB, registers::Assistance::kMinimumLiving, 3);
  AddPerson(105, kVillageB, registers::Assistance::kNone, 3);  // neither
  people::Principal seeder = Staff("seeder", "431128",
                                   {"policy.write", "policy.match", "policy.grant", "policy.push",
                                    "register.read", "register.read_full", "register.write"});
  std::vector<std::pair<std::string, std::string>> accepted;
  auto seeded = SeedArticleFunnel(
      *benefits_, *registers_, seeder,
      {.dir = ::testing::TempDir() + "/funnel-beside-" +
              (GetParam() == store::Backend::kSqlite ? "sqlite" : "postgres"),
       .on_accepted = [&](const std::string& run, const std::string& person) -> Status {
         accepted.emplace_back(run, person);
         return Ok();
       }});
  ASSERT_TRUE(seeded.ok()) << seeded.error().ToString();
  EXPECT_EQ(seeded->existing, 3);
  EXPECT_EQ(seeded->persons, 11997);
  ExpectTheArticlesTotals(seeded->total.total);
  EXPECT_EQ(accepted.size(), 178u);
  // The hand-written persons: listed in their runs and notified, nobody decided for them.
  for (const auto& [run, person] : {std::pair{seeded->runs[0], both},
                                    {seeded->runs[0], living_only},
                                    {seeded->runs[1], both}}) {
    auto notices = benefits_->Notices(run);
    ASSERT_TRUE(notices.ok());
    EXPECT_EQ(std::count_if(notices->begin(), notices->end(),
                            [&](const Notice& n) { return n.person_id == person; }),
              1)
        << person;
    EXPECT_TRUE(std::none_of(accepted.begin(), accepted.end(),
                             [&](const auto& a) { return a.second == person; }));
  }
}

// An entity run re-run as of its snapshot gives the same enterprises after the entity register
// changed: one grew out of the rule, one shrank into it, one moved away, one was registered.
TEST_P(BenefitsContract, AnEntityRunIsReproducedAsOfItsSnapshot) {
  if (!benefits_) return;
  const people::Principal clerk = Staff("clerk", "430000", {"register.read", "register.write"});
  auto entity = [&](int sequence, registers::EntitySize size, const char* region) {
    return AddEntity(sequence, size, region);
  };
  const std::string grows = entity(1, registers::EntitySize::kSmall, kVillageA);
  const std::string shrinks = entity(2, registers::EntitySize::kLarge, kVillageB);
  const std::string moves = entity(3, registers::EntitySize::kMicro, kVillageB);
  ASSERT_TRUE(benefits_->Publish(officer_, kManufacturingRelief).ok());
  auto run = benefits_->Match(officer_, "manufacturing_relief", {});
  ASSERT_TRUE(run.ok()) << run.error().ToString();
  EXPECT_EQ(run->total.screened, 3);
  EXPECT_EQ(run->total.eligible, 2);
  auto listed = [](const std::vector<MatchResult>& results) {
    std::vector<std::string> ids;
    ids.reserve(results.size());
    for (const auto& r : results) ids.push_back(r.person_id + "@" + r.region);
    return ids;
  };
  const std::vector<std::string> before = listed(run->results);

  clock_.Advance(std::chrono::seconds(2));
  ASSERT_TRUE(
      registers_->PatchEntity(clerk, grows, 1, {.size = registers::EntitySize::kLarge}).ok());
  ASSERT_TRUE(
      registers_->PatchEntity(clerk, shrinks, 1, {.size = registers::EntitySize::kSmall}).ok());
  ASSERT_TRUE(registers_->PatchEntity(clerk, moves, 1, {.registered_region = "430181001001"}).ok());
  entity(4, registers::EntitySize::kMicro, kVillageA);
  auto now = benefits_->Match(officer_, "manufacturing_relief", {.dry_run = true});
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->total.screened, 3);  // one moved away, one registered
  EXPECT_EQ(now->total.eligible, 2);
  EXPECT_NE(listed(now->results), before);

  auto again = benefits_->RerunAsOf(officer_, run->id);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->total.screened, 3);
  EXPECT_EQ(again->total.eligible, 2);
  EXPECT_EQ(listed(again->results), before);
  ASSERT_EQ(again->regions.size(), run->regions.size());
  for (size_t i = 0; i < run->regions.size(); ++i) {
    EXPECT_EQ(again->regions[i].region, run->regions[i].region);
    EXPECT_EQ(again->regions[i].eligible, run->regions[i].eligible);
  }
}

// Eligibility over licences: who holds a valid 残疾人证 of level 1-2 on the reference date (not
// an expired or revoked one); the explanation names the licence as the rule wrote it, and
// publication refuses an unknown type or field and a licence the subject cannot hold.
TEST_P(BenefitsContract, ARuleReadsTheLicencesAPersonHolds) {
  if (!benefits_) return;
  using registers::Assistance;
  const std::string valid = AddPerson(101, kVillageA, Assistance::kNone, 0);
  const std::string level3 = AddPerson(103, kVillageA, Assistance::kNone, 0);
  const std::string expired = AddPerson(105, kVillageB, Assistance::kNone, 0);
  const std::string revoked = AddPerson(107, kVillageB, Assistance::kNone, 0);
  AddPerson(109, kVillageB, Assistance::kNone, 0);  // holds none
  ASSERT_TRUE(
      db_->Transaction(
             store::TxKind::kWrite,
             [&](soci::session& sql) -> Status {
               sql << "INSERT INTO licence_type (code, name, definition) VALUES "
                      "('11100000000013338W014', '残疾人证', '{\"holder\":\"person\","
                      "\"fields\":[{\"name\":\"level\",\"type\":\"integer\"},"
                      "{\"name\":\"category\",\"type\":\"string\"}]}'),"
                      "('11100000000013338W011', '营业执照', '{\"holder\":\"entity\","
                      "\"fields\":[]}')";
               int n = 0;
               for (auto [seq, level, until, status] :
                    std::vector<std::tuple<int, int, std::string, std::string>>{
                        {101, 1, "null", "valid"},
                        {103, 3, "null", "valid"},
                        {105, 1, "\"2026-06-30\"", "valid"},
                        {107, 2, "null", "revoked"}}) {
                 std::string id = fmt::format("L{}", ++n);
                 std::string holder = MakeIdNumber("431128", "19700101", seq);
                 std::string doc = fmt::format(
                     R"({{"valid_from":"2020-01-01","valid_until":{},"data":{{"level":{},)"
                     R"("category":"physical"}}}})",
                     until, level);
                 sql << "INSERT INTO licence (id, type_code, holder_id, issuer_code, serial, "
                        "version, status, document, signature, key_id, issued_at) VALUES "
                        "(:id, '11100000000013338W014', :holder, '431128-cl', :id2, 1, "
                        ":status, :doc, '', '', '2020-01-01T00:00:00Z')",
                     soci::use(id, "id"), soci::use(holder, "holder"), soci::use(id, "id2"),
                     soci::use(status, "status"), soci::use(doc, "doc");
               }
               return Ok();
             })
          .ok());
  const std::string rule =
      R"(status = "alive" and licence("残疾人证") and licence("残疾人证").level <= 2)";
  ASSERT_TRUE(benefits_->Publish(officer_, PolicyYaml(rule)).ok());
  auto run = benefits_->Match(officer_, "living", {.reference = *Date::Parse("2026-11-26")});
  ASSERT_TRUE(run.ok()) << run.error().ToString();
  EXPECT_EQ(run->total.screened, 5);
  EXPECT_EQ(run->total.eligible, 1);
  ASSERT_EQ(run->results.size(), 1u);
  EXPECT_EQ(run->results[0].person_id, valid);
  EXPECT_NE(run->results[0].explanation.find(R"(licence(\"残疾人证\").level <= 2)"),
            std::string::npos)
      << run->results[0].explanation;
  auto yes = benefits_->Explain(officer_, "living", valid, *Date::Parse("2026-11-26"));
  ASSERT_TRUE(yes.ok()) << yes.error().ToString();
  EXPECT_TRUE(yes->first);
  for (const std::string& no : {level3, expired, revoked}) {
    auto why = benefits_->Explain(officer_, "living", no, *Date::Parse("2026-11-26"));
    ASSERT_TRUE(why.ok()) << why.error().ToString();
    EXPECT_FALSE(why->first) << no;
  }
  // Before the 2026-06-30 expiry the expired one still counts.
  auto earlier = benefits_->Match(officer_, "living",
                                  {.reference = *Date::Parse("2026-06-01"), .dry_run = true});
  ASSERT_TRUE(earlier.ok());
  EXPECT_EQ(earlier->total.eligible, 2);

  for (const char* bad : {R"(licence("驾驶证").level <= 2)",
                          R"(licence("残疾人证").colour = "red")", R"(licence("营业执照"))"}) {
    auto refused = benefits_->Publish(officer_, PolicyYaml(bad, 2));
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().fields()[0].field, "eligibility") << bad;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, BenefitsContract,
                         ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::benefits
