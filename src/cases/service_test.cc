// The case service on both backends: submission, idempotency, numbers, materials, the steps
// before acceptance, decisions, the clock and the documents' seals.
#include "cases/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <filesystem>

#include "cases/testing.h"
#include "catalog/repository.h"
#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "keys/certificate.h"
#include "keys/key_store.h"
#include "people/clock.h"
#include "people/repository.h"
#include "people/sms.h"
#include "regions/region_import.h"
#include "store/testing.h"

namespace tongban {
extern const EmbeddedFile kCaseTestData[];
extern const size_t kCaseTestData_count;
}  // namespace tongban

namespace tongban::cases {
namespace {

using people::Principal;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kMatter[] = "11431128MB1234562L000172003000001";
constexpr char kPdf[] = "%PDF-1.4 卫生管理制度";
const std::string kEicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

// 2026-11-26 (a Thursday) 09:00 China Standard Time.
Timestamp T0() { return StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9); }

people::HeldGrant Grant(std::string role, std::string region, std::vector<std::string> perms,
                        std::string department = "*") {
  people::HeldGrant g;
  g.grant.id = role + "@" + region;
  g.grant.role = std::move(role);
  g.grant.scope.region = std::move(region);
  g.grant.scope.department = std::move(department);
  std::sort(perms.begin(), perms.end());
  g.permissions = std::move(perms);
  return g;
}

Principal Staff(std::string id, std::string role, std::string region,
                std::vector<std::string> perms) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  p.account.name = "工作人员";
  p.grants.push_back(Grant(std::move(role), std::move(region), std::move(perms)));
  return p;
}

Principal Citizen(std::string id, std::string id_number, std::string name) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kCitizen;
  p.account.id_number = std::move(id_number);
  p.account.name = std::move(name);
  p.grants.push_back(Grant("applicant", "*", {"case.apply", "case.read_own"}));
  return p;
}

std::vector<std::string> Fields(const Error& e) {
  std::vector<std::string> out;
  for (const auto& f : e.fields()) out.push_back(f.field);
  return out;
}

class CaseServiceTest : public ::testing::TestWithParam<store::Backend> {
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
    sets.push_back(*CaseMigrations());
    std::vector<const store::MigrationSet*> ptrs;
    for (const auto& s : sets) ptrs.push_back(&s);
    auto migrated = db_->Migrate(ptrs);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    people::PeopleOptions po;
    po.password = people::PasswordOptions::Cheap();
    people_ = *people::PeopleService::Create(*db_, sms_, clock_, po);
    ASSERT_TRUE(people_->SeedRoles().ok());
    catalog_ = *catalog::CatalogService::Create(*db_, {.clock = &clock_, .observer = nullptr});
    auto imported = catalog_->ImportYaml(std::string(kCaseTestData[0].contents), {.publish = true});
    ASSERT_TRUE(imported.ok()) << imported.error().ToString();
    trace_ = std::make_unique<trace::Trace>(
        *db_, trace::Trace::Options{.now =
                                        [this] {
                                          return std::chrono::system_clock::time_point(
                                              clock_.Now().time_since_epoch());
                                        },
                                    .signing_key = std::nullopt});
    dir_ = ::testing::TempDir() + "/cases-" + std::to_string(::getpid()) + "-" +
           std::string(store::BackendName(GetParam()));
    seal_keys_ = testing::MakeSealKeys(*db_, clock_);
    CaseServiceOptions options{.clock = &clock_, .data_dir = dir_, .keys = seal_keys_->store.get()};
    // A region's own calendar when the test gave it one, else the national calendar.
    options.region_calendar = [this](std::string_view region) -> const Calendar& {
      auto it = regional_.find(region);
      return it != regional_.end() ? *it->second : *national_;
    };
    options.after_accept_presign = [this](std::string_view number) {
      if (after_presign_) after_presign_(number);
    };
    options.before_seal = [this](size_t batch) {
      if (before_seal_) before_seal_(batch);
    };
    auto service = CaseService::Create(*db_, *catalog_, *people_, *trace_, std::move(options));
    ASSERT_TRUE(service.ok()) << service.error().ToString();
    cases_ = std::move(service).value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SubmitRequest Valid() {
    SubmitRequest r;
    r.matter = kMatter;
    r.channel = Channel::kOnline;
    r.form = {{"venue_name", "龙泉宾馆"}, {"area_m2", "120.5"}, {"venue_kind", "宾馆"}};
    return r;
  }
  Case Submit(const Principal& who, SubmitRequest r) {
    auto s = cases_->Submit(who, std::move(r));
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return s.ok() ? s->record : Case{};
  }
  // A case whose materials are all there: the licence by reference, two uploads.
  Case Complete(const Principal& who) {
    Case c = Submit(who, Valid());
    EXPECT_TRUE(cases_
                    ->SupplyMaterial(who, c.number, 0, MaterialOrigin::kLicence, "", "",
                                     "11431128MB1234562L-营业执照-001")
                    .ok());
    EXPECT_TRUE(
        cases_->SupplyMaterial(who, c.number, 1, MaterialOrigin::kUploaded, kPdf, "制度.pdf", "")
            .ok());
    auto last = cases_->SupplyMaterial(who, c.number, 2, MaterialOrigin::kUploaded,
                                       "%PDF-1.4 检测报告", "检测.pdf", "");
    EXPECT_TRUE(last.ok()) << last.error().ToString();
    return last.ok() ? *last : c;
  }
  void AdvanceDays(int days) { clock_.Advance(std::chrono::hours(24 * days)); }
  // The acceptance notice among `c`'s documents, read back with its seal.
  Document AcceptanceNoticeOf(const Case& c) {
    for (const Document& listed : c.documents) {
      if (listed.kind != DocumentKind::kAcceptanceNotice) continue;
      auto d = cases_->ReadDocument(c.number, listed.id);
      EXPECT_TRUE(d.ok());
      if (d.ok()) return *d;
    }
    ADD_FAILURE() << "case " << c.number << " has no acceptance notice";
    return {};
  }

  // Runs inside Accept between the notice's pre-signing and the write (when set).
  std::function<void(std::string_view)> after_presign_;
  // Runs in a department sealer's signing thread before each signature (when set).
  std::function<void(size_t)> before_seal_;

  FakeClock clock_{T0()};
  std::unique_ptr<Calendar> national_ = Calendar::WithEmbeddedSchedules();
  // Region calendars (national plus the region's additions); filled before cases are read.
  std::map<std::string, std::unique_ptr<Calendar>, std::less<>> regional_;
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<testing::SealKeys> seal_keys_;  // outlives cases_
  std::unique_ptr<CaseService> cases_;
  std::string dir_;

  const Principal alice_ = Citizen("acct-alice", "431128199001010037", "李志强");
  const Principal bob_ = Citizen("acct-bob", "11010519491231002X", "王芳");
  const Principal clerk_ =
      Staff("acct-clerk", "window_clerk", "431128",
            {"case.read", "case.accept", "case.assist", "enterprise.register"});
  const Principal other_clerk_ =
      Staff("acct-clerk2", "window_clerk", "430181", {"case.read", "case.accept", "case.assist"});
  const Principal approver_ =
      Staff("acct-approver", "approver", "431128", {"case.read", "case.review", "case.approve"});
  const Principal head_ = Staff("acct-head", "department_head", "431128",
                                {"case.read", "case.review", "case.approve", "case.extend"});
};

TEST_P(CaseServiceTest, SubmitsWithReadableNumbersAndChecksTheForm) {
  Case first = Submit(alice_, Valid());
  EXPECT_EQ(first.number, "431128-20261126-000001");
  EXPECT_EQ(first.state, CaseState::kSubmitted);
  EXPECT_EQ(first.applicant_code, "431128199001010037");
  EXPECT_EQ(first.applicant_name, "李志强");
  EXPECT_EQ(first.matter_name, "公共场所卫生许可");
  EXPECT_EQ(first.matter_version, std::string(kMatter) + "@1");
  ASSERT_EQ(first.materials.size(), 3u);
  EXPECT_EQ(first.materials[0].state, MaterialState::kMissing);
  // The clock has not started: the whole promised limit remains.
  EXPECT_FALSE(first.clock.started_on);
  EXPECT_EQ(first.clock.remaining_working_days, 5);
  EXPECT_EQ(Submit(bob_, Valid()).number, "431128-20261126-000002");
  AdvanceDays(1);
  EXPECT_EQ(Submit(bob_, Valid()).number, "431128-20261127-000001");

  SubmitRequest bad = Valid();
  bad.form.erase("venue_name");
  bad.form["venue_kind"] = "网吧";
  bad.form["area_m2"] = "12x";
  bad.form["opened_on"] = "2026-13-01";
  bad.form["colour"] = "red";
  auto refused = cases_->Submit(alice_, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(Fields(refused.error()),
              ::testing::UnorderedElementsAre("form/venue_name", "form/area_m2", "form/venue_kind",
                                              "form/opened_on", "form/colour"));
  // The catalog's own check of a field (a FEEL unary test) with its message.
  SubmitRequest zero = Valid();
  zero.form["area_m2"] = "0";
  auto invalid = cases_->Submit(alice_, zero);
  ASSERT_FALSE(invalid.ok());
  ASSERT_THAT(Fields(invalid.error()), ElementsAre("form/area_m2"));
  EXPECT_EQ(invalid.error().fields()[0].message, "营业面积须大于0平方米");
  SubmitRequest unknown = Valid();
  unknown.matter = "no-such-matter";
  EXPECT_THAT(Fields(cases_->Submit(alice_, unknown).error()), ElementsAre("matter"));
  // A citizen applies for themself only, and only online, on a phone or at a kiosk.
  SubmitRequest other = Valid();
  other.applicant_code = "11010519491231002X";
  EXPECT_EQ(cases_->Submit(alice_, other).error().code(), ErrorCode::kForbidden);
  SubmitRequest window = Valid();
  window.channel = Channel::kWindow;
  EXPECT_THAT(Fields(cases_->Submit(alice_, window).error()), ElementsAre("channel"));
}

TEST_P(CaseServiceTest, ClerksApplyForOthersAndAreRecorded) {
  SubmitRequest r = Valid();
  r.channel = Channel::kAssisted;
  r.applicant_code = "11010519491231002x";
  r.applicant_name = "王芳";
  Case c = Submit(clerk_, r);
  EXPECT_EQ(c.clerk_account, "acct-clerk");
  EXPECT_EQ(c.submitted_by, "acct-clerk");
  EXPECT_EQ(c.applicant_code, "11010519491231002X");
  // The applicant sees the case a clerk made for her; another region's clerk may not apply here.
  EXPECT_TRUE(cases_->Get(bob_, c.number).ok());
  EXPECT_EQ(cases_->Get(alice_, c.number).error().code(), ErrorCode::kForbidden);
  EXPECT_EQ(cases_->Submit(other_clerk_, r).error().code(), ErrorCode::kForbidden);
  r.applicant_code = "11010519491231002";
  EXPECT_THAT(Fields(cases_->Submit(clerk_, r).error()), ElementsAre("applicant/code"));
}

TEST_P(CaseServiceTest, EnterprisesApplyThroughTheirRepresentativeOrAgent) {
  ASSERT_TRUE(people_->RequestSmsCode({.phone = "13800000009"}).ok());
  auto rep = people_->RegisterCitizen({.id_number = "431128199001010037",
                                       .name = "李志强",
                                       .phone = "13800000009",
                                       .code = *sms_.LatestCode("13800000009")});
  ASSERT_TRUE(rep.ok()) << rep.error().ToString();
  Principal p = Citizen(rep->id, rep->id_number, rep->name);
  ASSERT_TRUE(people_
                  ->RegisterEnterprise(p, {.uscc = "91350100M000100Y43",
                                           .name = "新田县龙泉宾馆有限公司",
                                           .legal_representative = rep->id})
                  .ok());
  SubmitRequest r = Valid();
  r.applicant_kind = ApplicantKind::kEnterprise;
  r.applicant_code = "91350100M000100Y43";
  EXPECT_EQ(cases_->Submit(p, r).error().code(), ErrorCode::kForbidden);  // no agency yet
  p.agencies.push_back({.uscc = "91350100M000100Y43",
                        .enterprise_name = "新田县龙泉宾馆有限公司",
                        .relation = people::EnterpriseRelation::kLegalRepresentative});
  Case c = Submit(p, r);
  EXPECT_EQ(c.applicant_kind, ApplicantKind::kEnterprise);
  EXPECT_EQ(c.applicant_name, "新田县龙泉宾馆有限公司");
  EXPECT_EQ(c.agent_account, rep->id);
  // A clerk applying for the enterprise must name an agent it authorised.
  r.channel = Channel::kWindow;
  r.agent_account = "acct-nobody";
  EXPECT_THAT(Fields(cases_->Submit(clerk_, r).error()), ElementsAre("applicant/agent_account"));
}

TEST_P(CaseServiceTest, IdempotencyKeyReturnsTheOriginalAndRefusesADifferentBody) {
  SubmitRequest r = Valid();
  r.idempotency_key = "k-1";
  auto first = cases_->Submit(alice_, r);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->replayed);
  clock_.Advance(std::chrono::hours(23));
  auto again = cases_->Submit(alice_, r);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->record.number, first->record.number);
  r.form["venue_name"] = "另一家宾馆";
  auto changed = cases_->Submit(alice_, r);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(Fields(changed.error()), ElementsAre("Idempotency-Key"));
  // Kept 48 h: after that the key is free again, and its next use is a new case, replayed in turn.
  clock_.Advance(std::chrono::hours(26));
  auto reused = cases_->Submit(alice_, r);
  ASSERT_TRUE(reused.ok()) << reused.error().ToString();
  EXPECT_FALSE(reused->replayed);
  EXPECT_NE(reused->record.number, first->record.number);
  auto reused_again = cases_->Submit(alice_, r);
  ASSERT_TRUE(reused_again.ok()) << reused_again.error().ToString();
  EXPECT_TRUE(reused_again->replayed);
  EXPECT_EQ(reused_again->record.number, reused->record.number);
  // The key is scoped per account: another account's k-1 is a new case.
  SubmitRequest b = Valid();
  b.idempotency_key = "k-1";
  auto other = cases_->Submit(bob_, b);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->replayed);
  EXPECT_NE(other->record.number, first->record.number);
}

TEST_P(CaseServiceTest, MaterialsAreSniffedScannedAndStoredByDigest) {
  Case c = Submit(alice_, Valid());
  auto ok =
      cases_->SupplyMaterial(alice_, c.number, 1, MaterialOrigin::kUploaded, kPdf, "制度.exe", "");
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  const CaseMaterial& m = ok->materials[1];
  EXPECT_EQ(m.state, MaterialState::kProvided);
  EXPECT_EQ(m.origin, MaterialOrigin::kUploaded);
  EXPECT_EQ(m.media_type, "application/pdf");
  EXPECT_EQ(m.content_hash, crypto::Sm3Hex(kPdf));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/materials/" + m.content_hash.substr(0, 2) + "/" +
                                      m.content_hash));
  EXPECT_EQ(*cases_->MaterialContent(alice_, c.number, 1), kPdf);
  EXPECT_EQ(cases_->MaterialContent(bob_, c.number, 1).error().code(), ErrorCode::kForbidden);

  auto virus = cases_->SupplyMaterial(alice_, c.number, 2, MaterialOrigin::kUploaded,
                                      "%PDF-1.4 " + kEicar, "a.pdf", "");
  EXPECT_EQ(virus.error().code(), ErrorCode::kRefused);
  auto text = cases_->SupplyMaterial(alice_, c.number, 2, MaterialOrigin::kUploaded, "just text",
                                     "a.pdf", "");
  EXPECT_THAT(Fields(text.error()), ElementsAre("content"));
  auto big = cases_->SupplyMaterial(alice_, c.number, 2, MaterialOrigin::kUploaded,
                                    "%PDF-" + std::string(20 * 1024 * 1024, 'x'), "a.pdf", "");
  EXPECT_EQ(big.error().code(), ErrorCode::kPayloadTooLarge);
  EXPECT_EQ(cases_->SupplyMaterial(bob_, c.number, 2, MaterialOrigin::kUploaded, kPdf, "", "")
                .error()
                .code(),
            ErrorCode::kForbidden);
  EXPECT_EQ(cases_->SupplyMaterial(alice_, c.number, 7, MaterialOrigin::kUploaded, kPdf, "", "")
                .error()
                .code(),
            ErrorCode::kNotFound);
  // The clerk's scan is recorded as such.
  auto scan = cases_->SupplyMaterial(clerk_, c.number, 2, MaterialOrigin::kClerkScan,
                                     "\x89PNG\r\n\x1a\nscan", "scan.png", "");
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->materials[2].origin, MaterialOrigin::kClerkScan);
  EXPECT_EQ(scan->materials[2].media_type, "image/png");
}

TEST_P(CaseServiceTest, DeclaredStatesFollowTheCatalog) {
  SubmitRequest r = Valid();
  r.materials = {{.name = "营业执照", .state = MaterialState::kGap},
                 {.name = "卫生管理制度", .state = MaterialState::kProofWaived},
                 {.name = "卫生检测报告", .state = MaterialState::kSupplyLater},
                 {.name = "身份证", .state = MaterialState::kGap}};
  auto refused = cases_->Submit(alice_, r);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(Fields(refused.error()),
              ::testing::UnorderedElementsAre("materials/0/state", "materials/1/state",
                                              "materials/2/due_on", "materials/3/name"));
  r.materials = {{.name = "营业执照",
                  .state = MaterialState::kProvided,
                  .origin = MaterialOrigin::kLicence,
                  .reference = "L-001"},
                 {.name = "卫生管理制度", .state = MaterialState::kGap},
                 {.name = "卫生检测报告", .state = MaterialState::kProofWaived}};
  Case c = Submit(alice_, r);
  EXPECT_EQ(c.materials[0].state, MaterialState::kProvided);
  EXPECT_EQ(c.materials[1].state, MaterialState::kGap);
  EXPECT_EQ(c.materials[2].state, MaterialState::kProofWaived);
  // 容缺受理: the core material is there, the gap is on the list: accepted, and the notice says
  // what is missing; the result waits for the gap.
  auto accepted = cases_->Accept(clerk_, c.number, {});
  ASSERT_TRUE(accepted.ok()) << accepted.error().ToString();
  auto doc = cases_->ReadDocument(c.number, accepted->documents.back().id);
  ASSERT_TRUE(doc.ok());
  EXPECT_THAT(doc->content, HasSubstr("\"gap_materials\":[{\"name\":\"卫生管理制度\"}]"));
  auto held = cases_->Approve(approver_, c.number, {});
  EXPECT_EQ(held.error().code(), ErrorCode::kRefused);
  EXPECT_THAT(Fields(held.error()), ElementsAre("materials/1"));
  ASSERT_TRUE(
      cases_->SupplyMaterial(alice_, c.number, 1, MaterialOrigin::kUploaded, kPdf, "x.pdf", "")
          .ok());
  EXPECT_TRUE(cases_->Approve(approver_, c.number, {}).ok());
}

TEST_P(CaseServiceTest, GapsNeedEveryCoreMaterial) {
  SubmitRequest r = Valid();
  r.materials = {{.name = "卫生管理制度", .state = MaterialState::kGap},
                 {.name = "卫生检测报告", .state = MaterialState::kProofWaived}};
  Case c = Submit(alice_, r);
  auto refused = cases_->Accept(clerk_, c.number, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kRefused);
  EXPECT_THAT(refused.error().fields()[0].message, HasSubstr("营业执照"));
}

TEST_P(CaseServiceTest, TheLifecycleToAnArchivedDecision) {
  Case c = Submit(alice_, Valid());
  // Nothing supplied: acceptance is refused listing every missing material.
  auto incomplete = cases_->Accept(clerk_, c.number, {});
  ASSERT_FALSE(incomplete.ok());
  EXPECT_EQ(incomplete.error().code(), ErrorCode::kRefused);
  EXPECT_THAT(Fields(incomplete.error()), ElementsAre("materials/0", "materials/1", "materials/2"));
  // Only the clerk of the matter's region may act; the applicant may not accept.
  EXPECT_EQ(cases_->Accept(other_clerk_, c.number, {}).error().code(), ErrorCode::kForbidden);
  EXPECT_EQ(cases_->Accept(alice_, c.number, {}).error().code(), ErrorCode::kForbidden);
  // ONE correction notice listing everything; a second for something new is refused.
  auto notice = cases_->RequestCorrection(clerk_, c.number, {"营业执照", "卫生管理制度"}, {});
  ASSERT_TRUE(notice.ok()) << notice.error().ToString();
  EXPECT_EQ(notice->state, CaseState::kCorrectionRequested);
  auto second = cases_->RequestCorrection(clerk_, c.number, {"卫生检测报告"}, {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::kRefused);
  EXPECT_THAT(Fields(second.error()), ElementsAre("items/0"));
  // The clerk fixes a typo on the spot; a stale version is refused.
  auto fixed = cases_->FixForm(clerk_, c.number, {{"venue_name", "龙泉大宾馆"}},
                               {.expected_version = notice->version});
  ASSERT_TRUE(fixed.ok()) << fixed.error().ToString();
  EXPECT_EQ(fixed->form.at("venue_name"), "龙泉大宾馆");
  EXPECT_EQ(
      cases_
          ->FixForm(clerk_, c.number, {{"venue_name", "x"}}, {.expected_version = notice->version})
          .error()
          .code(),
      ErrorCode::kVersionMismatch);
  EXPECT_THAT(Fields(cases_->FixForm(clerk_, c.number, {{"venue_kind", "网吧"}}, {}).error()),
              ElementsAre("form/venue_kind"));
  // Supplied; accepted on Monday 2026-11-30: 5 working days from the day after.
  ASSERT_TRUE(
      cases_->SupplyMaterial(alice_, c.number, 0, MaterialOrigin::kLicence, "", "", "L-1").ok());
  ASSERT_TRUE(
      cases_->SupplyMaterial(alice_, c.number, 1, MaterialOrigin::kUploaded, kPdf, "a.pdf", "")
          .ok());
  ASSERT_TRUE(
      cases_->SupplyMaterial(alice_, c.number, 2, MaterialOrigin::kUploaded, kPdf, "b.pdf", "")
          .ok());
  AdvanceDays(4);
  auto accepted = cases_->Accept(clerk_, c.number, {});
  ASSERT_TRUE(accepted.ok()) << accepted.error().ToString();
  EXPECT_EQ(accepted->state, CaseState::kUnderReview);
  EXPECT_EQ(accepted->clock.started_on->ToString(), "2026-11-30");
  EXPECT_EQ(accepted->clock.due_on->ToString(), "2026-12-07");
  EXPECT_EQ(accepted->clock.remaining_working_days, 5);
  AdvanceDays(2);  // Wednesday
  EXPECT_EQ(cases_->Get(alice_, c.number)->clock.remaining_working_days, 3);
  // 受审分离: the accepting clerk cannot decide, even holding case.approve.
  Principal clerk_approver = clerk_;
  clerk_approver.grants.push_back(Grant("approver", "431128", {"case.approve"}));
  EXPECT_EQ(cases_->Approve(clerk_approver, c.number, {}).error().code(), ErrorCode::kRefused);
  EXPECT_EQ(cases_->Approve(clerk_, c.number, {}).error().code(), ErrorCode::kForbidden);
  auto approved = cases_->Approve(approver_, c.number, {});
  ASSERT_TRUE(approved.ok()) << approved.error().ToString();
  EXPECT_EQ(approved->state, CaseState::kApproved);
  EXPECT_EQ(cases_->Withdraw(alice_, c.number, {}).error().code(), ErrorCode::kConflict);
  auto concluded = cases_->Conclude(approver_, c.number, {});
  ASSERT_TRUE(concluded.ok());
  EXPECT_EQ(concluded->state, CaseState::kConcluded);
  // Archived: read-only.
  auto late = cases_->SupplyMaterial(alice_, c.number, 1, MaterialOrigin::kUploaded, kPdf, "", "");
  EXPECT_EQ(late.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(late.error().message(), HasSubstr("archived"));
  // Documents: correction notice, acceptance notice, approval decision, each sealed.
  std::vector<DocumentKind> kinds;
  for (const Document& d : concluded->documents) kinds.push_back(d.kind);
  EXPECT_THAT(kinds, ElementsAre(DocumentKind::kCorrectionNotice, DocumentKind::kAcceptanceNotice,
                                 DocumentKind::kApprovalDecision));
  for (const Document& listed : concluded->documents) {
    auto d = cases_->GetDocument(alice_, c.number, listed.id);
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(*cases_->VerifyDocument(*d)) << d->content;
    Document forged = *d;
    forged.content.replace(forged.content.find("李志强"), 9, "王五某");
    EXPECT_FALSE(*cases_->VerifyDocument(forged));
  }
  // The trace holds every step in order, and verifies.
  auto events = trace_->Read("case/" + c.id, 0, 100);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> actions;
  for (const auto& e : *events) actions.push_back(e.action);
  EXPECT_THAT(actions, ElementsAre("case.submitted", "case.correction_requested", "case.form_fixed",
                                   "case.material_supplied", "case.material_supplied",
                                   "case.material_supplied", "case.accepted", "case.approved",
                                   "case.concluded"));
  EXPECT_THAT((*events)[2].payload, HasSubstr("\"old\":\"龙泉宾馆\""));
  EXPECT_TRUE(trace_->Verify()->ok());
}

TEST_P(CaseServiceTest, ThePreSignedAcceptanceSealIsKeptAndVerifiesWithTheDepartmentsKey) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  // The first acceptance of the department creates its key in the key store, inside its
  // transaction, and signs there. From then on the notice is signed before the write with the
  // key as last seen, and the signature is kept when the transaction finds that key active.
  Case first = Complete(alice_);
  ASSERT_TRUE(cases_->Accept(clerk_, first.number, {}).ok());
  EXPECT_EQ(cases_->Seals().signed_in_transaction, 1);
  EXPECT_EQ(cases_->Seals().presigned_kept, 0);
  Case second = Complete(bob_);
  std::string presigned_from;
  after_presign_ = [&](std::string_view number) { presigned_from = std::string(number); };
  auto accepted = cases_->Accept(clerk_, second.number, {});
  ASSERT_TRUE(accepted.ok()) << accepted.error().ToString();
  EXPECT_EQ(presigned_from, second.number);
  EXPECT_EQ(cases_->Seals().presigned_kept, 1);
  EXPECT_EQ(cases_->Seals().signed_in_transaction, 1);
  Document notice = AcceptanceNoticeOf(*accepted);
  EXPECT_THAT(notice.content, HasSubstr(second.number));
  EXPECT_EQ(notice.department, accepted->department);
  auto verified = cases_->VerifyDocument(notice);
  ASSERT_TRUE(verified.ok()) << verified.error().ToString();
  EXPECT_TRUE(*verified);
  // The seal is the department's key in the key store, certified by the installation root;
  // its certificate's key verifies the notice; a changed text does not.
  auto stored = seal_keys_->store->Certificate(notice.key_id);
  ASSERT_TRUE(stored.ok()) << stored.error().ToString();
  EXPECT_EQ(stored->owner, notice.department);
  auto sealed_by = cases_->SealKeyOf(notice);
  ASSERT_TRUE(sealed_by.ok()) << sealed_by.error().ToString();
  EXPECT_EQ(sealed_by->certificate_pem, stored->certificate_pem);
  auto root = seal_keys_->store->Root();
  ASSERT_TRUE(root.ok());
  EXPECT_TRUE(keys::IsSignedBy(sealed_by->certificate_pem, root->certificate_pem).value_or(false));
  auto key = crypto::Sm2Key::FromPublicPem(sealed_by->public_pem);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->id(), notice.key_id);
  auto der = crypto::FromHex(notice.signature);
  ASSERT_TRUE(der.ok());
  auto by_key = key->Verify(notice.content, *der);
  ASSERT_TRUE(by_key.ok());
  EXPECT_TRUE(*by_key);
  Document forged = notice;
  forged.content.replace(forged.content.find(second.number), second.number.size(), first.number);
  auto forged_verified = cases_->VerifyDocument(forged);
  ASSERT_TRUE(forged_verified.ok());
  EXPECT_FALSE(*forged_verified);
  // Claimed for another department, the same seal is not that department's.
  Document elsewhere = notice;
  elsewhere.department = "430181-scjgj";
  EXPECT_FALSE(cases_->VerifyDocument(elsewhere).value_or(true));
}

// Group sealing: acceptances sealing their notices at the same time share one SM2 signature over
// the SM3 Merkle root of their texts; each notice verifies with its inclusion proof, and a
// changed text, proof or key is named.
TEST_P(CaseServiceTest, ConcurrentAcceptancesShareOneSignatureAndEachNoticeVerifies) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  for (int i = 0; i < 2; ++i) {  // the department's key is created, then cached
    Case warm = Complete(alice_);
    ASSERT_TRUE(cases_->Accept(clerk_, warm.number, {}).ok());
  }
  constexpr int kCases = 8;
  std::vector<Case> cases;
  for (int i = 0; i < kCases; ++i) cases.push_back(Complete(i % 2 == 0 ? alice_ : bob_));
  const SealCounts before = cases_->Seals();
  // The first signature from here on is held until every other acceptance has queued its notice
  // behind it (as the group commit test holds its first batch): they share the next one.
  std::atomic<bool> held{false};
  before_seal_ = [&](size_t) {
    if (held.exchange(true)) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (cases_->Seals().queued < kCases - 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
  };
  std::vector<std::thread> clerks;
  std::atomic<int> accepted{0};
  for (int i = 0; i < kCases; ++i) {
    clerks.emplace_back([&, i] {
      auto a = cases_->Accept(clerk_, cases[i].number, {});
      EXPECT_TRUE(a.ok()) << a.error().ToString();
      if (a.ok()) ++accepted;
    });
  }
  for (auto& t : clerks) t.join();
  before_seal_ = nullptr;
  ASSERT_EQ(accepted.load(), kCases);
  const SealCounts after = cases_->Seals();
  EXPECT_EQ(after.batch_documents - before.batch_documents, kCases);
  EXPECT_EQ(after.batch_signatures - before.batch_signatures, 2);  // the held one, the other 7
  EXPECT_EQ(after.presigned_kept - before.presigned_kept, kCases);
  EXPECT_EQ(after.signed_in_transaction, before.signed_in_transaction);
  int in_batch = 0;
  for (const Case& c : cases) {
    Document notice = AcceptanceNoticeOf(*cases_->Read(c.number));
    auto problem = cases_->DocumentSealProblem(notice);
    ASSERT_TRUE(problem.ok()) << problem.error().ToString();
    EXPECT_EQ(*problem, "") << c.number;
    EXPECT_TRUE(cases_->VerifyDocument(notice).value_or(false));
    Document forged = notice;
    forged.content.replace(forged.content.find(c.number), c.number.size(),
                           cases[0].number == c.number ? cases[1].number : cases[0].number);
    if (notice.seal_proof.empty()) {
      EXPECT_THAT(cases_->DocumentSealProblem(forged).value_or(""),
                  HasSubstr("not the department key's signature of the document's text"));
      continue;
    }
    ++in_batch;
    EXPECT_THAT(notice.seal_proof, HasSubstr(fmt::format("\"tree_size\":{}", kCases - 1)));
    EXPECT_THAT(cases_->DocumentSealProblem(forged).value_or(""),
                HasSubstr("do not lead to the batch root"));
    EXPECT_FALSE(cases_->VerifyDocument(forged).value_or(true));
    // A proof step changed: the text no longer leads to the signed root.
    forged = notice;
    const size_t step = forged.seal_proof.find("\"audit_path\":[\"") + 15;
    forged.seal_proof[step] = forged.seal_proof[step] == 'a' ? 'b' : 'a';
    EXPECT_THAT(cases_->DocumentSealProblem(forged).value_or(""),
                HasSubstr("do not lead to the batch root"));
    // Another key id than the department's is named as such.
    forged = notice;
    forged.key_id = std::string(64, '0');
    EXPECT_THAT(cases_->DocumentSealProblem(forged).value_or(""), HasSubstr("no e-seal key"));
  }
  EXPECT_EQ(in_batch, kCases - 1);
}

// 电子印章 rotation by another process (`tongban licence keys rotate` beside the server): the
// retired key keeps verifying what it sealed; the next notice, signed ahead with the key this
// process last saw, is signed again with the new one inside its transaction.
TEST_P(CaseServiceTest, ARotatedSealKeepsItsDocumentsVerifyingAndSealsNoMore) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  Case first = Complete(alice_);
  auto before = cases_->Accept(clerk_, first.number, {});
  ASSERT_TRUE(before.ok()) << before.error().ToString();
  const Document old_notice = AcceptanceNoticeOf(*before);
  const std::string name =
      nlohmann::json::parse(old_notice.content).at("department").at("name").get<std::string>();
  keys::KeyStore other_process(*db_, seal_keys_->ring, clock_);
  auto rotated = other_process.Rotate({.code = before->department, .name = name});
  ASSERT_TRUE(rotated.ok()) << rotated.error().ToString();
  ASSERT_NE(rotated->key_id, old_notice.key_id);
  Case second = Complete(bob_);
  std::string presigned_from;
  after_presign_ = [&](std::string_view number) { presigned_from = std::string(number); };
  auto after = cases_->Accept(clerk_, second.number, {});
  ASSERT_TRUE(after.ok()) << after.error().ToString();
  EXPECT_EQ(presigned_from, second.number);      // signed ahead, with the retired key ...
  EXPECT_EQ(cases_->Seals().presigned_kept, 0);  // ... so not kept
  EXPECT_EQ(cases_->Seals().signed_in_transaction, 2);
  const Document new_notice = AcceptanceNoticeOf(*after);
  EXPECT_EQ(new_notice.key_id, rotated->key_id);
  EXPECT_TRUE(cases_->VerifyDocument(new_notice).value_or(false));
  EXPECT_TRUE(cases_->VerifyDocument(old_notice).value_or(false));
}

// Documents sealed before the key store sealed case documents name a key of the old
// case_department_key table (its private part erased by migration 0204): they keep verifying
// by its public key, without a certificate.
TEST_P(CaseServiceTest, ADocumentSealedWithAPreKeyStoreKeyStillVerifies) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  Case c = Complete(alice_);
  auto accepted = cases_->Accept(clerk_, c.number, {});
  ASSERT_TRUE(accepted.ok()) << accepted.error().ToString();
  Document d = AcceptanceNoticeOf(*accepted);
  auto old_key = crypto::Sm2Key::Generate();
  ASSERT_TRUE(old_key.ok());
  const std::string old_id = old_key->id();
  const std::string public_pem = old_key->PublicPem().value();
  const std::string department = d.department;
  ASSERT_TRUE(
      db_->Transaction(
             store::TxKind::kWrite,
             [&](soci::session& sql) -> Status {
               sql << "INSERT INTO case_department_key (department_code, key_id, private_pem, "
                      "public_pem, created_at) VALUES (:d, :k, '', :p, 0)",
                   soci::use(department, "d"), soci::use(old_id, "k"), soci::use(public_pem, "p");
               return Ok();
             })
          .ok());
  d.key_id = old_id;
  d.signature = crypto::ToHex(old_key->Sign(d.content).value());
  EXPECT_TRUE(cases_->VerifyDocument(d).value_or(false));
  auto sealed_by = cases_->SealKeyOf(d);
  ASSERT_TRUE(sealed_by.ok()) << sealed_by.error().ToString();
  EXPECT_EQ(sealed_by->public_pem, public_pem);
  EXPECT_TRUE(sealed_by->certificate_pem.empty());
  // A key of no department's is nobody's seal.
  auto stranger = crypto::Sm2Key::Generate();
  d.key_id = stranger->id();
  d.signature = crypto::ToHex(stranger->Sign(d.content).value());
  EXPECT_FALSE(cases_->VerifyDocument(d).value_or(true));
  EXPECT_EQ(cases_->SealKeyOf(d).error().code(), ErrorCode::kNotFound);
}

TEST_P(CaseServiceTest, ACaseChangedAfterThePreSignatureGetsAFreshVerifyingSeal) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  Case warm = Complete(alice_);  // the department's key is created (and cached)
  ASSERT_TRUE(cases_->Accept(clerk_, warm.number, {}).ok());
  // 容缺: the notice signed before the write lists the gap material ...
  SubmitRequest r = Valid();
  r.materials = {{.name = "营业执照",
                  .state = MaterialState::kProvided,
                  .origin = MaterialOrigin::kLicence,
                  .reference = "L-001"},
                 {.name = "卫生管理制度", .state = MaterialState::kGap},
                 {.name = "卫生检测报告", .state = MaterialState::kProofWaived}};
  Case c = Submit(bob_, r);
  ASSERT_EQ(c.materials[1].state, MaterialState::kGap);
  // ... and is supplied between that signature and the write.
  after_presign_ = [&](std::string_view number) {
    after_presign_ = nullptr;
    auto supplied = cases_->SupplyMaterial(bob_, std::string(number), 1, MaterialOrigin::kUploaded,
                                           kPdf, "制度.pdf", "");
    EXPECT_TRUE(supplied.ok()) << supplied.error().ToString();
  };
  const SealCounts before = cases_->Seals();
  auto accepted = cases_->Accept(clerk_, c.number, {});
  ASSERT_TRUE(accepted.ok()) << accepted.error().ToString();
  EXPECT_EQ(accepted->materials[1].state, MaterialState::kProvided);
  EXPECT_EQ(cases_->Seals().signed_in_transaction, before.signed_in_transaction + 1);
  EXPECT_EQ(cases_->Seals().presigned_kept, before.presigned_kept);
  Document notice = AcceptanceNoticeOf(*accepted);
  EXPECT_THAT(notice.content, HasSubstr("\"gap_materials\":[]"));
  auto verified = cases_->VerifyDocument(notice);
  ASSERT_TRUE(verified.ok()) << verified.error().ToString();
  EXPECT_TRUE(*verified);
}

TEST_P(CaseServiceTest, RefusalDenialAndWithdrawal) {
  Case refused_case = Submit(alice_, Valid());
  auto no_agency = cases_->Refuse(clerk_, refused_case.number, "不属于本部门职权范围", "", {});
  EXPECT_THAT(Fields(no_agency.error()), ElementsAre("competent_agency"));
  auto refused = cases_->Refuse(clerk_, refused_case.number, "不属于本部门职权范围",
                                "永州市市场监督管理局", {});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->state, CaseState::kRefused);
  auto refusal = cases_->ReadDocument(refused_case.number, refused->documents[0].id);
  EXPECT_THAT(refusal->content, HasSubstr("永州市市场监督管理局"));
  EXPECT_EQ(cases_->Accept(clerk_, refused_case.number, {}).error().code(), ErrorCode::kConflict);

  Case denied_case = Complete(alice_);
  ASSERT_TRUE(cases_->Accept(clerk_, denied_case.number, {}).ok());
  EXPECT_THAT(Fields(cases_->Deny(approver_, denied_case.number, "", {}).error()),
              ElementsAre("reasons"));
  auto denied = cases_->Deny(approver_, denied_case.number, "场所面积不符合卫生规范", {});
  ASSERT_TRUE(denied.ok());
  auto decision = cases_->ReadDocument(denied_case.number, denied->documents.back().id);
  EXPECT_EQ(decision->kind, DocumentKind::kDenialDecision);
  EXPECT_THAT(decision->content, HasSubstr("行政复议"));
  EXPECT_THAT(decision->content, HasSubstr("\"reconsideration_days\":60"));
  EXPECT_TRUE(*cases_->VerifyDocument(*decision));

  Case withdrawn = Submit(alice_, Valid());
  EXPECT_EQ(cases_->Withdraw(bob_, withdrawn.number, {}).error().code(), ErrorCode::kForbidden);
  auto w = cases_->Withdraw(alice_, withdrawn.number, {});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->state, CaseState::kWithdrawn);
}

TEST_P(CaseServiceTest, SilenceForFiveWorkingDaysCountsAsAcceptance) {
  Case c = Submit(alice_, Valid());  // Thursday 2026-11-26; the 5th working day is 12-03
  AdvanceDays(7);                    // 12-03: still in time
  EXPECT_TRUE(cases_->DeemedAccepted(std::nullopt)->empty());
  AdvanceDays(1);  // 12-04
  auto deemed = cases_->DeemedAccepted(std::nullopt);
  ASSERT_EQ(deemed->size(), 1u);
  EXPECT_EQ((*deemed)[0].number, c.number);
  auto late = cases_->RequestCorrection(clerk_, c.number, {"营业执照"}, {});
  EXPECT_EQ(late.error().code(), ErrorCode::kRefused);
  EXPECT_THAT(late.error().message(), HasSubstr("第32条"));
  Complete(alice_);
  ASSERT_TRUE(
      cases_->SupplyMaterial(alice_, c.number, 0, MaterialOrigin::kLicence, "", "", "L").ok());
  ASSERT_TRUE(
      cases_->SupplyMaterial(alice_, c.number, 1, MaterialOrigin::kUploaded, kPdf, "", "").ok());
  ASSERT_TRUE(
      cases_->SupplyMaterial(alice_, c.number, 2, MaterialOrigin::kUploaded, kPdf, "", "").ok());
  auto accepted = cases_->Accept(clerk_, c.number, {});
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->clock.started_on->ToString(), "2026-11-26");
  EXPECT_EQ(accepted->clock.due_on->ToString(), "2026-12-03");
  EXPECT_TRUE(accepted->clock.overdue);
  EXPECT_EQ(accepted->clock.remaining_working_days, -1);
}

TEST_P(CaseServiceTest, SuspensionStopsTheClockAndOneExtensionAddsTen) {
  Case c = Complete(alice_);
  ASSERT_TRUE(cases_->Accept(clerk_, c.number, {}).ok());  // due 2026-12-03
  AdvanceDays(1);                                          // Friday 11-27
  EXPECT_EQ(cases_->Suspend(clerk_, c.number, SuspensionReason::kTesting, 5, {}).error().code(),
            ErrorCode::kForbidden);
  auto suspended = cases_->Suspend(approver_, c.number, SuspensionReason::kTesting, 5, {});
  ASSERT_TRUE(suspended.ok()) << suspended.error().ToString();
  EXPECT_EQ(suspended->clock.remaining_working_days, 4);
  EXPECT_EQ(suspended->documents.back().kind, DocumentKind::kSuspensionNotice);
  AdvanceDays(4);  // Tuesday 12-01: 2 working days stood still
  EXPECT_EQ(cases_->Get(alice_, c.number)->clock.remaining_working_days, 4);
  auto resumed = cases_->Resume(approver_, c.number, {});
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->suspended_days, 2);
  EXPECT_EQ(resumed->clock.due_on->ToString(), "2026-12-07");
  EXPECT_EQ(resumed->clock.remaining_working_days, 4);
  // One extension of 10 working days, only with case.extend, only once, with reasons.
  EXPECT_EQ(cases_->Extend(approver_, c.number, "需要现场核查", {}).error().code(),
            ErrorCode::kForbidden);
  EXPECT_THAT(Fields(cases_->Extend(head_, c.number, "", {}).error()), ElementsAre("reasons"));
  auto extended = cases_->Extend(head_, c.number, "需要组织专家现场核查", {});
  ASSERT_TRUE(extended.ok()) << extended.error().ToString();
  EXPECT_EQ(extended->clock.due_on->ToString(), "2026-12-21");
  EXPECT_EQ(extended->clock.remaining_working_days, 14);
  EXPECT_EQ(cases_->Extend(head_, c.number, "再次延长", {}).error().code(), ErrorCode::kRefused);
  auto notice = cases_->ReadDocument(c.number, extended->documents.back().id);
  EXPECT_THAT(notice->content, HasSubstr("\"extension_working_days\":10"));
}

TEST_P(CaseServiceTest, ACountysOwnHolidayMovesItsCasesDueDayOnly) {
  auto holiday_in = [this](const std::string& region) {
    auto calendar = Calendar::WithEmbeddedSchedules(region);
    Status loaded = calendar->LoadYear({.region = region,
                                        .year = 2026,
                                        .source = "县人民政府通知",
                                        .holidays = {{.name = "县庆",
                                                      .from = *Date::Parse("2026-12-02"),
                                                      .to = *Date::Parse("2026-12-02"),
                                                      .make_up_working_days = {}}}});
    EXPECT_TRUE(loaded.ok()) << loaded.error().ToString();
    regional_[region] = std::move(calendar);
  };
  // Another county's holiday leaves a 新田 case's due day where the national calendar puts it.
  holiday_in("430181");
  Case c = Complete(alice_);
  auto accepted = cases_->Accept(clerk_, c.number, {});
  ASSERT_TRUE(accepted.ok()) << accepted.error().ToString();
  EXPECT_EQ(accepted->region, "431128");
  EXPECT_EQ(accepted->clock.due_on->ToString(), "2026-12-03");
  EXPECT_EQ(accepted->clock.remaining_working_days, 5);
  // 新田's own holiday on Wednesday 12-02 moves it to Friday, and counts one day fewer.
  holiday_in("431128");
  auto moved = cases_->Get(alice_, c.number);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->clock.due_on->ToString(), "2026-12-04");
  EXPECT_EQ(moved->clock.remaining_working_days, 5);
  EXPECT_EQ(national_->AddWorkingDays(*Date::Parse("2026-11-26"), 5)->date.ToString(),
            "2026-12-03");
}

TEST_P(CaseServiceTest, TheCommitmentSignatureIsStoredOnceAndTraced) {
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "签名笔画";
  Case online = Submit(alice_, Valid());
  // Unsigned: none listed, no bytes.
  auto none = cases_->GetCommitmentSignature(alice_, online.number);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(cases_->CommitmentSignatureContent(alice_, online.number).error().code(),
            ErrorCode::kNotFound);
  // Not a PNG, or too large: refused before anything is stored.
  EXPECT_EQ(cases_->SignCommitments(alice_, online.number, "%PDF-1.4").error().code(),
            ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(cases_->SignCommitments(alice_, online.number, png + std::string(600 * 1024, 'x'))
                .error()
                .code(),
            ErrorCode::kPayloadTooLarge);
  // Staff hold the pad only at a kiosk or window: not for an online case, nor another region.
  EXPECT_EQ(cases_->SignCommitments(clerk_, online.number, png).error().code(),
            ErrorCode::kForbidden);
  EXPECT_EQ(cases_->SignCommitments(bob_, online.number, png).error().code(),
            ErrorCode::kForbidden);
  // The applicant signs: stored content-addressed, traced, readable back.
  auto first = cases_->SignCommitments(alice_, online.number, png);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_FALSE(first->replayed);
  EXPECT_EQ(first->signature.content_hash, crypto::Sm3Hex(png));
  EXPECT_EQ(first->signature.size, static_cast<int64_t>(png.size()));
  EXPECT_EQ(first->signature.signed_by, "acct-alice");
  EXPECT_EQ(*cases_->CommitmentSignatureContent(clerk_, online.number), png);
  auto listed = cases_->GetCommitmentSignature(clerk_, online.number);
  ASSERT_TRUE(listed.ok() && listed->has_value());
  EXPECT_EQ((*listed)->content_hash, crypto::Sm3Hex(png));
  auto events = trace_->Read("case/" + online.id, 0, 20);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->back().action, "case.commitment_signed");
  EXPECT_THAT(events->back().payload, HasSubstr(crypto::Sm3Hex(png)));
  // Once per case: the same bytes are idempotent, other bytes a conflict.
  auto again = cases_->SignCommitments(alice_, online.number, png);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(cases_->SignCommitments(alice_, online.number, png + "改").error().code(),
            ErrorCode::kConflict);
  EXPECT_EQ(trace_->Read("case/" + online.id, 0, 20)->size(), events->size());
  // A window case: the clerk with case.assist takes the applicant's signature on the pad.
  SubmitRequest at_window = Valid();
  at_window.channel = Channel::kWindow;
  at_window.applicant_code = "11010519491231002X";
  at_window.applicant_name = "王芳";
  Case window = Submit(clerk_, at_window);
  auto by_clerk = cases_->SignCommitments(clerk_, window.number, png);
  ASSERT_TRUE(by_clerk.ok()) << by_clerk.error().ToString();
  EXPECT_EQ(by_clerk->signature.signed_by, "acct-clerk");
  EXPECT_EQ(cases_->SignCommitments(other_clerk_, window.number, png).error().code(),
            ErrorCode::kForbidden);
}

// A drawn signature is kept the same way whether it comes with the application or afterwards:
// scanned before anything is stored (a flagged file refused, naming the field that carried it,
// and no case or signature written), then recorded as the signer's.
TEST_P(CaseServiceTest, ACommitmentSignatureIsScannedAndKeptTheSameWayOnBothPaths) {
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "签名笔画";
  // With the application: a flagged signature refuses the whole submission.
  SubmitRequest flagged = Valid();
  flagged.commitment_signature = png + kEicar;
  flagged.idempotency_key = "signed-once";
  auto refused = cases_->Submit(alice_, flagged);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kRefused);
  EXPECT_THAT(Fields(refused.error()), ElementsAre("commitment_signature"));
  // Nothing was written: the same key then submits a new case (no replay of a refused one).
  SubmitRequest clean = Valid();
  clean.commitment_signature = png;
  clean.idempotency_key = "signed-once";
  auto submitted = cases_->Submit(alice_, clean);
  ASSERT_TRUE(submitted.ok()) << submitted.error().ToString();
  EXPECT_FALSE(submitted->replayed);
  auto with = cases_->GetCommitmentSignature(alice_, submitted->record.number);
  ASSERT_TRUE(with.ok() && with->has_value());
  EXPECT_EQ((*with)->content_hash, crypto::Sm3Hex(png));
  EXPECT_EQ((*with)->size, static_cast<int64_t>(png.size()));
  EXPECT_EQ((*with)->signed_by, "acct-alice");
  EXPECT_EQ((*with)->created_at, submitted->record.received_at_ms);
  EXPECT_EQ(*cases_->CommitmentSignatureContent(alice_, submitted->record.number), png);

  // Afterwards: the same scan, naming the uploaded content; the case stays unsigned.
  Case later = Submit(alice_, Valid());
  auto flagged_later = cases_->SignCommitments(alice_, later.number, png + kEicar);
  ASSERT_FALSE(flagged_later.ok());
  EXPECT_EQ(flagged_later.error().code(), ErrorCode::kRefused);
  EXPECT_THAT(Fields(flagged_later.error()), ElementsAre("content"));
  auto none = cases_->GetCommitmentSignature(alice_, later.number);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  clock_.Advance(std::chrono::minutes(5));
  auto signed_later = cases_->SignCommitments(alice_, later.number, png);
  ASSERT_TRUE(signed_later.ok()) << signed_later.error().ToString();
  auto kept = cases_->GetCommitmentSignature(alice_, later.number);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->content_hash, crypto::Sm3Hex(png));
  EXPECT_EQ((*kept)->size, static_cast<int64_t>(png.size()));
  EXPECT_EQ((*kept)->signed_by, "acct-alice");
  EXPECT_EQ((*kept)->created_at, later.received_at_ms + 5 * 60 * 1000);
}

TEST_P(CaseServiceTest, AcceptanceQueueIsScopedAndKeysetPaged) {
  std::vector<std::string> numbers;
  for (int i = 0; i < 5; ++i) {
    numbers.push_back(Submit(i % 2 ? bob_ : alice_, Valid()).number);
    clock_.Advance(std::chrono::seconds(1));
  }
  ASSERT_TRUE(cases_->Withdraw(alice_, numbers[2], {}).ok());
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto page = cases_->AcceptanceQueue(clerk_, "431128", "", 2, cursor);
    ASSERT_TRUE(page.ok()) << page.error().ToString();
    for (const auto& s : page->items) seen.push_back(s.number);
    cursor = page->next_cursor;
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 2);
  EXPECT_THAT(seen, ElementsAre(numbers[0], numbers[1], numbers[3], numbers[4]));
  EXPECT_EQ(cases_->AcceptanceQueue(other_clerk_, "431128", "", 2, "").error().code(),
            ErrorCode::kForbidden);
  EXPECT_TRUE(cases_->AcceptanceQueue(other_clerk_, "430181", "", 2, "")->items.empty());
  EXPECT_THAT(Fields(cases_->AcceptanceQueue(clerk_, "x", "", 0, "bad").error()),
              ElementsAre("region", "limit", "cursor"));
  // The queue is answered from its index on both backends.
  auto plan = cases_->ExplainAcceptanceQueue("431128", "");
  ASSERT_TRUE(plan.ok()) << plan.error().ToString();
  std::string text;
  for (const auto& line : *plan) text += line + "\n";
  EXPECT_THAT(
      text, ::testing::AnyOf(HasSubstr("case_record_queue"), HasSubstr("case_record_state_scope")));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("Seq Scan")));
}

TEST_P(CaseServiceTest, ConcurrentSubmissionsGetDistinctNumbersWithoutGaps) {
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::string> numbers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) {
        SubmitRequest r = Valid();
        // Half of them are retries of the same request: one case per key.
        r.idempotency_key = fmt::format("t{}-{}", t, i / 2);
        auto s = cases_->Submit(t % 2 ? bob_ : alice_, r);
        if (!s.ok()) {
          ++failures;
          continue;
        }
        if (s->replayed) continue;
        std::lock_guard lock(mu);
        numbers.push_back(s->record.number);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::sort(numbers.begin(), numbers.end());
  ASSERT_EQ(numbers.size(), 16u);
  for (size_t i = 0; i < numbers.size(); ++i) {
    EXPECT_EQ(numbers[i], fmt::format("431128-20261126-{:06d}", i + 1));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseServiceTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::cases
