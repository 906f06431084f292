// Construction projects on SQLite and PostgreSQL: registration from the type's template and the
// region's budget, the stage order refused with reasons unless pre-reviewed, material states,
// the clock with typed pauses, the flow table's versions, exemptions by regional assessment,
// batch review, delegation, escalation, the supervision feed and the statistics.
#include "projects/service.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <fmt/format.h>

#include "people/repository.h"
#include "people/timestamp.h"
#include "projects/demo.h"
#include "store/testing.h"

namespace tongban::projects {
namespace {

using people::Principal;

constexpr const char* kRegion = "430603";
constexpr const char* kUscc = "91430603MB1763640W";

Principal Staff(std::string id, std::string department, std::vector<std::string> permissions) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  p.account.region = kRegion;
  p.account.department = std::move(department);
  people::HeldGrant g;
  g.grant.scope.region = kRegion;
  g.permissions = std::move(permissions);
  std::sort(g.permissions.begin(), g.permissions.end());
  p.grants.push_back(std::move(g));
  return p;
}

std::vector<std::string> Fields(const Error& e) {
  std::vector<std::string> out;
  for (const auto& f : e.fields()) out.push_back(f.field);
  return out;
}

// The stand-in for supervision's card table (its migration needs the cases schema).
constexpr const char* kCardTable = R"(CREATE TABLE supervision_card (
  id INTEGER, dedupe_key TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL, case_number TEXT NOT NULL,
  step TEXT NOT NULL, step_name TEXT NOT NULL, trigger_name TEXT NOT NULL, level TEXT NOT NULL,
  reason TEXT NOT NULL, region_code TEXT NOT NULL, department_code TEXT NOT NULL,
  person TEXT NOT NULL, issued_on TEXT NOT NULL, issued_at BIGINT NOT NULL, state TEXT NOT NULL,
  notified INTEGER NOT NULL, answer TEXT NOT NULL, answered_by TEXT NOT NULL,
  answered_at BIGINT NOT NULL, handed_over_by TEXT NOT NULL, handed_over_at BIGINT NOT NULL,
  subject_kind TEXT NOT NULL DEFAULT 'case'))";
constexpr const char* kRecipientTable = R"(CREATE TABLE supervision_card_recipient (
  dedupe_key TEXT NOT NULL, account_id TEXT NOT NULL, role TEXT NOT NULL,
  PRIMARY KEY (dedupe_key, account_id)))";
constexpr const char* kNoticeTable = R"(CREATE TABLE supervision_notice (
  id TEXT PRIMARY KEY, card_id BIGINT NOT NULL, subject_kind TEXT NOT NULL,
  subject_id TEXT NOT NULL, subject_number TEXT NOT NULL, account_id TEXT NOT NULL,
  role TEXT NOT NULL, level TEXT NOT NULL, text TEXT NOT NULL, created_at BIGINT NOT NULL,
  sms_state TEXT NOT NULL, read_at BIGINT NOT NULL))";

class ProjectServiceTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*Migrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    auto migrated = db_->Migrate(ptrs);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    Status s = db_->Transaction(store::TxKind::kWrite, [](soci::session& sql) -> Status {
      sql << kCardTable;
      sql << kRecipientTable;
      sql << kNoticeTable;
      return Ok();
    });
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    calendar_ = Calendar::WithEmbeddedSchedules();
    auto service = ProjectService::Create(*db_, {.clock = &clock_, .calendar = calendar_.get()});
    ASSERT_TRUE(service.ok()) << service.error().ToString();
    service_ = std::move(*service);
  }

  std::string Register(int serial, std::string type = "government_investment") {
    auto r = service_->Register(clerk_, {.code = MakeProjectCode(2026, kRegion, "26", "01", serial),
                                         .name = "云溪绿色化工园项目",
                                         .uscc = kUscc,
                                         .enterprise_name = "岳阳云溪化工有限公司",
                                         .type = std::move(type),
                                         .commissioner = "commissioner-1"});
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    return r.ok() ? r->project.id : "";
  }

  // Approves every matter under review in `stage`.
  void ApproveStage(const std::string& id, int stage) {
    auto r = service_->Get(reviewer_, id);
    ASSERT_TRUE(r.ok());
    for (const auto& m : r->matters) {
      if (m.stage != stage || m.state != MatterState::kUnderReview) continue;
      auto d = service_->Decide(reviewer_, id, m.code, true, "");
      ASSERT_TRUE(d.ok()) << m.code << " " << d.error().ToString();
    }
  }

  const ProjectMatter& MatterIn(const ProjectRecord& r, std::string_view code) {
    for (const auto& m : r.matters) {
      if (m.code == code) return m;
    }
    ADD_FAILURE() << "no matter " << code;
    return r.matters.front();
  }

  int Cards(const std::string& trigger) {
    int n = 0;
    Status s = db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      sql << "SELECT COUNT(*) FROM supervision_card WHERE trigger_name = :t", soci::use(trigger),
          soci::into(n);
      return Ok();
    });
    EXPECT_TRUE(s.ok());
    return n;
  }

  void AdvanceDays(int days) { clock_.Advance(std::chrono::hours(24 * days)); }

  // Thursday 2026-11-26 09:00 China Standard Time.
  FakeClock clock_{
      Timestamp(std::chrono::milliseconds(*people::ParseTimestamp("2026-11-26T09:00:00+08:00")))};
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Calendar> calendar_;
  std::unique_ptr<ProjectService> service_;
  Principal clerk_ = Staff("clerk-1", "430603-zwzx", {"project.register", "project.read"});
  Principal reviewer_ = Staff("reviewer-1", "", {"project.review", "project.read"});
  Principal zrzyj_ = Staff("zrzyj-1", "430603-zrzyj", {"project.review", "project.read"});
  Principal commissioner_ = Staff("commissioner-1", "430603-zwzx",
                                  {"project.flow_table", "project.read", "project.escalate"});
  Principal admin_ = Staff("admin-1", "430603-zwzx", {"project.configure", "project.read"});
  Principal outsider_ = Staff("outsider-1", "430603-wjj", {"case.read"});
};

TEST_P(ProjectServiceTest, RegisterBuildsTheTypesStagesUnderTheRegionsBudget) {
  if (!service_) return;
  const std::string id = Register(1);
  auto r = service_->Get(clerk_, id);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->project.budget_days, 30);  // Yunxi: 30 working days
  ASSERT_EQ(r->stages.size(), 4U);
  EXPECT_EQ(r->stages[0].title, "立项用地规划许可");
  EXPECT_EQ(r->stages[0].share_days, 8);
  EXPECT_EQ(r->stages[3].share_days, 6);
  EXPECT_EQ(r->matters.size(), 20U);
  EXPECT_EQ(MatterIn(*r, "site_selection_pre_review").department, "430603-zrzyj");
  EXPECT_EQ(r->clock.status, "not_started");
  EXPECT_EQ(r->clock.remaining_days, 30);
  EXPECT_EQ(r->events.front().action, "registered");

  // Social investment in Yunxi: two matters removed for the type (极简审), with that basis.
  const std::string social = Register(2, "social_investment");
  auto s = service_->Get(clerk_, social);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(MatterIn(*s, "design_scheme_review").state, MatterState::kRemoved);
  EXPECT_EQ(MatterIn(*s, "design_scheme_review").basis,
            "岳阳市云溪区对社会投资项目取消此事项（极简审）");
  auto tables = service_->FlowTables(commissioner_, social);
  ASSERT_TRUE(tables.ok());
  ASSERT_EQ(tables->size(), 1U);
  EXPECT_EQ(tables->front().rows.size(), 17U);  // 19 matters, 2 removed

  // Every invalid field at once; a code twice; reading needs a permission.
  auto bad = service_->Register(clerk_, {.code = "2030-430603-26-01-000019",
                                         .name = "x",
                                         .uscc = "91430603MB1763640A",
                                         .type = "bridge"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(Fields(bad.error()), (std::vector<std::string>{"project_code", "uscc", "type"}));
  EXPECT_EQ(bad.error().fields()[0].message, "year: 2030 is after 2026");
  auto twice = service_->Register(
      clerk_, {.code = r->project.code, .name = "x", .uscc = kUscc, .type = "small_low_risk"});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(service_->Get(outsider_, id).error().code(), ErrorCode::kForbidden);
  EXPECT_TRUE(service_->Get(commissioner_, id).ok());  // the commissioner reads it
}

// A department's reviewer (project.read scoped to its department, as a park's approver holds it)
// reads and lists the projects it has a matter of, and no others.
TEST_P(ProjectServiceTest, ADepartmentsReaderReadsTheProjectsItHasAMatterOf) {
  if (!service_) return;
  const std::string id = Register(1);
  auto scoped = [](std::string department) {
    Principal p = Staff("dept-reader", department, {"project.read"});
    p.grants[0].grant.scope.department = std::move(department);
    return p;
  };
  const Principal zrzyj = scoped("430603-zrzyj");  // 自然资源局: site selection pre-review
  const Principal wjj = scoped("430603-wjj");      // no matter of this project
  auto read = service_->Get(zrzyj, id);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(read->project.id, id);
  EXPECT_EQ(service_->Get(wjj, id).error().code(), ErrorCode::kForbidden);
  auto listed = service_->List(zrzyj, {});
  ASSERT_TRUE(listed.ok()) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ((*listed)[0].project.id, id);
  auto none = service_->List(wjj, {});
  ASSERT_TRUE(none.ok()) << none.error().ToString();
  EXPECT_TRUE(none->empty());
}

TEST_P(ProjectServiceTest, StageWaitsForItsPredecessorUnlessPreReviewed) {
  if (!service_) return;
  const std::string id = Register(3);
  auto early = service_->StartStage(clerk_, id, 2, {});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::kRefused);
  EXPECT_EQ(Fields(early.error()),
            (std::vector<std::string>{"stages[1].matters.feasibility_study_approval",
                                      "stages[1].matters.land_use_planning_permit",
                                      "stages[1].matters.project_proposal_approval",
                                      "stages[1].matters.site_selection_pre_review"}));

  // 提前审: a stage-2 matter reviewed before stage 1's results, by the competent department
  // (the park administration, by delegation).
  auto denied = service_->PreReview(zrzyj_, id, "works_planning_permit", "方案符合控规");
  EXPECT_EQ(denied.error().code(), ErrorCode::kForbidden);  // delegated away from 自然资源
  Principal park = Staff("park-1", "430603-yqgwh", {"project.review"});
  auto pre = service_->PreReview(park, id, "works_planning_permit", "方案符合控规，退让满足要求");
  ASSERT_TRUE(pre.ok()) << pre.error().ToString();
  EXPECT_EQ(pre->state, MatterState::kPreReviewed);
  EXPECT_EQ(pre->department, "430603-yqgwh");

  ASSERT_TRUE(service_->StartStage(clerk_, id, 1, {}).ok());
  auto again = service_->StartStage(clerk_, id, 1, {});
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
  ApproveStage(id, 1);
  auto started = service_->StartStage(clerk_, id, 2, {});
  ASSERT_TRUE(started.ok()) << started.error().ToString();
  EXPECT_EQ(started->stages[0].state, StageState::kConcluded);
  EXPECT_EQ(started->stages[1].state, StageState::kRunning);
  const ProjectMatter& m = MatterIn(*started, "works_planning_permit");
  EXPECT_EQ(m.state, MatterState::kUnderReview);
  EXPECT_EQ(m.findings, "方案符合控规，退让满足要求");  // carried over
  EXPECT_EQ(m.limit_days, 1);                           // the formal review is quick
  EXPECT_EQ(m.delegation_basis, "赋权决定（演示数据）");
  EXPECT_EQ(MatterIn(*started, "design_scheme_review").limit_days, 6);
}

TEST_P(ProjectServiceTest, ApprovalStartsWithCoreMaterialsAndGapsHoldTheResult) {
  if (!service_) return;
  const std::string id = Register(4);
  auto core = service_->StartStage(
      clerk_, id, 1, {{"site_selection_pre_review", {{.name = "项目拟选位置图", .state = "gap"}}}});
  ASSERT_FALSE(core.ok());
  EXPECT_EQ(Fields(core.error()),
            (std::vector<std::string>{"materials.site_selection_pre_review.项目拟选位置图"}));
  auto late = service_->StartStage(
      clerk_, id, 1, {{"land_use_planning_permit", {{.name = "宗地图", .state = "supply_later"}}}});
  EXPECT_EQ(Fields(late.error()),
            (std::vector<std::string>{"materials.land_use_planning_permit.宗地图"}));

  auto started = service_->StartStage(
      clerk_, id, 1,
      {{"site_selection_pre_review", {{.name = "土地利用现状图", .state = "gap"}}},
       {"land_use_planning_permit",
        {{.name = "宗地图", .state = "supply_later", .due_on = "2026-12-10"}}},
       {"project_proposal_approval", {{.name = "项目单位承诺书", .state = "proof_waived"}}}});
  ASSERT_TRUE(started.ok()) << started.error().ToString();
  auto held = service_->Decide(reviewer_, id, "site_selection_pre_review", true, "");
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.error().code(), ErrorCode::kRefused);
  EXPECT_EQ(Fields(held.error()), (std::vector<std::string>{"materials.土地利用现状图"}));
  // 先批后验: supply_later and proof_waived do not hold the result up.
  auto now = service_->Decide(reviewer_, id, "land_use_planning_permit", true, "");
  ASSERT_TRUE(now.ok()) << now.error().ToString();
  EXPECT_EQ(now->document_number,
            MakeProjectCode(2026, kRegion, "26", "01", 4) + "/land_use_planning_permit");
  EXPECT_TRUE(service_->Decide(reviewer_, id, "project_proposal_approval", true, "").ok());
  ASSERT_TRUE(
      service_->SupplyMaterial(clerk_, id, "site_selection_pre_review", "土地利用现状图").ok());
  EXPECT_TRUE(service_->Decide(reviewer_, id, "site_selection_pre_review", true, "").ok());
  auto denied = service_->Decide(zrzyj_, id, "feasibility_study_approval", true, "");
  EXPECT_EQ(denied.error().code(), ErrorCode::kForbidden);  // 发改's matter
}

TEST_P(ProjectServiceTest, ClockCountsGovernmentTimeAndStatesThePauses) {
  if (!service_) return;
  const std::string id = Register(5);
  ASSERT_TRUE(service_->StartStage(clerk_, id, 1, {}).ok());  // Thursday 2026-11-26
  auto pause = service_->RecordPause(
      clerk_, id, {.stage = 1, .kind = "intermediary", .from = "2026-11-27", .to = "2026-12-01"});
  ASSERT_TRUE(pause.ok()) << pause.error().ToString();
  auto open = service_->RecordPause(clerk_, id, {.kind = "expert_review", .from = "2026-11-30"});
  ASSERT_TRUE(open.ok());
  AdvanceDays(7);  // Thursday 2026-12-03: 5 working days later
  auto r = service_->Get(clerk_, id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->clock.elapsed_days, 5);
  EXPECT_EQ(r->clock.paused_days.at("intermediary"), 2);   // Mon 11-30, Tue 12-01
  EXPECT_EQ(r->clock.paused_days.at("expert_review"), 3);  // Tue, Wed, Thu
  EXPECT_EQ(r->clock.used_days, 1);                        // merged: Mon … Thu stopped
  EXPECT_EQ(r->clock.remaining_days, 29);
  EXPECT_TRUE(r->clock.counted_pauses.empty());
  EXPECT_EQ(r->stage_clocks[0].used_days, 1);
  EXPECT_EQ(r->stage_clocks[1].status, "not_started");
  ASSERT_TRUE(service_->EndPause(clerk_, id, open->id, "2026-12-01").ok());
  auto ended = service_->Get(clerk_, id);
  EXPECT_EQ(ended->clock.used_days, 3);  // Fri 11-27, Wed 12-02, Thu 12-03

  auto bad = service_->RecordPause(clerk_, id, {.stage = 9, .kind = "lunch", .to = "x"});
  EXPECT_EQ(Fields(bad.error()), (std::vector<std::string>{"kind", "stage", "to"}));
}

TEST_P(ProjectServiceTest, TheSweepCardsLateProjectsStagesAndMattersOnce) {
  if (!service_) return;
  const std::string id = Register(6);
  ASSERT_TRUE(service_->StartStage(clerk_, id, 1, {}).ok());
  auto quiet = service_->Sweep();
  ASSERT_TRUE(quiet.ok()) << quiet.error().ToString();
  EXPECT_EQ(quiet->warnings + quiet->yellow_cards + quiet->red_cards, 0);
  AdvanceDays(7 * 8);  // 2027-01-21: well over the 8-day stage share and the 30-day budget
  auto late = service_->Sweep();
  ASSERT_TRUE(late.ok()) << late.error().ToString();
  EXPECT_EQ(Cards("project_budget_exceeded"), 1);
  EXPECT_EQ(Cards("project_budget_red"), 1);
  EXPECT_EQ(Cards("stage_share_exceeded"), 1);
  EXPECT_EQ(Cards("matter_limit_exceeded"), 4);
  EXPECT_EQ(late->yellow_cards, 6);
  EXPECT_EQ(late->red_cards, 1);
  auto again = service_->Sweep();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->yellow_cards + again->red_cards + again->warnings, 0);
  auto r = service_->Get(clerk_, id);
  EXPECT_EQ(r->clock.status, "over_budget");
}

TEST_P(ProjectServiceTest, ProjectCardsNameTheCommissionerAndTheEnterpriseAgents) {
  if (!service_) return;
  // The owner enterprise with one agent authorised now and one whose authorisation was revoked.
  Status seeded = db_->Transaction(store::TxKind::kWrite, [](soci::session& sql) -> Status {
    for (const char* id : {"legal-1", "agent-1", "agent-2"}) {
      const std::string account = id;
      sql << "INSERT INTO account (id, kind, name, created_at) VALUES (:id, 'citizen', :name, 0)",
          soci::use(account, "id"), soci::use(account, "name");
    }
    sql << "INSERT INTO enterprise (uscc, name, legal_representative, registered_at, "
           "registered_by) VALUES ('91430603MB1763640W', '岳阳云溪化工有限公司', 'legal-1', 0, "
           "'test')";
    sql << "INSERT INTO agent_authorisation (id, uscc, agent_account, valid_from, valid_until, "
           "granted_by, granted_at, revoked_at) VALUES ('a1', '91430603MB1763640W', 'agent-1', "
           "0, NULL, 'legal-1', 0, NULL)";
    sql << "INSERT INTO agent_authorisation (id, uscc, agent_account, valid_from, valid_until, "
           "granted_by, granted_at, revoked_at) VALUES ('a2', '91430603MB1763640W', 'agent-2', "
           "0, NULL, 'legal-1', 0, 5)";
    return Ok();
  });
  ASSERT_TRUE(seeded.ok()) << seeded.error().ToString();
  const std::string id = Register(16);
  ASSERT_TRUE(service_->StartStage(clerk_, id, 1, {}).ok());
  AdvanceDays(7 * 8);
  ASSERT_TRUE(service_->Sweep().ok());
  std::vector<std::string> kinds, recipients;
  Status read = db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string kind, who;
    store::ExecuteRows(
        sql, "SELECT DISTINCT subject_kind FROM supervision_card", [&] { kinds.push_back(kind); },
        soci::into(kind));
    store::ExecuteRows(
        sql,
        "SELECT r.account_id || '/' || r.role FROM supervision_card_recipient r JOIN "
        "supervision_card k ON k.dedupe_key = r.dedupe_key WHERE k.trigger_name = "
        "'project_budget_red' ORDER BY r.account_id",
        [&] { recipients.push_back(who); }, soci::into(who));
    return Ok();
  });
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(kinds, (std::vector<std::string>{"project"}));
  // The revoked agent is not named; the matter's department card names the same people.
  EXPECT_EQ(recipients, (std::vector<std::string>{"agent-1/agent", "commissioner-1/commissioner"}));

  // A notice supervision queued for the commissioner reads back on the project's side only for
  // that account.
  const std::string subject = "project:" + id;
  Status queued = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    sql << "INSERT INTO supervision_notice VALUES ('card-1-commissioner-1', 1, 'project', "
           ":subject, 'CODE', 'commissioner-1', 'commissioner', 'red', '电子监察红牌', 7, "
           "'pending', 0)",
        soci::use(subject, "subject");
    return Ok();
  });
  ASSERT_TRUE(queued.ok()) << queued.error().ToString();
  auto mine = service_->Notices(commissioner_, 20);
  ASSERT_TRUE(mine.ok()) << mine.error().ToString();
  ASSERT_EQ(mine->size(), 1U);
  EXPECT_EQ((*mine)[0].project_id, id);
  EXPECT_EQ((*mine)[0].level, "red");
  EXPECT_TRUE(service_->Notices(clerk_, 20)->empty());
  EXPECT_EQ(service_->Notices(clerk_, 0).error().code(), ErrorCode::kInvalidArgument);
}

// An SMS adapter that takes every message but those to one phone (the operator refuses it now).
class FlakySms final : public people::SmsGateway {
 public:
  explicit FlakySms(std::string refused) : refused_(std::move(refused)) {}
  Status Send(const people::SmsMessage& m) override {
    if (m.phone == refused_) return Error(ErrorCode::kUnavailable, "operator busy");
    return outbox_.Send(m);
  }
  people::SimulatedSmsGateway outbox_;
  std::string refused_;
};

TEST_P(ProjectServiceTest, ProjectNoticesGoOutBySmsAndAreReadOnce) {
  if (!service_) return;
  // The commissioner has a phone; agent-1 has none; agent-2's account is disabled; agent-3's
  // operator refuses for now.
  Status seeded = db_->Transaction(store::TxKind::kWrite, [](soci::session& sql) -> Status {
    sql << "INSERT INTO account (id, kind, name, phone, status, created_at) VALUES "
           "('commissioner-1', 'staff', '专员', '13800000001', 'active', 0), "
           "('agent-1', 'citizen', '代办一', NULL, 'active', 0), "
           "('agent-2', 'citizen', '代办二', '13800000002', 'disabled', 0), "
           "('agent-3', 'citizen', '代办三', '13800000003', 'active', 0)";
    int card = 1;
    for (const char* account : {"commissioner-1", "agent-1", "agent-2", "agent-3"}) {
      const std::string id = fmt::format("card-1-{}", account), who = account;
      sql << "INSERT INTO supervision_notice VALUES (:id, :card, 'project', 'project:p1', "
             "'CODE', :account, 'agent', 'yellow', '电子监察黄牌：项目 CODE 超过预算', :at, "
             "'pending', 0)",
          soci::use(id, "id"), soci::use(card, "card"), soci::use(who, "account"),
          soci::use(card, "at");
      ++card;
    }
    // Another subject's notice is not the projects' to send.
    sql << "INSERT INTO supervision_notice VALUES ('card-9-x', 9, 'licence', 'l1', 'L', "
           "'commissioner-1', 'holder', 'warning', 'x', 9, 'pending', 0)";
    return Ok();
  });
  ASSERT_TRUE(seeded.ok()) << seeded.error().ToString();
  FlakySms sms("13800000003");
  auto service =
      ProjectService::Create(*db_, {.clock = &clock_, .calendar = calendar_.get(), .sms = &sms});
  ASSERT_TRUE(service.ok()) << service.error().ToString();
  auto sent = (*service)->SendNotices();
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  EXPECT_EQ(*sent, 1);
  auto out = sms.outbox_.Outbox("", 10);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].phone, "13800000001");
  EXPECT_EQ(out[0].text, "电子监察黄牌：项目 CODE 超过预算");
  EXPECT_EQ(out[0].id, "card-1-commissioner-1");
  auto states = [&] {
    std::vector<std::string> v;
    std::string row;
    Status read = db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      store::ExecuteRows(
          sql, "SELECT account_id || '=' || sms_state FROM supervision_notice ORDER BY id",
          [&] { v.push_back(row); }, soci::into(row));
      return Ok();
    });
    EXPECT_TRUE(read.ok());
    return v;
  };
  EXPECT_EQ(states(), (std::vector<std::string>{"agent-1=none", "agent-2=none", "agent-3=pending",
                                                "commissioner-1=sent", "commissioner-1=pending"}));
  // The operator takes agent-3's message on the next round; nothing is sent twice.
  sms.refused_.clear();
  EXPECT_EQ(*(*service)->SendNotices(), 1);
  EXPECT_EQ(*(*service)->SendNotices(), 0);
  EXPECT_EQ(sms.outbox_.size(), 2U);

  // Listed for the recipient with its SMS state, read once, invisible to others.
  auto mine = service_->Notices(commissioner_, 20);
  ASSERT_TRUE(mine.ok()) << mine.error().ToString();
  ASSERT_EQ(mine->size(), 1U);
  EXPECT_EQ((*mine)[0].project_id, "p1");
  EXPECT_EQ((*mine)[0].sms_state, "sent");
  EXPECT_EQ((*mine)[0].read_at, 0);
  auto read = service_->MarkNoticeRead(commissioner_, "card-1-commissioner-1");
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(read->read_at,
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
                .count());
  AdvanceDays(1);
  auto again = service_->MarkNoticeRead(commissioner_, "card-1-commissioner-1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->read_at, read->read_at);  // the first reading stays
  EXPECT_EQ(service_->MarkNoticeRead(clerk_, "card-1-commissioner-1").error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(service_->MarkNoticeRead(commissioner_, "card-9-x").error().code(),
            ErrorCode::kNotFound);  // not a project notice
  EXPECT_EQ(service_->Notices(commissioner_, 20)->front().read_at, read->read_at);
}

TEST_P(ProjectServiceTest, TheCommissionerVersionsTheFlowTableAndStagesFollowIt) {
  if (!service_) return;
  const std::string id = Register(7);
  auto tables = service_->FlowTables(commissioner_, id);
  ASSERT_TRUE(tables.ok());
  std::vector<FlowRow> rows = tables->back().rows;
  // Stage 2: drop the mineral review, give the EIA 6 days, add a matter of the project's own.
  std::erase_if(rows, [](const FlowRow& r) { return r.matter == "mineral_overlay_review"; });
  for (auto& r : rows) {
    if (r.matter == "eia_approval") r.limit_days = 6;
  }
  rows.push_back({.stage = 2,
                  .matter = "pipeline_crossing_permit",
                  .title = "管线穿越许可",
                  .department = "430603-jtj",
                  .materials = {"穿越方案"},
                  .milestone = "开工前",
                  .limit_days = 3});
  EXPECT_EQ(service_->EditFlowTable(clerk_, id, rows, 1, "").error().code(), ErrorCode::kForbidden);
  EXPECT_EQ(service_->EditFlowTable(commissioner_, id, rows, 2, "").error().code(),
            ErrorCode::kVersionMismatch);
  auto saved = service_->EditFlowTable(commissioner_, id, rows, 1, "一企一策：管线穿越");
  ASSERT_TRUE(saved.ok()) << saved.error().ToString();
  EXPECT_EQ(saved->version, 2);
  auto r = service_->Get(clerk_, id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->project.flow_version, 2);
  EXPECT_EQ(MatterIn(*r, "eia_approval").limit_days, 6);
  EXPECT_EQ(MatterIn(*r, "pipeline_crossing_permit").department, "430603-jtj");
  EXPECT_FALSE(std::any_of(r->matters.begin(), r->matters.end(), [](const ProjectMatter& m) {
    return m.code == "mineral_overlay_review";
  }));
  EXPECT_EQ(service_->FlowTables(commissioner_, id)->size(), 2U);

  // A started stage's rows no longer change; a bad row names itself.
  ASSERT_TRUE(service_->StartStage(clerk_, id, 1, {}).ok());
  for (auto& row : rows) {
    if (row.matter == "site_selection_pre_review") row.limit_days = 2;
    if (row.matter == "eia_approval") row.limit_days = 99;
  }
  auto refused = service_->EditFlowTable(commissioner_, id, rows, 2, "");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Fields(refused.error()).size(), 2U);
}

TEST_P(ProjectServiceTest, ExemptionsNeedAValidRegionalAssessmentAndReportTheSavings) {
  if (!service_) return;
  const std::string id = Register(8);
  auto none = service_->Exempt(admin_, id, "soil_water_conservation", "");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kRefused);
  EXPECT_EQ(Fields(none.error()), (std::vector<std::string>{"assessment"}));
  EXPECT_EQ(service_->Exempt(admin_, id, "soil_water_conservation", "YX-QYPG-WW")
                .error()
                .fields()[0]
                .message,
            "does not cover the matter");
  EXPECT_EQ(service_->Exempt(admin_, id, "mineral_overlay_review", "YX-QYPG-KC")
                .error()
                .fields()[0]
                .message,
            "not valid today");  // expired 2025-06-30
  EXPECT_EQ(service_->Exempt(admin_, id, "soil_water_conservation", "NOPE").error().code(),
            ErrorCode::kRefused);
  auto ok = service_->Exempt(admin_, id, "soil_water_conservation", "YX-QYPG-SB");
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(ok->state, MatterState::kExempted);
  EXPECT_EQ(ok->basis,
            "区域评估 YX-QYPG-SB 云溪绿色化工园区域水土保持评估（区域评估成果（演示数据））");
  ASSERT_TRUE(service_->Exempt(admin_, id, "cultural_relics_survey", "YX-QYPG-WW").ok());
  Register(9, "social_investment");  // two matters removed for the type
  auto savings = service_->SavingsReport(admin_, kRegion);
  ASSERT_TRUE(savings.ok()) << savings.error().ToString();
  EXPECT_EQ(savings->matters_exempted, 2);
  EXPECT_EQ(savings->matters_removed, 2);
  EXPECT_EQ(savings->days_saved, 20 + 20 + 20 + 20);
  EXPECT_EQ(savings->fees_saved_fen, (30000 + 60000) * 100);
  EXPECT_EQ(savings->by_matter.at("soil_water_conservation"), 1);
}

TEST_P(ProjectServiceTest, BatchReviewGivesEachProjectItsOwnDecision) {
  if (!service_) return;
  std::vector<std::string> ids = {Register(10), Register(11), Register(12)};
  for (const auto& id : ids) ASSERT_TRUE(service_->StartStage(clerk_, id, 1, {}).ok());
  auto mixed = service_->BatchReview(
      reviewer_, {.items = {{ids[0], "site_selection_pre_review"}, {ids[1], "eia_approval"}}});
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(Fields(mixed.error()), (std::vector<std::string>{"items[1].matter"}));
  auto not_running = service_->BatchReview(
      reviewer_, {.items = {{ids[0], "eia_approval"}, {ids[1], "eia_approval"}}});
  EXPECT_EQ(not_running.error().code(), ErrorCode::kRefused);

  auto batch = service_->BatchReview(reviewer_, {.items = {{ids[0], "site_selection_pre_review"},
                                                           {ids[1], "site_selection_pre_review"},
                                                           {ids[2], "site_selection_pre_review"}},
                                                 .note = "同类项目集中审查"});
  ASSERT_TRUE(batch.ok()) << batch.error().ToString();
  ASSERT_EQ(batch->documents.size(), 3U);
  EXPECT_NE(batch->documents[0].document_number, batch->documents[1].document_number);
  for (const auto& id : ids) {
    auto r = service_->Get(clerk_, id);
    const ProjectMatter& m = MatterIn(*r, "site_selection_pre_review");
    EXPECT_EQ(m.state, MatterState::kApproved);
    EXPECT_EQ(m.batch_id, batch->id);
    EXPECT_EQ(r->events.back().action, "approved");  // traced on each project
  }
}

TEST_P(ProjectServiceTest, ADelegatedMattersParkIsCompetentWhileValid) {
  if (!service_) return;
  auto during = service_->CompetentDepartment(kRegion, "completion_filing", "zjj",
                                              *Date::Parse("2025-06-01"));
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->department, "430603-yqgwh");
  auto after = service_->CompetentDepartment(kRegion, "completion_filing", "zjj",
                                             *Date::Parse("2026-11-26"));
  EXPECT_EQ(after->department, "430603-zjj");  // expired 2025-12-31
  EXPECT_EQ(service_->Delegations(kRegion, "2026-11-26")->size(), 3U);
  Delegation bad{.region = kRegion, .matter = "fire_acceptance", .to_department = "430603-yqgwh"};
  EXPECT_EQ(Fields(service_->AddDelegation(admin_, bad).error()),
            (std::vector<std::string>{"basis"}));
  bad.basis = "赋权决定";
  bad.valid_from = *Date::Parse("2026-01-01");
  bad.valid_to = *Date::Parse("2026-12-31");
  EXPECT_EQ(service_->AddDelegation(clerk_, bad).error().code(), ErrorCode::kForbidden);
  ASSERT_TRUE(service_->AddDelegation(admin_, bad).ok());
  EXPECT_EQ(
      service_->CompetentDepartment(kRegion, "fire_acceptance", "zjj", *Date::Parse("2026-11-26"))
          ->department,
      "430603-yqgwh");
}

TEST_P(ProjectServiceTest, EscalationGivesDepartmentsDeadlinesAndOverduePartsAreCarded) {
  if (!service_) return;
  const std::string id = Register(13);
  auto empty = service_->Escalate(commissioner_, id, {.reason = ""});
  EXPECT_EQ(Fields(empty.error()), (std::vector<std::string>{"reason", "parts"}));
  auto e = service_->Escalate(
      commissioner_, id,
      {.reason = "用地报批卡在压覆矿产评估",
       .meeting_on = "2026-11-27",
       .parts = {{.department = "430603-zrzyj", .task = "出具压覆意见", .due_on = "2026-11-30"},
                 {.department = "430603-fgj", .task = "调整立项批复", .due_on = "2026-12-04"}}});
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  EXPECT_EQ(e->parts.size(), 2U);
  EXPECT_EQ(service_->CompletePart(zrzyj_, e->id, "430603-fgj", "").error().code(),
            ErrorCode::kForbidden);
  AdvanceDays(6);  // Wednesday 2026-12-02: 自然资源's part is late
  ASSERT_TRUE(service_->Sweep().ok());
  EXPECT_EQ(Cards("escalation_overdue"), 1);
  auto done = service_->CompletePart(zrzyj_, e->id, "430603-zrzyj", "已出具");
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_EQ(done->parts[1].done_on, "2026-12-02");
  EXPECT_EQ(service_->CompletePart(zrzyj_, e->id, "430603-zrzyj", "").error().code(),
            ErrorCode::kConflict);
}

TEST_P(ProjectServiceTest, StatisticsCountStagesDaysAndSavings) {
  if (!service_) return;
  const std::string done = Register(14, "small_low_risk");
  for (int stage = 1; stage <= 4; ++stage) {
    auto s = service_->StartStage(clerk_, done, stage, {});
    ASSERT_TRUE(s.ok()) << stage << s.error().ToString();
    AdvanceDays(1);  // Friday, then the weekend does not count
    ApproveStage(done, stage);
  }
  Register(15);
  auto r = service_->Get(clerk_, done);
  EXPECT_EQ(r->project.state, "completed");
  EXPECT_EQ(r->clock.status, "concluded");
  auto stats = service_->Statistics(clerk_, kRegion);
  ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  EXPECT_EQ(stats->projects, 2);
  EXPECT_EQ(stats->completed, 1);
  EXPECT_EQ(stats->per_stage.at(0), 1);
  EXPECT_EQ(stats->per_stage.at(1), 1);
  EXPECT_EQ(stats->budget_days_total, 15);
  EXPECT_EQ(stats->used_days_total, r->clock.used_days);
  EXPECT_EQ(stats->legal_days_total, 20 + 20 + 15 + 30);
  EXPECT_EQ(stats->savings.matters_removed, 2);
  EXPECT_EQ(service_->Statistics(outsider_, kRegion).error().code(), ErrorCode::kForbidden);
}

TEST_P(ProjectServiceTest, TheDemoLoadsYunxisPortfolioOnce) {
  if (!service_) return;
  auto demo = LoadDemoProjects(*db_, *service_);
  ASSERT_TRUE(demo.ok()) << demo.error().ToString();
  EXPECT_EQ(demo->projects, 113);
  auto stats = service_->Statistics(clerk_, kRegion);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->projects, 113);
  EXPECT_GT(stats->completed, 40);
  EXPECT_GT(stats->per_stage[1] + stats->per_stage[2] + stats->per_stage[3] + stats->per_stage[4],
            20);
  EXPECT_GT(stats->savings.matters_exempted, 50);
  EXPECT_GT(stats->savings.matters_removed, 20);
  // Most projects finish within Yunxi's 30 days; government time only.
  EXPECT_LT(stats->used_days_total, stats->budget_days_total);
  auto again = LoadDemoProjects(*db_, *service_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->projects, 0);
  auto sweep = service_->Sweep();
  ASSERT_TRUE(sweep.ok()) << sweep.error().ToString();
}

INSTANTIATE_TEST_SUITE_P(Backends, ProjectServiceTest,
                         ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::projects
