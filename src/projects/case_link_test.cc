// A stage's matters as real cases (issue 12): starting a stage opens a case of the region's
// catalog item for the owner enterprise through its agent, with the matter's material states;
// the case's correction, acceptance and decision drive the matter, the stage and the project's
// clock (the correction is the applicant's time); the matter is not decided beside its case;
// batch review decides the cases, each project's own; a refused case frees the matter for a new
// one. Real cases, people and catalog services on SQLite and PostgreSQL; the clock is fake.
#include "projects/case_link.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "base/clock.h"
#include "cases/testing.h"
#include "projects/project_code.h"
#include "registers/testing.h"
#include "store/testing.h"

namespace tongban {
extern const EmbeddedFile kProjectCaseCatalog[];
extern const size_t kProjectCaseCatalog_count;
}  // namespace tongban

namespace tongban::projects {
namespace {

using registers::testing::Staff;

constexpr char kRegion[] = "430603";
constexpr char kUscc[] = "91430603MB1763640W";
constexpr char kItem[] = "11430603MB1759764W000110003000001";
constexpr char kMatter[] = "land_use_planning_permit";
constexpr char kPdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n";

class CaseLinkTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) GTEST_SKIP() << "no database for this backend";
    db_ = temp_->Open();
    auto sets = cases::testing::CaseMigrationSets();
    ASSERT_TRUE(sets.ok()) << sets.error().ToString();
    sets->push_back(*Migrations());
    std::vector<const store::MigrationSet*> ptrs;
    for (const auto& s : *sets) ptrs.push_back(&s);
    auto migrated = db_->Migrate(ptrs);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    auto stack = cases::testing::MakeCaseStack(
        *db_, clock_, kProjectCaseCatalog[0].contents,
        fmt::format("projects-cases-{}", store::BackendName(GetParam())));
    ASSERT_TRUE(stack.ok()) << stack.error().ToString();
    stack_ = std::move(*stack);
    cases_ = stack_->cases.get();
    // The owner enterprise, its legal representative and the agent it authorised.
    Status seeded = db_->Transaction(store::TxKind::kWrite, [](soci::session& sql) -> Status {
      for (const char* id : {"legal-1", "agent-1"}) {
        const std::string account = id;
        sql << "INSERT INTO account (id, kind, name, created_at) VALUES (:id, 'citizen', :name, "
               "0)",
            soci::use(account, "id"), soci::use(account, "name");
      }
      sql << "INSERT INTO enterprise (uscc, name, legal_representative, registered_at, "
             "registered_by) VALUES ('91430603MB1763640W', '岳阳云溪化工有限公司', 'legal-1', 0, "
             "'test')";
      sql << "INSERT INTO agent_authorisation (id, uscc, agent_account, valid_from, valid_until, "
             "granted_by, granted_at, revoked_at) VALUES ('a1', '91430603MB1763640W', 'agent-1', "
             "0, NULL, 'legal-1', 0, NULL)";
      return Ok();
    });
    ASSERT_TRUE(seeded.ok()) << seeded.error().ToString();
    // 云溪区 handles 建设用地规划许可证核发 as a case of its catalog.
    RegionsConfig regions = *ShippedRegionsConfig();
    for (RegionConfig& r : regions.regions) {
      if (r.region != kRegion) continue;
      r.case_matters.push_back({.matter = kMatter,
                                .department = "430603-zrzyj",
                                .item = kItem,
                                .scenario = "new",
                                .form = {{"project_name", "project.name"},
                                         {"project_code", "project.code"},
                                         {"pre_review_findings", "matter.findings"}}});
      // A test assessment that spares the matter its review (极简审 of a running stage).
      r.assessments.push_back({.id = "YX-TEST",
                               .kind = "planning",
                               .title = "测试区域评估",
                               .basis = "测试",
                               .valid_from = *Date::Parse("2024-01-01"),
                               .valid_to = *Date::Parse("2028-12-31"),
                               .exempts = {kMatter}});
    }
    calendar_ = Calendar::WithEmbeddedSchedules();
    projects_ = *ProjectService::Create(
        *db_, {.clock = &clock_, .calendar = calendar_.get(), .regions = std::move(regions)});
    link_ = std::make_unique<CaseLink>(*projects_, *cases_, *stack_->people, nullptr);
    projects_->SetMatterCases(link_.get());
    cases_->SetObserver(link_.get());
  }
  std::string Register(int serial) {
    auto r =
        projects_->Register(clerk_, {.code = MakeProjectCode(2026, kRegion, "26", "01", serial),
                                     .name = "云溪绿色化工园项目",
                                     .uscc = kUscc,
                                     .enterprise_name = "岳阳云溪化工有限公司",
                                     .type = "government_investment",
                                     .commissioner = "commissioner-1"});
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    return r.ok() ? r->project.id : "";
  }

  const ProjectMatter& MatterIn(const ProjectRecord& r, std::string_view code) {
    for (const auto& m : r.matters) {
      if (m.code == code) return m;
    }
    ADD_FAILURE() << "no matter " << code;
    return r.matters.front();
  }

  // Starts stage 1 with 宗地图 replaced by a commitment; returns the matter's case number.
  std::string StartWithCase(const std::string& id) {
    auto started = projects_->StartStage(
        clerk_, id, 1, {{kMatter, {{.name = "宗地图", .state = "proof_waived"}}}});
    EXPECT_TRUE(started.ok()) << started.error().ToString();
    return started.ok() ? MatterIn(*started, kMatter).case_number : "";
  }

  // The window clerk scans the core materials in and accepts the case.
  void Accept(const std::string& number) {
    for (int index : {0, 1}) {
      auto s = cases_->SupplyMaterial(window_, number, index, cases::MaterialOrigin::kClerkScan,
                                      kPdf, "scan.pdf", "");
      ASSERT_TRUE(s.ok()) << s.error().ToString();
    }
    auto a = cases_->Accept(window_, number, {});
    ASSERT_TRUE(a.ok()) << a.error().ToString();
  }

  std::vector<std::string> Events(const ProjectRecord& r) {
    std::vector<std::string> out;
    out.reserve(r.events.size());
    for (const Event& e : r.events) out.push_back(e.action);
    return out;
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9)};
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<cases::testing::CaseStack> stack_;
  cases::CaseService* cases_ = nullptr;
  std::unique_ptr<Calendar> calendar_;
  std::unique_ptr<ProjectService> projects_;
  std::unique_ptr<CaseLink> link_;
  people::Principal clerk_ = Staff("clerk-1", kRegion, {"project.register", "project.read"});
  people::Principal window_ = Staff("window-1", kRegion, {"case.accept", "case.read"});
  people::Principal approver_ =
      Staff("approver-1", kRegion, {"case.approve", "case.read", "project.review", "project.read"});
  people::Principal reviewer_ = Staff("reviewer-1", kRegion, {"case.review", "case.read"});
  people::Principal admin_ = Staff("admin-1", kRegion, {"project.configure", "project.read"});
};

TEST_P(CaseLinkTest, AStagesMatterIsACaseWhoseStepsDriveTheProject) {
  const std::string id = Register(1);
  const std::string number = StartWithCase(id);
  ASSERT_TRUE(number.starts_with("430603-")) << number;
  auto r = projects_->Get(clerk_, id);
  ASSERT_TRUE(r.ok());
  // Only the matter the region's catalog publishes is a case; the others are decided here.
  for (const ProjectMatter& m : r->matters) {
    if (m.stage == 1 && m.code != kMatter) {
      EXPECT_EQ(m.case_number, "") << m.code;
    }
  }
  EXPECT_EQ(*projects_->OpenCases(id), 0);  // once per matter
  // The case: the enterprise applies through its agent, the form from the project, the
  // commitment carried over.
  auto c = cases_->Read(number);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->state, cases::CaseState::kSubmitted);
  EXPECT_EQ(c->matter, kItem);
  EXPECT_EQ(c->applicant_kind, cases::ApplicantKind::kEnterprise);
  EXPECT_EQ(c->applicant_code, kUscc);
  EXPECT_EQ(c->agent_account, "agent-1");
  EXPECT_EQ(c->submitted_by, "project:" + id);
  EXPECT_EQ(c->form.at("project_code"), r->project.code);
  EXPECT_EQ(c->materials[2].name, "宗地图");
  EXPECT_EQ(c->materials[2].state, cases::MaterialState::kProofWaived);

  // The matter is decided through its case only.
  auto beside = projects_->Decide(approver_, id, kMatter, true, "");
  ASSERT_FALSE(beside.ok());
  EXPECT_EQ(beside.error().code(), ErrorCode::kConflict);

  // A correction: the applicant's time, a pause of the stage until the case is accepted.
  auto corr = cases_->RequestCorrection(window_, number, {"划拨决定书或出让合同"}, {});
  ASSERT_TRUE(corr.ok()) << corr.error().ToString();
  clock_.Advance(std::chrono::hours(24));  // Friday 2026-11-27
  Accept(number);
  r = projects_->Get(clerk_, id);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pauses.size(), 1U);
  EXPECT_EQ(r->pauses[0].kind, PauseKind::kCorrection);
  EXPECT_EQ(r->pauses[0].stage, 1);
  EXPECT_EQ(r->pauses[0].from, "2026-11-26");
  EXPECT_EQ(r->pauses[0].to, "2026-11-27");
  EXPECT_EQ(r->stage_clocks[0].paused_days.at("correction"), 1);
  EXPECT_EQ(MatterIn(*r, kMatter).state, MatterState::kUnderReview);

  // The approver's decision decides the matter; the case number is its document.
  auto approved = cases_->Approve(approver_, number, {});
  ASSERT_TRUE(approved.ok()) << approved.error().ToString();
  r = projects_->Get(clerk_, id);
  ASSERT_TRUE(r.ok());
  const ProjectMatter& m = MatterIn(*r, kMatter);
  EXPECT_EQ(m.state, MatterState::kApproved);
  EXPECT_EQ(m.document_number, number);
  EXPECT_EQ(m.decided_on, "2026-11-27");
  const std::vector<std::string> events = Events(*r);
  for (const char* e : {"case_opened", "case_correction_requested", "case_accepted", "approved"}) {
    EXPECT_NE(std::find(events.begin(), events.end(), e), events.end()) << e;
  }
  // The other matters decided here conclude the stage.
  for (const ProjectMatter& other : r->matters) {
    if (other.stage != 1 || other.code == kMatter) continue;
    auto d = projects_->Decide(approver_, id, other.code, true, "");
    ASSERT_TRUE(d.ok()) << other.code << " " << d.error().ToString();
  }
  r = projects_->Get(clerk_, id);
  EXPECT_EQ(r->stages[0].state, StageState::kConcluded);
  EXPECT_TRUE(projects_->StartStage(clerk_, id, 2, {}).ok());
}

TEST_P(CaseLinkTest, BatchReviewDecidesEachProjectsCaseAndARefusedCaseFreesTheMatter) {
  const std::string a = Register(2), b = Register(3), c = Register(4);
  const std::string na = StartWithCase(a), nb = StartWithCase(b), nc = StartWithCase(c);
  ASSERT_FALSE(na.empty() || nb.empty() || nc.empty());
  Accept(na);
  Accept(nb);
  // A case not yet accepted refuses the whole batch; nothing is decided.
  BatchInput batch{
      .items = {{.project_id = a, .matter = kMatter}, {.project_id = c, .matter = kMatter}}};
  auto refused = projects_->BatchReview(approver_, batch);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kRefused);
  ASSERT_EQ(refused.error().fields().size(), 1U);
  EXPECT_EQ(refused.error().fields()[0].field, "items[1]");
  EXPECT_EQ(cases_->Read(na)->state, cases::CaseState::kUnderReview);

  batch.items[1].project_id = b;
  auto done = projects_->BatchReview(approver_, batch);
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  ASSERT_EQ(done->documents.size(), 2U);
  EXPECT_EQ(done->documents[0].document_number, na);
  EXPECT_EQ(done->documents[1].document_number, nb);
  for (const auto& [project, number] : {std::pair{a, na}, std::pair{b, nb}}) {
    EXPECT_EQ(cases_->Read(number)->state, cases::CaseState::kApproved) << number;
    auto r = projects_->Get(clerk_, project);
    ASSERT_TRUE(r.ok());
    const ProjectMatter& m = MatterIn(*r, kMatter);
    EXPECT_EQ(m.state, MatterState::kApproved);
    EXPECT_EQ(m.batch_id, done->id);
    EXPECT_EQ(m.document_number, number);
  }

  // A case refused acceptance leaves the matter under review without a case; a new one opens.
  auto gone =
      cases_->Refuse(window_, nc, "不属于本部门职权范围", "岳阳市云溪区住房和城乡建设局", {});
  ASSERT_TRUE(gone.ok()) << gone.error().ToString();
  auto r = projects_->Get(clerk_, c);
  EXPECT_EQ(MatterIn(*r, kMatter).case_number, "");
  EXPECT_EQ(MatterIn(*r, kMatter).state, MatterState::kUnderReview);
}

TEST_P(CaseLinkTest, PreReviewFindingsAreWrittenIntoTheCaseTheApproverReads) {
  const std::string with = Register(5), without = Register(6);
  const std::string findings = "方案符合控制性详细规划，建议优化退让";
  auto pre = projects_->PreReview(approver_, with, kMatter, findings);
  ASSERT_TRUE(pre.ok()) << pre.error().ToString();
  const std::string number = StartWithCase(with);
  ASSERT_FALSE(number.empty());
  auto c = cases_->Get(approver_, number);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  ASSERT_TRUE(c->form.contains("pre_review_findings"));
  EXPECT_EQ(c->form.at("pre_review_findings"), findings);
  // A matter not pre-reviewed leaves the optional field out.
  const std::string plain = StartWithCase(without);
  ASSERT_FALSE(plain.empty());
  EXPECT_FALSE(cases_->Read(plain)->form.contains("pre_review_findings"));
}

TEST_P(CaseLinkTest, ExemptingAMatterWithdrawsItsOpenCaseWithTheReason) {
  const std::string id = Register(7);
  const std::string number = StartWithCase(id);
  ASSERT_FALSE(number.empty());
  Accept(number);
  // Not covered by the assessment: refused, the case stays.
  auto wrong = projects_->Exempt(admin_, id, kMatter, "YX-QYPG-SB");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kRefused);
  EXPECT_EQ(cases_->Read(number)->state, cases::CaseState::kUnderReview);

  auto exempted = projects_->Exempt(admin_, id, kMatter, "YX-TEST");
  ASSERT_TRUE(exempted.ok()) << exempted.error().ToString();
  EXPECT_EQ(exempted->state, MatterState::kExempted);
  EXPECT_EQ(exempted->case_number, "");
  auto c = cases_->Read(number);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->state, cases::CaseState::kWithdrawn);
  // The withdrawal's trace names the assessment as the reason.
  std::string payload;
  const std::string stream = "case/" + c->id;
  Status read = db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    sql << "SELECT payload FROM trace_event WHERE action = 'case.withdrawn' AND stream = :s",
        soci::use(stream, "s"), soci::into(payload);
    return Ok();
  });
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  const bool reason_traced = payload.find("YX-TEST") != std::string::npos;
  EXPECT_TRUE(reason_traced) << payload;
  auto r = projects_->Get(clerk_, id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(MatterIn(*r, kMatter).state, MatterState::kExempted);
  EXPECT_EQ(MatterIn(*r, kMatter).case_number, "");
  const std::vector<std::string> events = Events(*r);
  EXPECT_NE(std::find(events.begin(), events.end(), "case_closed"), events.end());
  EXPECT_EQ(std::find(events.begin(), events.end(), "case_not_withdrawn"), events.end());
}

TEST_P(CaseLinkTest, ACaseSuspensionIsATypedPauseOfTheStage) {
  const std::string id = Register(8);
  const std::string number = StartWithCase(id);
  ASSERT_FALSE(number.empty());
  Accept(number);
  // 第45条 专家评审: the stage's clock stops as an expert review, not as free text.
  auto s = cases_->Suspend(reviewer_, number, cases::SuspensionReason::kExpertReview, 3, {});
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  auto r = projects_->Get(clerk_, id);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pauses.size(), 1U);
  EXPECT_EQ(r->pauses[0].kind, PauseKind::kExpertReview);
  EXPECT_EQ(r->pauses[0].stage, 1);
  EXPECT_EQ(r->pauses[0].from, "2026-11-26");
  EXPECT_EQ(r->pauses[0].to, "");
  EXPECT_NE(r->pauses[0].note.find("专家评审"), std::string::npos) << r->pauses[0].note;
  clock_.Advance(std::chrono::hours(24 * 4));  // Monday 2026-11-30
  auto resumed = cases_->Resume(reviewer_, number, {});
  ASSERT_TRUE(resumed.ok()) << resumed.error().ToString();
  r = projects_->Get(clerk_, id);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->pauses.size(), 1U);
  EXPECT_EQ(r->pauses[0].to, "2026-11-30");
  EXPECT_EQ(r->stage_clocks[0].paused_days.at("expert_review"), 2);  // Friday and Monday
  // A testing suspension (检测) is a third party's work: the intermediary kind.
  ASSERT_TRUE(cases_->Suspend(reviewer_, number, cases::SuspensionReason::kTesting, 2, {}).ok());
  r = projects_->Get(clerk_, id);
  ASSERT_EQ(r->pauses.size(), 2U);
  EXPECT_EQ(r->pauses[1].kind, PauseKind::kIntermediary);
  const std::vector<std::string> events = Events(*r);
  for (const char* e : {"case_suspended", "case_resumed"}) {
    EXPECT_NE(std::find(events.begin(), events.end(), e), events.end()) << e;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseLinkTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::projects
