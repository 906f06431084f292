// The review stage on both backends: acceptance starts the scenario's process (the default
// when the named one is not deployed), its approval task decides the case once, 受审分离 and
// the approver's scope hold, withdrawal cancels the instance, and parallel approval (并联审批)
// opens one task per department under the joint-handling limit of 第26条.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "bpmn/runtime.h"
#include "cases/service.h"
#include "cases/testing.h"
#include "catalog/repository.h"
#include "feel/value.h"
#include "keys/key_store.h"
#include "people/clock.h"
#include "people/repository.h"
#include "people/sms.h"
#include "regions/region_import.h"
#include "store/testing.h"

namespace tongban {
extern const EmbeddedFile kCaseTestData[];
extern const size_t kCaseTestData_count;
extern const EmbeddedFile kBundleTestData[];
extern const size_t kBundleTestData_count;
extern const EmbeddedFile kReviewProcesses[];
extern const size_t kReviewProcesses_count;
}  // namespace tongban

namespace tongban::cases {
namespace {

using people::Principal;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr char kMatter[] = "11431128MB1234562L000172003000001";

// 2026-11-26 (a Thursday) 09:00 China Standard Time.
Timestamp T0() { return StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9); }

Principal Staff(std::string id, std::string role, std::vector<std::string> perms,
                std::string department = "*") {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  p.account.name = "工作人员";
  p.account.region = "431128";
  people::HeldGrant g;
  g.grant.id = role + "@431128";
  g.grant.role = std::move(role);
  g.grant.scope.region = "431128";
  g.grant.scope.department = std::move(department);
  std::sort(perms.begin(), perms.end());
  g.permissions = std::move(perms);
  p.grants.push_back(std::move(g));
  return p;
}

class ReviewTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) GTEST_SKIP() << "backend not available";
    db_ = temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(*regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*catalog::CatalogMigrations());
    sets.push_back(keys::KeysMigrations());
    sets.push_back(*CaseMigrations());
    sets.push_back(*bpmn::Runtime::Migrations());
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
    auto imported = catalog_->ImportYaml(std::string(kCaseTestData[0].contents), {.publish = true});
    ASSERT_TRUE(imported.ok()) << imported.error().ToString();
    imported = catalog_->ImportYaml(std::string(kBundleTestData[0].contents), {.publish = true});
    ASSERT_TRUE(imported.ok()) << imported.error().ToString();
    trace_ = std::make_unique<trace::Trace>(
        *db_, trace::Trace::Options{.now =
                                        [this] {
                                          return std::chrono::system_clock::time_point(
                                              clock_.Now().time_since_epoch());
                                        },
                                    .signing_key = std::nullopt});
    dir_ = ::testing::TempDir() + "/review-" + std::to_string(::getpid()) + "-" +
           std::string(store::BackendName(GetParam()));
    seal_keys_ = testing::MakeSealKeys(*db_, clock_);
    cases_ =
        *CaseService::Create(*db_, *catalog_, *people_, *trace_,
                             {.clock = &clock_, .data_dir = dir_, .keys = seal_keys_->store.get()});
    runtime_ = *bpmn::Runtime::Create(*db_, clock_, {});
    for (size_t i = 0; i < kReviewProcesses_count; ++i) {
      auto d =
          runtime_->Deploy(kReviewProcesses[i].contents,
                           {.account_id = "system", .roles = {}, .department = "", .region = ""});
      ASSERT_TRUE(d.ok()) << kReviewProcesses[i].path << ": " << d.error().ToString();
    }
    ASSERT_TRUE(cases_->AttachReview(*runtime_, {}).ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A case of `scenario` with its materials supplied, accepted by the clerk.
  Case Accepted(const std::string& scenario) {
    SubmitRequest r;
    r.matter = kMatter;
    r.scenario = scenario;
    r.form = {{"venue_name", "龙泉宾馆"}};
    if (scenario == "new")
      r.form.merge(
          std::map<std::string, std::string>{{"area_m2", "120.5"}, {"venue_kind", "宾馆"}});
    auto s = cases_->Submit(alice_, r);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    if (!s.ok()) return {};
    const Case& c = s->record;
    EXPECT_TRUE(
        cases_->SupplyMaterial(alice_, c.number, 0, MaterialOrigin::kLicence, "", "", "执照-1")
            .ok());
    for (size_t i = 1; i < c.materials.size(); ++i) {
      EXPECT_TRUE(cases_
                      ->SupplyMaterial(alice_, c.number, static_cast<int>(i),
                                       MaterialOrigin::kUploaded, "%PDF-1.4 材料", "m.pdf", "")
                      .ok());
    }
    auto accepted = cases_->Accept(clerk_, c.number, {});
    EXPECT_TRUE(accepted.ok()) << accepted.error().ToString();
    return accepted.ok() ? *accepted : Case{};
  }

  // Supplies every material of `number` and accepts it as the clerk.
  Result<Case> SupplyAndAccept(const std::string& number) {
    Case c = *cases_->Read(number);
    for (const CaseMaterial& m : c.materials) {
      auto s = m.index == 0
                   ? cases_->SupplyMaterial(alice_, number, 0, MaterialOrigin::kLicence, "", "",
                                            "执照-1")
                   : cases_->SupplyMaterial(alice_, number, m.index, MaterialOrigin::kUploaded,
                                            "%PDF-1.4 材料", "m.pdf", "");
      EXPECT_TRUE(s.ok()) << s.error().ToString();
    }
    return cases_->Accept(clerk_, number, {});
  }
  // Decides `number` through its review task as `who`.
  Result<Case> Decide(const std::string& number, const Principal& who, ReviewDecision d,
                      std::string reasons = "") {
    auto review = cases_->GetReview(who, number);
    if (!review.ok()) return std::move(review).error();
    if (review->steps.empty()) return Error(ErrorCode::kNotFound, "no open step");
    return cases_->CompleteReviewTask(who, review->steps[0].task_id, d, std::move(reasons));
  }

  FakeClock clock_{T0()};
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<testing::SealKeys> seal_keys_;  // outlives cases_
  std::unique_ptr<CaseService> cases_;
  std::unique_ptr<bpmn::Runtime> runtime_;
  std::string dir_;

  const Principal alice_ = [] {
    Principal p;
    p.account.id = "acct-alice";
    p.account.kind = people::AccountKind::kCitizen;
    p.account.id_number = "431128199001010037";
    p.account.name = "李志强";
    people::HeldGrant g;
    g.grant.id = "applicant";
    g.grant.role = "applicant";
    g.grant.scope.region = "*";
    g.permissions = {"case.apply", "case.read_own"};
    p.grants.push_back(g);
    return p;
  }();
  // The clerk may also approve: 受审分离 must still keep it from deciding what it accepted.
  const Principal clerk_ =
      Staff("acct-clerk", "approver", {"case.read", "case.accept", "case.assist", "case.approve"});
  const Principal approver_ =
      Staff("acct-approver", "approver", {"case.read", "case.approve"}, "431128-wjj");
  const Principal traffic_approver_ =
      Staff("acct-traffic", "approver", {"case.read", "case.approve"}, "431128-jtj");
  const Principal land_approver_ =
      Staff("acct-land", "approver", {"case.read", "case.approve"}, "431128-zrzyj");
  const Principal market_approver_ =
      Staff("acct-market", "approver", {"case.read", "case.approve"}, "431128-scjgj");
  const Principal bob_ = [] {
    Principal p;
    p.account.id = "acct-bob";
    p.account.kind = people::AccountKind::kCitizen;
    p.account.id_number = "11010519491231002X";
    p.account.name = "王芳";
    return p;
  }();
  const Principal head_ =
      Staff("acct-head", "department_head", {"case.read", "case.approve", "case.extend"});
};

TEST_P(ReviewTest, AcceptanceStartsTheProcessAndItsApprovalTaskDecidesOnce) {
  Case c = Accepted("new");
  ASSERT_EQ(c.state, CaseState::kUnderReview);
  EXPECT_FALSE(c.joint);
  // The scenario names licence_with_review, which is not deployed: the default review.
  auto review = cases_->GetReview(approver_, c.number);
  ASSERT_TRUE(review.ok()) << review.error().ToString();
  EXPECT_EQ(review->process_id, "case_single_approval");
  EXPECT_EQ(review->status, "running");
  ASSERT_EQ(review->steps.size(), 1u);
  const ReviewStep step = review->steps[0];
  EXPECT_EQ(step.step, "approval");
  EXPECT_EQ(step.department, "431128-wjj");
  // No due date on the task: the end of the case's promised limit (5 working days).
  ASSERT_TRUE(step.due_on);
  EXPECT_EQ(*step.due_on, *c.clock.due_on);
  EXPECT_EQ(step.due_on->ToString(), "2026-12-03");

  // The approver of the department sees it; one of another department does not.
  auto inbox = cases_->ReviewInbox(approver_, 50);
  ASSERT_TRUE(inbox.ok()) << inbox.error().ToString();
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ((*inbox)[0].summary.number, c.number);
  EXPECT_EQ((*inbox)[0].step.task_id, step.task_id);
  EXPECT_TRUE(cases_->ReviewInbox(traffic_approver_, 50)->empty());
  EXPECT_EQ(
      cases_->CompleteReviewTask(traffic_approver_, step.task_id, ReviewDecision::kApproved, "")
          .error()
          .code(),
      ErrorCode::kForbidden);
  // 受审分离: the clerk who accepted cannot decide.
  auto separated = cases_->CompleteReviewTask(clerk_, step.task_id, ReviewDecision::kApproved, "");
  ASSERT_FALSE(separated.ok());
  EXPECT_EQ(separated.error().code(), ErrorCode::kRefused);
  EXPECT_THAT(separated.error().message(), HasSubstr("受审分离"));

  auto approved =
      cases_->CompleteReviewTask(approver_, step.task_id, ReviewDecision::kApproved, "");
  ASSERT_TRUE(approved.ok()) << approved.error().ToString();
  EXPECT_EQ(approved->state, CaseState::kApproved);
  EXPECT_EQ(approved->decided_by, "acct-approver");
  ASSERT_EQ(approved->documents.back().kind, DocumentKind::kApprovalDecision);
  auto doc = cases_->ReadDocument(c.number, approved->documents.back().id);
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE(*cases_->VerifyDocument(*doc));
  EXPECT_EQ(cases_->GetReview(approver_, c.number)->status, "completed");

  // Completed twice: refused, decided once.
  auto again = cases_->CompleteReviewTask(approver_, step.task_id, ReviewDecision::kDenied, "晚了");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kNotFound);
  Case after = *cases_->Read(c.number);
  EXPECT_EQ(after.state, CaseState::kApproved);
  EXPECT_EQ(std::count_if(after.documents.begin(), after.documents.end(),
                          [](const Document& d) {
                            return d.kind == DocumentKind::kApprovalDecision ||
                                   d.kind == DocumentKind::kDenialDecision;
                          }),
            1);
  EXPECT_TRUE(cases_->ReviewInbox(approver_, 50)->empty());
}

TEST_P(ReviewTest, TheReviewStartsInTheAcceptanceTransactionAndRollsBackWithIt) {
  auto instances = [&] {
    long long n = -1;
    EXPECT_TRUE(db_->Transaction(store::TxKind::kRead,
                                 [&](soci::session& sql) {
                                   sql << "SELECT COUNT(*) FROM bpmn_instance", soci::into(n);
                                   return ::tongban::Status(Ok());
                                 })
                    .ok());
    return n;
  };
  SubmitRequest r;
  r.matter = kMatter;
  r.scenario = "new";
  r.form = {{"venue_name", "龙泉宾馆"}, {"area_m2", "120.5"}, {"venue_kind", "宾馆"}};
  auto s = cases_->Submit(alice_, r);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  const std::string number = s->record.number;
  // Refused inside its transaction, after the process started there: no instance is left.
  auto incomplete = cases_->Accept(clerk_, number, {});
  ASSERT_FALSE(incomplete.ok());
  EXPECT_EQ(incomplete.error().code(), ErrorCode::kRefused);
  EXPECT_EQ(instances(), 0);
  EXPECT_EQ(cases_->GetReview(approver_, number).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(cases_->ReviewInbox(approver_, 50)->empty());
  // Accepted: one instance, its approval task in the inbox, recorded with the case.
  auto accepted = SupplyAndAccept(number);
  ASSERT_TRUE(accepted.ok()) << accepted.error().ToString();
  EXPECT_EQ(instances(), 1);
  auto review = cases_->GetReview(approver_, number);
  ASSERT_TRUE(review.ok()) << review.error().ToString();
  EXPECT_EQ(review->status, "running");
  ASSERT_EQ(review->steps.size(), 1u);
  auto inbox = cases_->ReviewInbox(approver_, 50);
  ASSERT_TRUE(inbox.ok());
  ASSERT_EQ(inbox->size(), 1u);
  EXPECT_EQ((*inbox)[0].step.task_id, review->steps[0].task_id);
  // Accepting again is refused by the case's state and starts nothing.
  EXPECT_EQ(cases_->Accept(clerk_, number, {}).error().code(), ErrorCode::kConflict);
  EXPECT_EQ(instances(), 1);
}

TEST_P(ReviewTest, TwoApproversRacingOnOneTaskDecideTheCaseOnce) {
  Case c = Accepted("new");
  const std::string task = cases_->GetReview(approver_, c.number)->steps.at(0).task_id;
  std::atomic<int> decided{0};
  std::vector<std::thread> threads;
  threads.reserve(2);
  for (const Principal* who : {&approver_, &head_}) {
    threads.emplace_back([&, who] {
      if (cases_->CompleteReviewTask(*who, task, ReviewDecision::kApproved, "").ok()) ++decided;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(decided.load(), 1);
  Case after = *cases_->Read(c.number);
  EXPECT_EQ(after.state, CaseState::kApproved);
  EXPECT_EQ(
      std::count_if(after.documents.begin(), after.documents.end(),
                    [](const Document& d) { return d.kind == DocumentKind::kApprovalDecision; }),
      1);
}

TEST_P(ReviewTest, ADenialNeedsReasonsAndWithdrawalCancelsTheInstance) {
  Case c = Accepted("new");
  const std::string task = cases_->GetReview(approver_, c.number)->steps.at(0).task_id;
  auto no_reasons = cases_->CompleteReviewTask(approver_, task, ReviewDecision::kDenied, "");
  ASSERT_FALSE(no_reasons.ok());
  EXPECT_EQ(no_reasons.error().code(), ErrorCode::kInvalidArgument);
  auto denied =
      cases_->CompleteReviewTask(approver_, task, ReviewDecision::kDenied, "场所面积不符合要求");
  ASSERT_TRUE(denied.ok()) << denied.error().ToString();
  EXPECT_EQ(denied->state, CaseState::kDenied);
  EXPECT_EQ(denied->decision_reasons, "场所面积不符合要求");
  EXPECT_EQ(denied->documents.back().kind, DocumentKind::kDenialDecision);

  Case w = Accepted("new");
  auto withdrawn = cases_->Withdraw(alice_, w.number, {});
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.error().ToString();
  auto review = cases_->GetReview(approver_, w.number);
  ASSERT_TRUE(review.ok());
  EXPECT_EQ(review->status, "cancelled");
  EXPECT_TRUE(review->steps.empty());
  EXPECT_TRUE(cases_->ReviewInbox(approver_, 50)->empty());
}

// A crash between completing the last review task (committed by the runtime) and deciding the
// case leaves a finished process and a case under review: reconciliation decides it, once.
TEST_P(ReviewTest, AFinishedProcessWhoseCaseWasNotDecidedIsReconciledOnce) {
  Case c = Accepted("new");
  const std::string task = cases_->GetReview(approver_, c.number)->steps.at(0).task_id;
  // What CompleteReviewTask commits first, without what it does next (the "crash").
  bpmn::Actor actor;
  actor.account_id = approver_.account.id;
  actor.department = approver_.account.department;
  actor.region = approver_.account.region;
  for (const people::HeldGrant& g : approver_.grants) actor.roles.push_back(g.grant.role);
  auto variables =
      feel::ParseJson(R"({"decision": "denied", "reasons": "场所面积不符合要求", "decided_by": ")" +
                      approver_.account.id + R"("})");
  ASSERT_TRUE(variables.ok());
  ASSERT_TRUE(runtime_->CompleteTask(task, *variables, actor).ok());
  EXPECT_EQ(cases_->Read(c.number)->state, CaseState::kUnderReview);
  // An unfinished review is left alone.
  Case open = Accepted("new");

  auto reconciled = cases_->ReconcileReviews();
  ASSERT_TRUE(reconciled.ok()) << reconciled.error().ToString();
  EXPECT_EQ(*reconciled, 1);
  Case after = *cases_->Read(c.number);
  EXPECT_EQ(after.state, CaseState::kDenied);
  EXPECT_EQ(after.decision_reasons, "场所面积不符合要求");
  EXPECT_EQ(after.documents.back().kind, DocumentKind::kDenialDecision);
  EXPECT_EQ(cases_->Read(open.number)->state, CaseState::kUnderReview);
  // Once: nothing is left to reconcile.
  EXPECT_EQ(*cases_->ReconcileReviews(), 0);
  EXPECT_EQ(cases_->Read(c.number)->documents.size(), after.documents.size());
}

TEST_P(ReviewTest, ParallelApprovalOpensOneTaskPerDepartmentUnderTheJointLimit) {
  Case c = Accepted("joint");
  ASSERT_EQ(c.state, CaseState::kUnderReview);
  EXPECT_TRUE(c.joint);
  // 第26条: 45 working days from the day after acceptance.
  EXPECT_EQ(c.clock.limit.value, 45);
  EXPECT_EQ(c.clock.remaining_working_days, 45);
  auto review = cases_->GetReview(approver_, c.number);
  ASSERT_TRUE(review.ok()) << review.error().ToString();
  EXPECT_EQ(review->process_id, "joint_review");
  EXPECT_TRUE(review->joint);
  std::map<std::string, std::string> task_of;
  for (const ReviewStep& s : review->steps) task_of[s.department] = s.task_id;
  EXPECT_THAT(review->steps, ::testing::SizeIs(3));
  ASSERT_EQ(task_of.size(), 3u);
  ASSERT_TRUE(task_of.contains("431128-zrzyj"));
  // Each approver sees its own department's task only.
  auto land_inbox = cases_->ReviewInbox(land_approver_, 50);
  ASSERT_EQ(land_inbox->size(), 1u);
  EXPECT_EQ((*land_inbox)[0].step.task_id, task_of["431128-zrzyj"]);
  EXPECT_EQ(
      cases_
          ->CompleteReviewTask(land_approver_, task_of["431128-wjj"], ReviewDecision::kApproved, "")
          .error()
          .code(),
      ErrorCode::kForbidden);

  auto first =
      cases_->CompleteReviewTask(approver_, task_of["431128-wjj"], ReviewDecision::kApproved, "");
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->state, CaseState::kUnderReview);
  // One department denies: the case is denied with its reasons, the last task is cancelled.
  auto denied = cases_->CompleteReviewTask(land_approver_, task_of["431128-zrzyj"],
                                           ReviewDecision::kDenied, "用地规划条件不符");
  ASSERT_TRUE(denied.ok()) << denied.error().ToString();
  EXPECT_EQ(denied->state, CaseState::kDenied);
  EXPECT_THAT(denied->decision_reasons, HasSubstr("431128-zrzyj"));
  EXPECT_THAT(denied->decision_reasons, HasSubstr("用地规划条件不符"));
  EXPECT_EQ(cases_->GetReview(approver_, c.number)->status, "completed");
  EXPECT_TRUE(cases_->ReviewInbox(market_approver_, 50)->empty());

  // All approve: approved; the joint extension is 15 working days.
  Case j = Accepted("joint");
  auto extended = cases_->Extend(head_, j.number, "专家意见分歧", {});
  ASSERT_TRUE(extended.ok()) << extended.error().ToString();
  EXPECT_EQ(extended->clock.extension_days, 15);
  EXPECT_EQ(extended->clock.remaining_working_days, 60);
  std::vector<ReviewStep> steps = cases_->GetReview(approver_, j.number)->steps;
  ASSERT_EQ(steps.size(), 3u);
  const std::map<std::string, const Principal*> who = {{"431128-wjj", &approver_},
                                                       {"431128-zrzyj", &land_approver_},
                                                       {"431128-scjgj", &market_approver_}};
  Result<Case> last = Error(ErrorCode::kInternal, "not run");
  for (const ReviewStep& s : steps) {
    last =
        cases_->CompleteReviewTask(*who.at(s.department), s.task_id, ReviewDecision::kApproved, "");
    ASSERT_TRUE(last.ok()) << last.error().ToString();
  }
  EXPECT_EQ(last->state, CaseState::kApproved);
}

TEST_P(ReviewTest, TheCatalogNamesTheDepartmentsOfAParallelApproval) {
  // The scenario lists two departments: one task for each, not the process's default three.
  Case c = Accepted("parallel");
  ASSERT_EQ(c.state, CaseState::kUnderReview);
  EXPECT_TRUE(c.joint);
  EXPECT_EQ(c.clock.limit.value, 45);
  auto review = cases_->GetReview(approver_, c.number);
  ASSERT_TRUE(review.ok()) << review.error().ToString();
  EXPECT_EQ(review->process_id, "joint_review");
  std::vector<std::string> departments;
  for (const ReviewStep& s : review->steps) departments.push_back(s.department);
  EXPECT_THAT(departments, UnorderedElementsAre("431128-zrzyj", "431128-wjj"));
  EXPECT_TRUE(cases_->ReviewInbox(market_approver_, 50)->empty());
  ASSERT_EQ(cases_->ReviewInbox(land_approver_, 50)->size(), 1u);

  // A department the catalog does not hold is refused at import, naming the field.
  std::string text(kCaseTestData[0].contents);
  const std::string listed = R"(review_departments: ["431128-zrzyj", "431128-wjj"])";
  ASSERT_NE(text.find(listed), std::string::npos);
  text.replace(text.find(listed), listed.size(),
               R"(review_departments: ["431128-zrzyj", "431128-nosuch"])");
  auto refused = catalog_->ImportYaml(text, {.publish = true});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& f : refused.error().fields()) fields.push_back(f.field);
  EXPECT_THAT(fields, ::testing::Contains(HasSubstr("scenarios/2/review_departments/1")));
}

TEST_P(ReviewTest, ABundleSplitsItsMergedFormAndConcludesWithAResultPerMatter) {
  BundleRequest r;
  r.bundle = "431128-yjs-test-parallel";
  r.form = {{"venue_name", "龙泉宾馆"}, {"colour", "red"}};
  auto invalid = cases_->SubmitBundle(alice_, r);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code(), ErrorCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& f : invalid.error().fields()) fields.push_back(f.field);
  EXPECT_THAT(fields, UnorderedElementsAre("form/area_m2", "form/venue_kind", "form/main_business",
                                           "form/colour"));
  r.form = {{"venue_name", "龙泉宾馆"},
            {"area_m2", "120.5"},
            {"venue_kind", "宾馆"},
            {"main_business", "餐饮服务"}};
  r.idempotency_key = "k1";
  auto a = cases_->SubmitBundle(alice_, r);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->number, "431128-20261126-Y00001");
  EXPECT_EQ(a->process_id, "bundle_parallel");
  EXPECT_EQ(a->status, "running");
  EXPECT_FALSE(a->concluded);
  ASSERT_EQ(a->cases.size(), 2u);
  // The shared field went to both sub-cases, each its own case with its own number.
  EXPECT_EQ(a->cases[0].form.at("venue_name"), "龙泉宾馆");
  EXPECT_EQ(a->cases[1].form.at("venue_name"), "龙泉宾馆");
  EXPECT_FALSE(a->cases[0].form.contains("main_business"));
  EXPECT_EQ(a->cases[1].form.at("main_business"), "餐饮服务");
  EXPECT_NE(a->cases[0].number, a->cases[1].number);
  EXPECT_EQ(a->remaining_working_days, 10);  // the longer sub-case limit, not yet started
  auto again = cases_->SubmitBundle(alice_, r);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->number, a->number);

  // In parallel: both are accepted at once; one approved, one denied: concluded per matter.
  ASSERT_TRUE(SupplyAndAccept(a->cases[0].number).ok());
  ASSERT_TRUE(SupplyAndAccept(a->cases[1].number).ok());
  auto mid = cases_->GetBundle(alice_, a->number);
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(mid->due_on, mid->cases[1].clock.due_on);  // 10 working days beat 5
  EXPECT_EQ(mid->remaining_working_days, 10);
  ASSERT_TRUE(Decide(a->cases[0].number, approver_, ReviewDecision::kApproved).ok());
  EXPECT_FALSE(cases_->GetBundle(alice_, a->number)->concluded);
  auto denied = Decide(a->cases[1].number, market_approver_, ReviewDecision::kDenied, "无证经营");
  ASSERT_TRUE(denied.ok()) << denied.error().ToString();
  auto done = cases_->GetBundle(alice_, a->number);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->concluded);
  EXPECT_EQ(done->status, "completed");
  EXPECT_EQ(done->cases[0].state, CaseState::kApproved);
  EXPECT_EQ(done->cases[1].state, CaseState::kDenied);
  EXPECT_EQ(cases_->GetBundle(bob_, a->number).error().code(), ErrorCode::kForbidden);
}

TEST_P(ReviewTest, AnOrderedBundleReviewsEachMatterAfterThePreviousOneIsApproved) {
  BundleRequest r;
  r.bundle = "431128-yjs-test-sequence";
  r.form = {{"venue_name", "龙泉宾馆"},
            {"area_m2", "120.5"},
            {"venue_kind", "宾馆"},
            {"main_business", "餐饮服务"}};
  auto a = cases_->SubmitBundle(alice_, r);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->process_id, "bundle_sequence");
  const std::string first = a->cases[0].number, second = a->cases[1].number;
  auto early = SupplyAndAccept(second);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(early.error().message(), HasSubstr("earlier matter"));
  EXPECT_EQ(cases_->Read(second)->state, CaseState::kSubmitted);
  ASSERT_TRUE(SupplyAndAccept(first).ok());
  ASSERT_TRUE(Decide(first, market_approver_, ReviewDecision::kApproved).ok());
  ASSERT_TRUE(cases_->Accept(clerk_, second, {}).ok());
  EXPECT_FALSE(cases_->GetBundle(alice_, a->number)->concluded);
  ASSERT_TRUE(Decide(second, approver_, ReviewDecision::kApproved).ok());
  EXPECT_TRUE(cases_->GetBundle(alice_, a->number)->concluded);

  // A denial of an earlier matter concludes the bundle: the later one is not reviewed.
  auto b = cases_->SubmitBundle(alice_, r);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(SupplyAndAccept(b->cases[0].number).ok());
  ASSERT_TRUE(
      Decide(b->cases[0].number, market_approver_, ReviewDecision::kDenied, "场所不符").ok());
  auto view = cases_->GetBundle(alice_, b->number);
  EXPECT_TRUE(view->concluded);
  auto refused = SupplyAndAccept(b->cases[1].number);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message(), HasSubstr("concluded"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ReviewTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::cases
