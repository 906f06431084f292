// Proactive grant cases (issue 8): consent opens a case of the policy's benefit matter through
// src/cases, filled from the register; its conclusion after approval writes the grant roll, a
// denial writes nothing; receiving-but-no-longer-eligible persons are stopped or kept only by a
// reviewer. On SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "base/clock.h"
#include "benefits/benefits.h"
#include "benefits/grant_cases.h"
#include "cases/testing.h"
#include "catalog/service.h"
#include "keys/key_store.h"
#include "people/service.h"
#include "people/sms.h"
#include "regions/region_import.h"
#include "registers/register.h"
#include "registers/testing.h"
#include "store/testing.h"
#include "trace/trace.h"

namespace tongban {
extern const EmbeddedFile kBenefitsTestData[];
extern const size_t kBenefitsTestData_count;
}  // namespace tongban

namespace tongban::benefits {
namespace {

using registers::testing::MakeIdNumber;
using registers::testing::Staff;

constexpr const char* kVillage = "431128001001";

constexpr std::string_view kPolicy = R"(name: living
version: 1
title: 困难残疾人生活补贴
matter: "11431128MB17048517050103021000001"
legal_basis: 国发〔2015〕52号
eligibility: 'status = "alive" and disability_certificate and assistance = "minimum_living"'
amount: 'if disability_level <= 2 then 10000 else 8000'
cycle: monthly
region: "431128"
valid_from: 2026-01-01
mode: consent_required
channels: [visit]
case_form:
  disability_level: 'if disability_level = 1 then "一级" else if disability_level = 2 then "二级" else if disability_level = 3 then "三级" else "四级"'
  subsidy_type: '"困难残疾人生活补贴"'
case_materials: [残疾人证]
)";

class GrantCasesTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(*regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*catalog::CatalogMigrations());
    sets.push_back(keys::KeysMigrations());
    sets.push_back(*cases::CaseMigrations());
    sets.push_back(*registers::Migrations());
    sets.push_back(*Migrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    auto migrated = db_->Migrate(ptrs);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    people::PeopleOptions po;
    po.password = people::PasswordOptions::Cheap();
    people_ = *people::PeopleService::Create(*db_, sms_, clock_, po);
    ASSERT_TRUE(people_->SeedRoles().ok());
    catalog_ = *catalog::CatalogService::Create(*db_, {.clock = &clock_, .observer = nullptr});
    auto imported =
        catalog_->ImportYaml(std::string(kBenefitsTestData[0].contents), {.publish = true});
    ASSERT_TRUE(imported.ok()) << imported.error().ToString();
    trace_ = std::make_unique<trace::Trace>(
        *db_, trace::Trace::Options{.now =
                                        [this] {
                                          return std::chrono::system_clock::time_point(
                                              clock_.Now().time_since_epoch());
                                        },
                                    .signing_key = std::nullopt});
    dir_ = ::testing::TempDir() + "/grant-cases-" + std::to_string(::getpid()) + "-" +
           std::string(store::BackendName(GetParam()));
    seal_keys_ = cases::testing::MakeSealKeys(*db_, clock_);
    auto cases = cases::CaseService::Create(
        *db_, *catalog_, *people_, *trace_,
        {.clock = &clock_, .data_dir = dir_, .keys = seal_keys_->store.get()});
    ASSERT_TRUE(cases.ok()) << cases.error().ToString();
    cases_ = std::move(cases).value();
    auto reg = registers::Registers::Create(
        *db_, *registers::FieldCipher::Create(registers::testing::FixedKeys()), *trace_, clock_);
    ASSERT_TRUE(reg.ok()) << reg.error().ToString();
    registers_ = std::move(reg).value();
    benefits_ = *Benefits::Create(*db_, *registers_, clock_, nullptr);
    auto grant_cases = GrantCases::Create(*db_, *benefits_, *registers_, *cases_,
                                          {.submitter = system_, .scenario = "", .next = nullptr});
    ASSERT_TRUE(grant_cases.ok()) << grant_cases.error().ToString();
    grant_cases_ = std::move(grant_cases).value();
    benefits_->SetGrantHandler(grant_cases_->Handler());
    cases_->SetObserver(grant_cases_.get());
    ASSERT_TRUE(benefits_->Publish(officer_, std::string(kPolicy)).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string AddPerson(int sequence, registers::Assistance assistance, int level) {
    registers::Person p;
    p.id_number = MakeIdNumber("431128", "19700101", sequence);
    p.name = fmt::format("人{}", sequence);
    p.sex = sequence % 2 == 1 ? Sex::kMale : Sex::kFemale;
    p.birth_date = *Date::Parse("1970-01-01");
    p.household_region = kVillage;
    p.address = "新田县";
    p.income_band = registers::IncomeBand::kLow;
    p.assistance = assistance;
    p.disability = registers::Disability{.certificate = p.id_number + fmt::format("4{}", level),
                                         .category = registers::DisabilityCategory::kPhysical,
                                         .level = level};
    auto created = registers_->CreatePerson(officer_, p);
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    return created.ok() ? created->id : "";
  }

  // Accepts and decides the case as the clerk and the approver (受审分离), then concludes it.
  void Decide(const std::string& number, bool approve) {
    auto accepted = cases_->Accept(clerk_, number, {});
    ASSERT_TRUE(accepted.ok()) << accepted.error().ToString();
    auto decided = approve ? cases_->Approve(approver_, number, {})
                           : cases_->Deny(approver_, number, "残疾等级复核不符", {});
    ASSERT_TRUE(decided.ok()) << decided.error().ToString();
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9)};
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<cases::testing::SealKeys> seal_keys_;  // outlives cases_
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<registers::Registers> registers_;
  std::unique_ptr<Benefits> benefits_;
  std::unique_ptr<GrantCases> grant_cases_;
  std::string dir_;
  people::Principal system_ =
      Staff("system", "431128", {"case.assist", "register.read", "register.read_full"});
  people::Principal clerk_ = Staff("clerk", "431128", {"case.accept", "case.read"});
  people::Principal approver_ = Staff("approver", "431128", {"case.approve", "case.read"});
  people::Principal officer_ = Staff("officer", "431128",
                                     {"policy.write", "policy.match", "policy.grant", "policy.push",
                                      "register.read", "register.write", "register.read_full"});
};

TEST_P(GrantCasesTest, ConsentOpensACaseWhoseConclusionWritesTheGrantRoll) {
  if (!benefits_) return;
  const std::string approved = AddPerson(101, registers::Assistance::kMinimumLiving, 1);
  const std::string denied = AddPerson(103, registers::Assistance::kMinimumLiving, 3);
  auto run = benefits_->Match(officer_, "living", {});
  ASSERT_TRUE(run.ok()) << run.error().ToString();
  ASSERT_EQ(run->total.eligible_not_receiving, 2);
  ASSERT_TRUE(benefits_->Notify(officer_, run->id, {}).ok());
  // The bank account is not in the register: the consent completes it.
  Status consent = benefits_->RecordConsent(officer_, run->id, approved,
                                            {.by_staff = true,
                                             .evidence = "电话联系本人同意",
                                             .form = {{"bank_account", "6217000000000001"}}});
  ASSERT_TRUE(consent.ok()) << consent.error().ToString();
  auto number = grant_cases_->CaseOf(run->id, approved);
  ASSERT_TRUE(number.ok()) << number.error().ToString();
  EXPECT_EQ(grant_cases_->CaseOf(run->id, denied).error().code(), ErrorCode::kNotFound);
  auto c = cases_->Read(*number);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->matter, "11431128MB17048517050103021000001");
  EXPECT_EQ(c->channel, cases::Channel::kAssisted);
  EXPECT_EQ(c->applicant_code, MakeIdNumber("431128", "19700101", 101));
  EXPECT_EQ(c->applicant_name, "人101");
  EXPECT_EQ(c->form.at("disability_level"), "一级");
  EXPECT_EQ(c->form.at("subsidy_type"), "困难残疾人生活补贴");
  EXPECT_EQ(c->form.at("bank_account"), "6217000000000001");
  ASSERT_EQ(c->materials.size(), 1u);
  EXPECT_EQ(c->materials[0].state, cases::MaterialState::kProvided);
  EXPECT_EQ(c->materials[0].origin, cases::MaterialOrigin::kRegister);
  // Opening again for the same run and person finds the same case.
  GrantRequest again{.policy = "living",
                     .version = 1,
                     .run_id = run->id,
                     .person_id = approved,
                     .region = kVillage,
                     .amount_fen = 10000,
                     .start = *Date::Parse("2026-11-26"),
                     .form = {{"bank_account", "6217000000000001"}}};
  EXPECT_EQ(grant_cases_->Open(again).value_or(""), *number);

  // Nothing is on the roll until the case is concluded after approval.
  EXPECT_TRUE(benefits_->PaymentRoll("living", "2026-12")->empty());
  Decide(*number, true);
  EXPECT_TRUE(benefits_->PaymentRoll("living", "2026-12")->empty());
  ASSERT_TRUE(cases_->Conclude(approver_, *number, {}).ok());
  auto roll = benefits_->PaymentRoll("living", "2026-12");
  ASSERT_TRUE(roll.ok());
  ASSERT_EQ(roll->size(), 1u);
  EXPECT_EQ((*roll)[0].person_id, approved);
  EXPECT_EQ((*roll)[0].amount_fen, 10000);
  EXPECT_EQ(benefits_->PaymentRoll("living", "2026-10")->size(), 0u);  // from the consent's day

  // A denied grant case concludes without a grant.
  ASSERT_TRUE(benefits_
                  ->RecordConsent(officer_, run->id, denied,
                                  {.by_staff = true,
                                   .evidence = "入户走访本人签字",
                                   .form = {{"bank_account", "6217000000000003"}}})
                  .ok());
  auto denied_case = grant_cases_->CaseOf(run->id, denied);
  ASSERT_TRUE(denied_case.ok());
  Decide(*denied_case, false);
  ASSERT_TRUE(cases_->Conclude(approver_, *denied_case, {}).ok());
  EXPECT_EQ(benefits_->PaymentRoll("living", "2026-12")->size(), 1u);
  auto funnel = benefits_->FunnelOf(run->id);
  ASSERT_TRUE(funnel.ok());
  EXPECT_EQ(funnel->total.consented, 2);
  EXPECT_EQ(funnel->total.granted, 1);
}

TEST_P(GrantCasesTest, AReviewerStopsOrKeepsThoseNoLongerEligibleNeverTheRun) {
  if (!benefits_) return;
  const std::string stop = AddPerson(105, registers::Assistance::kNone, 1);
  const std::string keep = AddPerson(107, registers::Assistance::kNone, 2);
  const std::string fine = AddPerson(109, registers::Assistance::kMinimumLiving, 2);
  auto imported = benefits_->ImportGrants(
      officer_, "living",
      fmt::format("person_id,amount_fen,start_date\n{},10000,2026-01-01\n{},10000,2026-01-01\n"
                  "{},10000,2026-01-01\n",
                  stop, keep, fine));
  ASSERT_TRUE(imported.ok() && imported->imported == 3);
  auto run = benefits_->Match(officer_, "living", {});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->total.no_longer_eligible, 2);
  // The run itself stops nothing.
  EXPECT_EQ(benefits_->PaymentRoll("living", "2026-12")->size(), 3u);

  EXPECT_EQ(benefits_
                ->ReviewNoLongerEligible(officer_, run->id, stop,
                                         {.decision = ReviewDecision::kStop, .note = ""})
                .error()
                .fields()[0]
                .field,
            "note");
  EXPECT_EQ(benefits_
                ->ReviewNoLongerEligible(officer_, run->id, fine,
                                         {.decision = ReviewDecision::kStop, .note = "不再符合"})
                .error()
                .code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(benefits_
                ->ReviewNoLongerEligible(Staff("far", "430181", {"policy.grant"}), run->id, stop,
                                         {.decision = ReviewDecision::kStop, .note = "已退出低保"})
                .error()
                .code(),
            ErrorCode::kForbidden);
  ASSERT_TRUE(benefits_
                  ->ReviewNoLongerEligible(officer_, run->id, stop,
                                           {.decision = ReviewDecision::kStop,
                                            .note = "经核实已退出低保",
                                            .end = *Date::Parse("2026-11-30")})
                  .ok());
  ASSERT_TRUE(benefits_
                  ->ReviewNoLongerEligible(
                      officer_, run->id, keep,
                      {.decision = ReviewDecision::kKeep, .note = "低保复审中，暂保留"})
                  .ok());
  EXPECT_EQ(benefits_
                ->ReviewNoLongerEligible(officer_, run->id, keep,
                                         {.decision = ReviewDecision::kStop, .note = "改为停发"})
                .error()
                .code(),
            ErrorCode::kConflict);
  EXPECT_EQ(benefits_->PaymentRoll("living", "2026-11")->size(), 3u);  // paid through November
  auto december = benefits_->PaymentRoll("living", "2026-12");
  ASSERT_EQ(december->size(), 2u);
  for (const auto& line : *december) EXPECT_NE(line.person_id, stop);
  auto reviews = benefits_->Reviews(run->id);
  ASSERT_TRUE(reviews.ok());
  ASSERT_EQ(reviews->size(), 2u);
  for (const auto& r : *reviews) {
    EXPECT_EQ(r.decision, r.person_id == stop ? "stop" : "keep");
    EXPECT_EQ(r.end_date, r.person_id == stop ? "2026-11-30" : "");
    EXPECT_EQ(r.reviewer, "officer");
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, GrantCasesTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::benefits
