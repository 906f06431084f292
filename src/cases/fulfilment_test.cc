// Fees and payment, notices, delivery and termination on both backends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "cases/service.h"
#include "cases/testing.h"
#include "catalog/repository.h"
#include "keys/key_store.h"
#include "people/clock.h"
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
constexpr char kPhone[] = "13800000007";

// 2026-11-26 (a Thursday) 09:00 China Standard Time.
Timestamp T0() { return StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9); }

Principal Staff(std::string id, std::string role, std::vector<std::string> perms) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  p.account.name = "工作人员";
  people::HeldGrant g;
  g.grant.id = role + "@431128";
  g.grant.role = std::move(role);
  g.grant.scope.region = "431128";
  std::sort(perms.begin(), perms.end());
  g.permissions = std::move(perms);
  p.grants.push_back(std::move(g));
  return p;
}

Principal Citizen(std::string id, std::string id_number) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kCitizen;
  p.account.id_number = std::move(id_number);
  p.account.name = "申请人";
  people::HeldGrant g;
  g.grant.id = "applicant";
  g.grant.role = "applicant";
  g.permissions = {"case.apply", "case.read_own"};
  p.grants.push_back(std::move(g));
  return p;
}

// The cases tests' catalog with two fees on the matter.
std::string CatalogWithFees() {
  std::string yaml(kCaseTestData[0].contents);
  const std::string anchor = "    promised_limit: {value: 5, unit: working_days}\n";
  yaml.replace(yaml.find(anchor), anchor.size(),
               anchor +
                   "    fees:\n"
                   "      - {name: 工本费, amount_fen: 1000, basis: 《收费标准》}\n"
                   "      - {name: 检测费, amount_fen: 2550, basis: 《收费标准》}\n"
                   "    verification_within_days: 30\n");
  return yaml;
}

class FulfilmentTest : public ::testing::TestWithParam<store::Backend> {
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
    people_ = *people::PeopleService::Create(*db_, codes_, clock_, po);
    ASSERT_TRUE(people_->SeedRoles().ok());
    catalog_ = *catalog::CatalogService::Create(*db_, {.clock = &clock_, .observer = nullptr});
    auto imported = catalog_->ImportYaml(CatalogWithFees(), {.publish = true});
    ASSERT_TRUE(imported.ok()) << imported.error().ToString();
    trace_ = std::make_unique<trace::Trace>(
        *db_, trace::Trace::Options{.now =
                                        [this] {
                                          return std::chrono::system_clock::time_point(
                                              clock_.Now().time_since_epoch());
                                        },
                                    .signing_key = std::nullopt});
    dir_ = ::testing::TempDir() + "/fulfilment-" + std::to_string(::getpid()) + "-" +
           std::string(store::BackendName(GetParam()));
    seal_keys_ = testing::MakeSealKeys(*db_, clock_);
    auto service = CaseService::Create(
        *db_, *catalog_, *people_, *trace_,
        {.clock = &clock_, .data_dir = dir_, .sms = &notices_, .keys = seal_keys_->store.get()});
    ASSERT_TRUE(service.ok()) << service.error().ToString();
    cases_ = std::move(service).value();
    // The applicant is registered, so that the notices find the phone.
    ASSERT_TRUE(people_->RequestSmsCode({.phone = kPhone}).ok());
    auto account = people_->RegisterCitizen({.id_number = "431128199001010037",
                                             .name = "李志强",
                                             .phone = kPhone,
                                             .code = *codes_.LatestCode(kPhone)});
    ASSERT_TRUE(account.ok()) << account.error().ToString();
    alice_ = Citizen(account->id, account->id_number);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Case Submit(std::vector<MaterialDeclaration> materials = {}) {
    SubmitRequest r;
    r.matter = kMatter;
    r.form = {{"venue_name", "龙泉宾馆"}, {"area_m2", "120.5"}, {"venue_kind", "宾馆"}};
    r.materials = std::move(materials);
    auto s = cases_->Submit(alice_, r);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return s.ok() ? s->record : Case{};
  }
  // Submitted with every material, accepted.
  // An application with every material supplied, not yet accepted.
  Case Ready() {
    Case c = Submit();
    EXPECT_TRUE(
        cases_->SupplyMaterial(alice_, c.number, 0, MaterialOrigin::kLicence, "", "", "L-1").ok());
    for (int i : {1, 2}) {
      EXPECT_TRUE(
          cases_->SupplyMaterial(alice_, c.number, i, MaterialOrigin::kUploaded, kPdf, "a.pdf", "")
              .ok());
    }
    return c;
  }
  Case Accepted() {
    Case c = Ready();
    auto accepted = cases_->Accept(clerk_, c.number, {});
    EXPECT_TRUE(accepted.ok()) << accepted.error().ToString();
    return accepted.ok() ? *accepted : c;
  }
  Case Approved() {
    Case c = Accepted();
    auto approved = cases_->Approve(approver_, c.number, {});
    EXPECT_TRUE(approved.ok()) << approved.error().ToString();
    return approved.ok() ? *approved : c;
  }
  std::vector<std::string> Actions(const Case& c) {
    std::vector<std::string> out;
    auto events = trace_->Read("case/" + c.id, 0, 100);
    EXPECT_TRUE(events.ok());
    if (!events.ok()) return out;
    for (const auto& e : *events) out.push_back(e.action);
    return out;
  }

  FakeClock clock_{T0()};
  people::SimulatedSmsGateway codes_;    // the people service's one-time codes
  people::SimulatedSmsGateway notices_;  // the case notices
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<testing::SealKeys> seal_keys_;  // outlives cases_
  std::unique_ptr<CaseService> cases_;
  std::string dir_;

  Principal alice_;
  const Principal bob_ = Citizen("acct-bob", "11010519491231002X");
  const Principal clerk_ = Staff("acct-clerk", "window_clerk", {"case.read", "case.accept"});
  const Principal approver_ =
      Staff("acct-approver", "approver", {"case.read", "case.review", "case.approve"});
};

TEST_P(FulfilmentTest, FeesArePaidThroughAVerifiedCallbackThatTakesEffectOnce) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  Case c = Accepted();
  auto fees = cases_->Fees(alice_, c.number);
  ASSERT_TRUE(fees.ok());
  ASSERT_EQ(fees->size(), 2u);
  EXPECT_EQ((*fees)[1].amount_fen, 2550);
  // No order before the decision.
  EXPECT_EQ(cases_->GetPayment(alice_, c.number).error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(cases_->Approve(approver_, c.number, {}).ok());
  auto order = cases_->GetPayment(alice_, c.number);
  ASSERT_TRUE(order.ok()) << order.error().ToString();
  EXPECT_EQ(order->amount_fen, 3550);
  EXPECT_EQ(order->state, PaymentState::kDue);
  EXPECT_EQ(cases_->GetPayment(bob_, c.number).error().code(), ErrorCode::kForbidden);
  // Delivery waits for the payment.
  auto early = cases_->Deliver(clerk_, c.number, {.method = DeliveryMethod::kWindow});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::kRefused);
  EXPECT_THAT(early.error().message(), HasSubstr("35.50 元"));
  const SimulatedPaymentGateway* platform = cases_->SimulatedPayments();
  ASSERT_NE(platform, nullptr);
  // A forged or tampered notification is refused and changes nothing.
  PaymentCallback paid = platform->Pay(order->id, 3550);
  ASSERT_FALSE(paid.signature.empty());
  // Tampered: the first digit changed (a fixed prefix would equal the signature 1 time in 256).
  std::string tampered = paid.signature;
  tampered[0] = tampered[0] == '0' ? '1' : '0';
  auto refused = cases_->PaymentCallback(paid.body, tampered);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnauthenticated);
  SimulatedPaymentGateway forger("not-the-secret");
  PaymentCallback forged = forger.Pay(order->id, 3550);
  EXPECT_EQ(cases_->PaymentCallback(forged.body, forged.signature).error().code(),
            ErrorCode::kUnauthenticated);
  PaymentCallback short_paid = platform->Pay(order->id, 100);
  auto wrong = cases_->PaymentCallback(short_paid.body, short_paid.signature);
  EXPECT_EQ(wrong.error().code(), ErrorCode::kInvalidArgument);
  // A failure, then the payment; the repeated callback has no second effect.
  PaymentCallback failed = platform->Fail(order->id);
  EXPECT_EQ(cases_->PaymentCallback(failed.body, failed.signature)->state, PaymentState::kFailed);
  EXPECT_EQ(cases_->PaymentCallback(failed.body, failed.signature)->state, PaymentState::kFailed);
  auto settled = cases_->PaymentCallback(paid.body, paid.signature);
  ASSERT_TRUE(settled.ok()) << settled.error().ToString();
  EXPECT_EQ(settled->state, PaymentState::kPaid);
  EXPECT_EQ(settled->transaction_id, "SIMPAY-" + order->id);
  auto again = cases_->PaymentCallback(paid.body, paid.signature);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->settled_at, settled->settled_at);
  EXPECT_EQ(cases_->PaymentCallback(failed.body, failed.signature)->state, PaymentState::kPaid);
  EXPECT_EQ(cases_->GetPayment(alice_, c.number)->state, PaymentState::kPaid);
  // Free mailing with a tracking number; delivered once.
  EXPECT_EQ(cases_->Deliver(clerk_, c.number, {.method = DeliveryMethod::kMail})
                .error()
                .fields()[0]
                .field,
            "address");
  EXPECT_EQ(cases_->Deliver(alice_, c.number, {.method = DeliveryMethod::kWindow}).error().code(),
            ErrorCode::kForbidden);
  auto mailed = cases_->Deliver(
      clerk_, c.number, {.method = DeliveryMethod::kMail, .address = "新田县龙泉镇新华路1号"});
  ASSERT_TRUE(mailed.ok()) << mailed.error().ToString();
  EXPECT_EQ(mailed->tracking_number, "SIM0000000001");
  EXPECT_EQ(mailed->method, DeliveryMethod::kMail);
  EXPECT_EQ(cases_->Deliver(clerk_, c.number, {.method = DeliveryMethod::kWindow}).error().code(),
            ErrorCode::kConflict);
  EXPECT_THAT(Actions(c),
              ElementsAre("case.submitted", "case.material_supplied", "case.material_supplied",
                          "case.material_supplied", "case.accepted", "case.approved",
                          "case.payment_failed", "case.paid", "case.delivered"));
  EXPECT_TRUE(trace_->Verify()->ok());
}

TEST_P(FulfilmentTest, AWaiverRecordsItsReasonAndReleasesTheDelivery) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  Case c = Approved();
  EXPECT_EQ(cases_->WaiveFees(approver_, c.number, "").error().fields()[0].field, "reason");
  EXPECT_EQ(cases_->WaiveFees(clerk_, c.number, "低保户").error().code(), ErrorCode::kForbidden);
  auto waived = cases_->WaiveFees(approver_, c.number, "最低生活保障对象，免收工本费");
  ASSERT_TRUE(waived.ok()) << waived.error().ToString();
  EXPECT_EQ(waived->state, PaymentState::kWaived);
  EXPECT_EQ(waived->waived_by, "acct-approver");
  EXPECT_EQ(cases_->WaiveFees(approver_, c.number, "again").error().code(), ErrorCode::kConflict);
  // A late payment notification after the waiver takes no effect.
  PaymentCallback paid = cases_->SimulatedPayments()->Pay(waived->id, 3550);
  EXPECT_EQ(cases_->PaymentCallback(paid.body, paid.signature)->state, PaymentState::kWaived);
  auto delivered = cases_->Deliver(clerk_, c.number, {.method = DeliveryMethod::kElectronic});
  ASSERT_TRUE(delivered.ok()) << delivered.error().ToString();
  EXPECT_EQ(delivered->delivered_on->ToString(), "2026-11-26");
}

TEST_P(FulfilmentTest, TheDeliveryStepIsDueTenWorkingDaysAfterTheDecision) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  Case c = Accepted();
  EXPECT_EQ(cases_->GetDelivery(alice_, c.number).error().code(), ErrorCode::kNotFound);
  // A denial is delivered too, and needs no payment.
  ASSERT_TRUE(cases_->Deny(approver_, c.number, "场所面积不符合要求", {}).ok());
  EXPECT_EQ(cases_->GetPayment(alice_, c.number).error().code(), ErrorCode::kNotFound);
  auto step = cases_->GetDelivery(alice_, c.number);
  ASSERT_TRUE(step.ok()) << step.error().ToString();
  EXPECT_EQ(step->decided_on.ToString(), "2026-11-26");
  EXPECT_EQ(step->due_on.ToString(), "2026-12-10");  // Thursday + 10 working days
  EXPECT_FALSE(step->overdue);
  clock_.Advance(std::chrono::hours(24 * 15));
  EXPECT_TRUE(cases_->GetDelivery(alice_, c.number)->overdue);
  ASSERT_TRUE(cases_->Deliver(clerk_, c.number, {.method = DeliveryMethod::kWindow}).ok());
  EXPECT_FALSE(cases_->GetDelivery(alice_, c.number)->overdue);
}

TEST_P(FulfilmentTest, NoticesReachTheApplicantOnceBySmsAndOnThePortal) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  Case c = Approved();
  // accepted, payment_due, approved: each sent once, newest first on the portal.
  auto notices = cases_->Notices(alice_, false, 50);
  ASSERT_TRUE(notices.ok()) << notices.error().ToString();
  std::vector<std::string> kinds;
  for (const Notice& n : *notices) kinds.push_back(n.kind);
  EXPECT_THAT(kinds, ::testing::UnorderedElementsAre("approved", "payment_due", "accepted"));
  EXPECT_EQ(kinds.back(), "accepted");
  for (const Notice& n : *notices) EXPECT_TRUE(n.sms_sent) << n.kind;
  auto sent = notices_.Outbox(kPhone, 10);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_THAT(sent.back().text, HasSubstr("已受理，承诺办结日期2026-12-03"));
  EXPECT_EQ(*cases_->DrainNotices(), 0);
  // Sent but not marked (a crash between the two): the next drain resends with the same id and
  // the gateway drops the repeat.
  auto reset =
      db_->Transaction<bool>(store::TxKind::kWrite, [&](soci::session& sql) -> Result<bool> {
        sql << "UPDATE case_notice SET sms_state = 'pending'";
        return true;
      });
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(*cases_->DrainNotices(), 3);
  EXPECT_EQ(notices_.Outbox(kPhone, 10).size(), 3u);
  // Read and unread; nobody else sees or marks them.
  const std::string first = notices->back().id;
  EXPECT_EQ(cases_->MarkNoticeRead(bob_, first).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(cases_->MarkNoticeRead(alice_, first).ok());
  EXPECT_EQ(cases_->Notices(alice_, true, 50)->size(), 2u);
  EXPECT_EQ(cases_->Notices(alice_, false, 50)->size(), 3u);
  EXPECT_TRUE(cases_->Notices(bob_, false, 50)->empty());
  EXPECT_EQ(cases_->Notices(alice_, false, 0).error().fields()[0].field, "limit");
}

// A gateway that holds its first message until released, and records which thread sent what.
class HeldGateway : public people::SmsGateway {
 public:
  Status Send(const people::SmsMessage& m) override {
    std::unique_lock lock(mu_);
    sent_.emplace_back(m.text, std::this_thread::get_id());
    entered_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
    return Ok();
  }
  void WaitEntered() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  std::vector<std::pair<std::string, std::thread::id>> Sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false, released_ = false;
  std::vector<std::pair<std::string, std::thread::id>> sent_;
};

// A step sends one round of the outbox before it answers (its own notice among it when nothing
// else is sending); what other steps commit meanwhile goes out from the notifier thread, not
// from the request that happened to drain first (under a steady load one drained for seconds).
TEST_P(FulfilmentTest, AStepSendsOneRoundOfNoticesAndLeavesTheRestToTheNotifier) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  HeldGateway held;
  auto service = CaseService::Create(
      *db_, *catalog_, *people_, *trace_,
      {.clock = &clock_, .data_dir = dir_, .sms = &held, .keys = seal_keys_->store.get()});
  ASSERT_TRUE(service.ok()) << service.error().ToString();
  const Case first = Ready(), second = Ready();
  std::thread::id first_thread;
  Status first_accepted = Ok();
  std::thread a([&] {
    first_thread = std::this_thread::get_id();
    auto accepted = (*service)->Accept(clerk_, first.number, {});
    if (!accepted.ok()) first_accepted = accepted.error();
  });
  held.WaitEntered();  // the first acceptance is sending its notice
  // The second commits meanwhile and answers at once: the drain is running.
  ASSERT_TRUE((*service)->Accept(clerk_, second.number, {}).ok());
  EXPECT_EQ(held.Sent().size(), 1u);
  held.Release();
  a.join();
  ASSERT_TRUE(first_accepted.ok()) << first_accepted.error().ToString();
  for (int i = 0; i < 500 && held.Sent().size() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto sent = held.Sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_THAT(sent[0].first, HasSubstr(first.number));
  EXPECT_EQ(sent[0].second, first_thread);
  EXPECT_THAT(sent[1].first, HasSubstr(second.number));
  EXPECT_NE(sent[1].second, first_thread);  // not the first request's: the notifier's
  EXPECT_NE(sent[1].second, std::this_thread::get_id());
  // Both marked sent: nothing left for the next drain.
  EXPECT_EQ(*(*service)->DrainNotices(), 0);
}

TEST_P(FulfilmentTest, AMissedGapDeadlineIsListedAndTheCaseTerminated) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  Case c = Submit({{.name = "营业执照",
                    .state = MaterialState::kProvided,
                    .origin = MaterialOrigin::kLicence,
                    .reference = "L-001"},
                   {.name = "卫生管理制度",
                    .state = MaterialState::kSupplyLater,
                    .due_on = *Date::Parse("2026-11-30")},
                   {.name = "卫生检测报告", .state = MaterialState::kProofWaived}});
  ASSERT_TRUE(cases_->Accept(clerk_, c.number, {}).ok());
  Case other = Accepted();
  EXPECT_TRUE(cases_->OverdueGaps(std::nullopt)->empty());
  // Nothing overdue yet: not a reason to terminate.
  auto early = cases_->Terminate(clerk_, c.number, TerminationReason::kGapDeadlineMissed, {});
  EXPECT_EQ(early.error().code(), ErrorCode::kRefused);
  clock_.Advance(std::chrono::hours(24 * 5));  // Tuesday 2026-12-01
  auto overdue = cases_->OverdueGaps(std::nullopt);
  ASSERT_TRUE(overdue.ok()) << overdue.error().ToString();
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].number, c.number);
  EXPECT_EQ(
      cases_->Terminate(alice_, c.number, TerminationReason::kGapDeadlineMissed, {}).error().code(),
      ErrorCode::kForbidden);
  auto ended = cases_->Terminate(clerk_, c.number, TerminationReason::kGapDeadlineMissed,
                                 {.note = "卫生管理制度逾期未补交"});
  ASSERT_TRUE(ended.ok()) << ended.error().ToString();
  EXPECT_EQ(ended->state, CaseState::kTerminated);
  ASSERT_EQ(ended->documents.back().kind, DocumentKind::kTerminationDecision);
  auto doc = cases_->GetDocument(alice_, c.number, ended->documents.back().id);
  ASSERT_TRUE(doc.ok());
  EXPECT_THAT(doc->content, HasSubstr("\"overdue_materials\":[{\"due_on\":\"2026-11-30\""));
  EXPECT_TRUE(*cases_->VerifyDocument(*doc));
  EXPECT_TRUE(cases_->OverdueGaps(std::nullopt)->empty());
  // Final: nothing more, not even a second termination.
  EXPECT_EQ(
      cases_->Terminate(clerk_, c.number, TerminationReason::kApplicantDeceased, {}).error().code(),
      ErrorCode::kConflict);
  // The applicant's death ends a case without any overdue material.
  auto deceased = cases_->Terminate(clerk_, other.number, TerminationReason::kApplicantDeceased,
                                    {.note = "申请人已死亡"});
  ASSERT_TRUE(deceased.ok()) << deceased.error().ToString();
  EXPECT_EQ(cases_->Notices(alice_, true, 50)->front().kind, "terminated");
}

TEST_P(FulfilmentTest, AnUntrueCommitmentNotRectifiedIsRevokedAndBarsTheApplicant) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  const std::vector<MaterialDeclaration> committed = {
      {.name = "营业执照",
       .state = MaterialState::kProvided,
       .origin = MaterialOrigin::kLicence,
       .reference = "L-001"},
      {.name = "卫生检测报告", .state = MaterialState::kProofWaived}};
  Case c = Submit(committed);
  ASSERT_TRUE(
      cases_->SupplyMaterial(alice_, c.number, 1, MaterialOrigin::kUploaded, kPdf, "a.pdf", "")
          .ok());
  ASSERT_TRUE(cases_->Accept(clerk_, c.number, {}).ok());
  EXPECT_EQ(cases_->GetVerification(alice_, c.number).error().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(cases_->Approve(approver_, c.number, {}).ok());
  // Concluded on the commitment; the verification is due within the period the matter sets (30
  // days here; the API test's matter sets none and gets 60).
  auto scheduled = cases_->GetVerification(alice_, c.number);
  ASSERT_TRUE(scheduled.ok()) << scheduled.error().ToString();
  EXPECT_EQ(scheduled->state, VerificationState::kScheduled);
  EXPECT_EQ(scheduled->due_on.ToString(), "2026-12-26");
  EXPECT_TRUE(cases_->DueVerifications("431128-wjj", *Date::Parse("2026-12-25"))->empty());
  ASSERT_EQ(cases_->DueVerifications("431128-wjj", std::nullopt)->size(), 1u);
  EXPECT_TRUE(cases_->DueVerifications("430000-other", std::nullopt)->empty());
  // Untrue: a rectification order with a deadline.
  EXPECT_EQ(cases_
                ->VerifyCommitment(clerk_, c.number, VerificationFinding::kUntrue,
                                   *Date::Parse("2026-12-10"), "")
                .error()
                .code(),
            ErrorCode::kForbidden);
  EXPECT_EQ(
      cases_->VerifyCommitment(approver_, c.number, VerificationFinding::kUntrue, std::nullopt, "")
          .error()
          .fields()[0]
          .field,
      "rectify_by");
  auto untrue = cases_->VerifyCommitment(approver_, c.number, VerificationFinding::kUntrue,
                                         *Date::Parse("2026-12-10"), "检测报告与现场不符");
  ASSERT_TRUE(untrue.ok()) << untrue.error().ToString();
  EXPECT_EQ(untrue->state, VerificationState::kRectifying);
  EXPECT_EQ(
      cases_->VerifyCommitment(approver_, c.number, VerificationFinding::kTrue, std::nullopt, "")
          .error()
          .code(),
      ErrorCode::kConflict);
  EXPECT_EQ(cases_
                ->VerifyCommitment(approver_, c.number, VerificationFinding::kNotRectified,
                                   std::nullopt, "")
                .error()
                .code(),
            ErrorCode::kRefused);
  clock_.Advance(std::chrono::hours(24 * 15));  // 2026-12-11: past the deadline
  auto revoked = cases_->VerifyCommitment(approver_, c.number, VerificationFinding::kNotRectified,
                                          std::nullopt, "逾期未整改");
  ASSERT_TRUE(revoked.ok()) << revoked.error().ToString();
  EXPECT_EQ(revoked->state, VerificationState::kRevoked);
  auto after = cases_->Get(alice_, c.number);
  std::vector<DocumentKind> kinds;
  for (const Document& d : after->documents) kinds.push_back(d.kind);
  EXPECT_THAT(kinds,
              ElementsAre(DocumentKind::kAcceptanceNotice, DocumentKind::kApprovalDecision,
                          DocumentKind::kRectificationOrder, DocumentKind::kRevocationDecision));
  // The 违诺 entry bars 容缺, 承诺补交 and 告知承诺, naming itself, until repaired.
  auto record = cases_->CreditRecord("431128199001010037");
  ASSERT_TRUE(record.ok());
  ASSERT_EQ(record->size(), 1u);
  const CreditEntry entry = record->front();
  EXPECT_EQ(entry.kind, CreditKind::kBrokenCommitment);
  EXPECT_EQ(entry.source, c.number);
  EXPECT_TRUE(entry.active);
  EXPECT_EQ(entry.expires_on.ToString(), "2029-12-10");
  SubmitRequest r;
  r.matter = kMatter;
  r.form = {{"venue_name", "龙泉宾馆"}, {"area_m2", "120.5"}, {"venue_kind", "宾馆"}};
  r.materials = committed;
  auto barred = cases_->Submit(alice_, r);
  ASSERT_FALSE(barred.ok());
  EXPECT_EQ(barred.error().code(), ErrorCode::kRefused);
  ASSERT_EQ(barred.error().fields().size(), 1u);
  EXPECT_EQ(barred.error().fields()[0].field, "materials/1/state");
  EXPECT_THAT(barred.error().fields()[0].message, HasSubstr(entry.id));
  r.materials.pop_back();
  EXPECT_TRUE(cases_->Submit(alice_, r).ok());  // without a declaration: allowed
  EXPECT_EQ(cases_->RepairCredit(clerk_, entry.id, "已整改").error().code(), ErrorCode::kForbidden);
  EXPECT_EQ(cases_->RepairCredit(approver_, entry.id, "").error().fields()[0].field, "note");
  auto repaired = cases_->RepairCredit(approver_, entry.id, "已整改并作出信用承诺");
  ASSERT_TRUE(repaired.ok()) << repaired.error().ToString();
  EXPECT_FALSE(repaired->active);
  EXPECT_EQ(cases_->RepairCredit(approver_, entry.id, "again").error().code(),
            ErrorCode::kConflict);
  r.materials = committed;
  EXPECT_TRUE(cases_->Submit(alice_, r).ok());
}

TEST_P(FulfilmentTest, OnlyActiveCommitmentBreachesAndSeriousEntriesBar) {
  if (!cases_) GTEST_SKIP() << "backend unavailable";
  const std::vector<MaterialDeclaration> gap = {
      {.name = "卫生管理制度", .state = MaterialState::kGap}};
  const std::string code = "431128199001010037";
  auto minor = cases_->RecordCredit(approver_, {.applicant_code = code,
                                                .kind = CreditKind::kDishonest,
                                                .serious = false,
                                                .source = "湘潭市市场监督管理局",
                                                .reason = "经营异常名录"});
  ASSERT_TRUE(minor.ok()) << minor.error().ToString();
  EXPECT_TRUE(cases_->CreditAllows(code, gap).ok());
  EXPECT_EQ(cases_->RecordCredit(clerk_, {.applicant_code = code}).error().code(),
            ErrorCode::kForbidden);
  auto invalid = cases_->RecordCredit(approver_, {.expires_on = *Date::Parse("2026-01-01")});
  EXPECT_EQ(invalid.error().fields().size(), 4u);
  auto serious = cases_->RecordCredit(approver_, {.applicant_code = code,
                                                  .kind = CreditKind::kDishonest,
                                                  .serious = true,
                                                  .source = "最高人民法院失信被执行人名单",
                                                  .reason = "失信被执行人",
                                                  .expires_on = *Date::Parse("2026-12-01")});
  ASSERT_TRUE(serious.ok());
  EXPECT_EQ(cases_->CreditAllows(code, gap).error().code(), ErrorCode::kRefused);
  EXPECT_TRUE(cases_->CreditAllows(code, {}).ok());
  EXPECT_TRUE(cases_->CreditAllows("11010519491231002X", gap).ok());
  clock_.Advance(std::chrono::hours(24 * 5));  // 2026-12-01: expired
  EXPECT_TRUE(cases_->CreditAllows(code, gap).ok());
  EXPECT_FALSE(cases_->CreditRecord(code)->front().active);
}

INSTANTIATE_TEST_SUITE_P(Backends, FulfilmentTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::cases
