// Supervision on SQLite and PostgreSQL: rule sets (checks, inheritance), the sweep (levels,
// once per case/step/trigger, dry run, escalation, warning notices), answers, hand-over, reports
// and the scoped card listing. Cases and review steps are written as rows, as the cases module
// and the workflow runtime leave them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include <fmt/format.h>

#include "bpmn/runtime.h"
#include "cases/service.h"
#include "catalog/repository.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "store/testing.h"
#include "supervision/rules.h"
#include "supervision/service.h"
#include "supervision/service_impl.h"
#include "trace/trace.h"

namespace tongban::supervision {
namespace {

using store::testing::Backends;
using store::testing::TempDatabase;

constexpr const char* kProvince = R"(region: "430000"
warning: {working_days: 1, percent: 0}
escalation: {yellow_cards: 3, days: 30}
red_after_working_days: 5
rules:
  - name: total_limit_exceeded
    level: yellow
    reason: 办件超过承诺办结时限
    states: [under_review]
    when: due on < today
  - name: total_limit_exceeded_long
    level: red
    reason: 超过时限5个工作日以上
    states: [under_review]
    when: due on < red day
  - name: step_limit_exceeded
    scope: step
    level: yellow
    reason: 审批环节超过本环节时限
    states: [under_review]
    when: step due != null and step due < now and (due on = null or due on >= today)
  - name: refusal_without_reasons
    level: red
    reason: 不予受理未说明理由
    states: [refused]
    when: decision reasons = ""
)";

people::Principal Staff(std::string id, std::string region, std::string department,
                        std::vector<std::string> permissions) {
  people::Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant g;
  g.grant.id = p.account.id + "-grant";
  g.grant.scope.region = std::move(region);
  g.grant.scope.department = std::move(department);
  std::sort(permissions.begin(), permissions.end());
  g.permissions = std::move(permissions);
  p.grants.push_back(std::move(g));
  return p;
}

class SupervisionTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(*regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*catalog::CatalogMigrations());
    sets.push_back(*cases::CaseMigrations());
    sets.push_back(*bpmn::Runtime::Migrations());
    sets.push_back(*SupervisionMigrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    auto migrated = db_->Migrate(ptrs);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    // Thursday 2026-11-26, 10:00 China time.
    clock_ = std::make_unique<FakeClock>(StartOfDayInChina(*Date::Parse("2026-11-26")) +
                                         std::chrono::hours(10));
    auto s = SupervisionService::Create(*db_, *trace_, {.clock = clock_.get()});
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    service_ = std::move(*s);
    auto saved = service_->SaveRules(supervisor_, "430000", kProvince);
    ASSERT_TRUE(saved.ok()) << saved.error().ToString();
  }

  void InsertCase(const std::string& id, const std::string& region, const std::string& department,
                  const std::string& state, const std::string& accepted_on,
                  const std::string& due_on, const std::string& reasons = "approved") {
    auto done = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      const std::string number = region + "-20261101-" + id;
      sql << "INSERT INTO case_record (id, number, matter_code, matter_version, scenario, "
             "region_code, department_code, applicant_kind, applicant_code, applicant_name, "
             "agent_account, submitted_by, channel, clerk_account, form, state, version, "
             "received_on, received_at, accepted_on, accepted_by, correction_on, "
             "correction_items, suspension_reason, suspended_since, suspended_days, "
             "extension_days, extended_by, decided_by, decision_reasons, updated_at, due_on) "
             "VALUES (:id, :number, 'M1', 'M1@1', 'new', :region, :department, 'person', "
             "'430000', '张三', '', 'citizen-1', 'window', 'clerk-1', '{}', :state, 1, "
             "'2026-11-01', 0, :accepted_on, 'clerk-' || :region2, '', '', '', '', 0, 0, '', '', "
             ":reasons, 0, :due_on)",
          soci::use(id, "id"), soci::use(number, "number"), soci::use(region, "region"),
          soci::use(department, "department"), soci::use(state, "state"),
          soci::use(accepted_on, "accepted_on"), soci::use(region, "region2"),
          soci::use(reasons, "reasons"), soci::use(due_on, "due_on");
      return Ok();
    });
    ASSERT_TRUE(done.ok()) << done.error().ToString();
  }

  // An open review step of case `id` due at `due_ms`, assigned to `assignee`.
  void InsertStep(const std::string& id, const std::string& element, int64_t due_ms,
                  const std::string& assignee) {
    auto done = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      const std::string instance = "inst-" + id, task = instance + "/1";
      long long due = due_ms;
      sql << "INSERT INTO case_review (case_id, instance_id, process_id, joint, started_at) "
             "VALUES (:id, :instance, 'p', 0, 0)",
          soci::use(id, "id"), soci::use(instance, "instance");
      sql << "INSERT INTO bpmn_task (id, instance_id, activity, element_id, name, process_id, "
             "assignee, candidate_groups, due_at, headers, step, state, created_at) VALUES "
             "(:task, :instance, 1, :element, '审查', 'p', :assignee, 'approver', :due, '{}', "
             "'approval', 'open', 0)",
          soci::use(task, "task"), soci::use(instance, "instance"), soci::use(element, "element"),
          soci::use(assignee, "assignee"), soci::use(due, "due");
      return Ok();
    });
    ASSERT_TRUE(done.ok()) << done.error().ToString();
  }

  int64_t Count(const std::string& query) {
    auto n =
        db_->Transaction<int64_t>(store::TxKind::kRead, [&](soci::session& sql) -> Result<int64_t> {
          long long v = 0;
          sql << query, soci::into(v);
          return v;
        });
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : -1;
  }

  const TriggerCount* Trigger(const SweepResult& r, std::string_view name) {
    for (const TriggerCount& t : r.triggers) {
      if (t.trigger == name) return &t;
    }
    return nullptr;
  }

  std::unique_ptr<TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<SupervisionService> service_;
  people::Principal supervisor_ = Staff(
      "supervisor", "430000", "*", {"supervision.read", "supervision.card", "supervision.clue"});
};

TEST(SupervisionRules, ParseChecksEveryRuleAndNamesIt) {
  EXPECT_TRUE(ParseRuleSet(kProvince).ok());
  for (const auto& [name, yaml] : BuiltinRuleFiles()) {
    auto set = ParseRuleSet(yaml);
    EXPECT_TRUE(set.ok()) << name << ": " << set.error().ToString();
  }
  auto bad = ParseRuleSet(R"(region: "431128"
rules:
  - {name: broken, level: yellow, reason: x, when: "due on <<< today"}
  - {name: unknown_name, level: red, reason: y, when: "due date < today"}
  - {name: no_sql, level: red, reason: z, when: "string length(decision reasons) < 5"}
  - {name: warning, level: orange, reason: "", when: "true"}
)");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  std::map<std::string, std::string> fields;
  for (const auto& f : bad.error().fields()) fields[f.field] = f.message;
  EXPECT_NE(fields["rules[0].when"].find("rule broken"), std::string::npos);
  EXPECT_NE(fields["rules[1].when"].find("rule unknown_name"), std::string::npos);
  EXPECT_TRUE(fields.contains("rules[2].when"));
  EXPECT_TRUE(fields.contains("rules[3].name"));
  EXPECT_TRUE(fields.contains("rules[3].level"));
  EXPECT_TRUE(fields.contains("rules[3].reason"));
  EXPECT_FALSE(ParseRuleSet("region: 12\nrules: []").ok());
  EXPECT_FALSE(ParseRuleSet("region: \"431128\"\nrules: []\ncolour: red").ok());
}

TEST(SupervisionRules, RegionChainAndMerge) {
  EXPECT_EQ(RegionChain("431128"), (std::vector<std::string>{"430000", "431100", "431128"}));
  EXPECT_EQ(RegionChain("430181"), (std::vector<std::string>{"430000", "430100", "430181"}));
  EXPECT_EQ(ParentRegion("431128101000"), "431128");
  auto province = *ParseRuleSet(kProvince);
  auto county = *ParseRuleSet(R"(region: "431128"
warning: {working_days: 2}
rules:
  - {name: total_limit_exceeded, level: red, reason: 县里更严, when: "due on < today"}
  - {name: refusal_without_reasons, disabled: true}
  - {name: county_only, level: yellow, reason: 县规则, when: "suspended days > 30"}
)");
  std::vector<RuleSet> chain{province, county};
  EffectiveRules e = Merge("431128", chain);
  EXPECT_EQ(e.warning.working_days, 2);
  EXPECT_EQ(e.escalation.yellow_cards, 3);
  ASSERT_EQ(e.rules.size(), 4u);
  EXPECT_EQ(e.rules[0].name, "total_limit_exceeded");
  EXPECT_EQ(e.rules[0].level, Level::kRed);
  EXPECT_EQ(e.rules[3].name, "county_only");
  EXPECT_EQ(e.sources, (std::vector<std::string>{"430000", "431128"}));
  // Round trip through YAML.
  auto again = ParseRuleSet(RuleSetToYaml(county));
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->rules.size(), 3u);
  EXPECT_TRUE(again->rules[1].disabled);
}

TEST_P(SupervisionTest, RulesAreSavedCheckedAndInherited) {
  if (!temp_) return;
  auto bad =
      service_->SaveRules(supervisor_, "431128",
                          "region: \"431128\"\nrules:\n  - {name: r1, level: red, reason: x, "
                          "when: \"due on < \"}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields().at(0).field, "rules[0].when");
  EXPECT_FALSE(service_->OwnRules("431128").ok());  // nothing saved
  auto other = service_->SaveRules(supervisor_, "431128", "region: \"430181\"\nrules: []\n");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().fields().at(0).field, "region");
  auto outsider = Staff("x", "430181", "*", {"supervision.card"});
  auto refused = service_->SaveRules(outsider, "431128", "region: \"431128\"\nrules: []\n");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kForbidden);

  ASSERT_TRUE(service_
                  ->SaveRules(supervisor_, "431128",
                              "region: \"431128\"\nwarning: {working_days: 2}\nrules: []\n")
                  .ok());
  auto county = service_->RulesInForce("431128");
  ASSERT_TRUE(county.ok());
  EXPECT_EQ(county->warning.working_days, 2);
  EXPECT_EQ(county->rules.size(), 4u);
  auto liuyang = service_->RulesInForce("430181");
  ASSERT_TRUE(liuyang.ok());
  EXPECT_EQ(liuyang->warning.working_days, 1);
  // Builtin rule sets fill only regions without one.
  auto loaded = service_->LoadBuiltinRules();
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ(*loaded, 0);  // 430000 and 431128 are saved already
}

TEST_P(SupervisionTest, SweepClassifiesAndIssuesOncePerCaseStepAndTrigger) {
  if (!temp_) return;
  // Today is Thursday 2026-11-26.
  InsertCase("c-overdue", "431128", "431128-rsj", "under_review", "2026-11-02", "2026-11-25");
  InsertCase("c-long", "431128", "431128-rsj", "under_review", "2026-10-08", "2026-11-10");
  InsertCase("c-warn", "431128", "431128-scjgj", "under_review", "2026-11-20", "2026-11-27");
  InsertCase("c-fine", "431128", "431128-scjgj", "under_review", "2026-11-20", "2026-12-20");
  InsertCase("c-refused", "430181", "430181-rsj", "refused", "", "", "");
  InsertCase("c-refused-ok", "430181", "430181-rsj", "refused", "", "", "材料不属于受理范围");
  InsertCase("c-step", "431128", "431128-zrzyj", "under_review", "2026-11-20", "2026-12-20");
  InsertCase("c-done", "431128", "431128-rsj", "concluded", "2026-10-08", "");
  const int64_t yesterday_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   StartOfDayInChina(*Date::Parse("2026-11-25")).time_since_epoch())
                                   .count();
  InsertStep("c-step", "review", yesterday_ms, "approver-7");

  auto dry = service_->Sweep({.dry_run = true});
  ASSERT_TRUE(dry.ok()) << dry.error().ToString();
  EXPECT_EQ(dry->open_cases, 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card"), 0);

  auto first = service_->Sweep({});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->warnings, 1);  // c-warn: due tomorrow
  EXPECT_EQ(first->yellow, 3);    // c-overdue, c-long (total), c-step (its step)
  EXPECT_EQ(first->red, 2);       // c-long more than 5 working days, c-refused
  EXPECT_EQ(first->escalated, 0);
  EXPECT_EQ(first->notices, 1);
  EXPECT_EQ(dry->warnings, first->warnings);
  EXPECT_EQ(dry->yellow, first->yellow);
  EXPECT_EQ(dry->red, first->red);
  ASSERT_NE(Trigger(*first, "step_limit_exceeded"), nullptr);
  EXPECT_EQ(Trigger(*first, "step_limit_exceeded")->issued, 1);
  EXPECT_EQ(Trigger(*first, "total_limit_exceeded")->matched, 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE case_id = 'c-fine' OR case_id = "
                  "'c-refused-ok' OR case_id = 'c-done'"),
            0);
  // The step card goes to the step's department and assignee.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE case_id = 'c-step' AND "
                  "person = 'approver-7' AND step = 'inst-c-step/1' AND "
                  "department_code = '431128-zrzyj'"),
            1);
  // The warning went to the responsible person through the notice outbox.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_notice WHERE case_id = 'c-warn' AND account_id = "
                  "'clerk-431128' AND kind = 'supervision_warning' AND sms_state = 'pending'"),
            1);

  // One trace event records the sweep's six cards and the SM3 of their rows; recomputing it
  // from the rows matches, and a card rewritten behind the service no longer does.
  auto events = trace_->Read("supervision_cards/issued", 0, 10);
  ASSERT_TRUE(events.ok()) << events.error().ToString();
  ASSERT_EQ(events->size(), 1u);
  const nlohmann::json payload = nlohmann::json::parse((*events)[0].payload);
  EXPECT_EQ(payload["cards"], 6);
  EXPECT_EQ(payload["after_card"], 0);
  auto digest = [&]() -> std::string {
    auto d = db_->Transaction<std::string>(
        store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
          const IssuedCards cards = DigestIssuedCards(
              sql,
              "SELECT id, dedupe_key, case_id, level, reason, department_code, person, "
              "issued_on, issued_at FROM supervision_card WHERE id > :after AND id <= :last "
              "ORDER BY id",
              payload["after_card"].get<int64_t>(), payload["last_card"].get<int64_t>());
          return cards.digest;
        });
    return d.ok() ? *d : std::string("unreadable");
  };
  EXPECT_EQ(digest(), payload["digest"].get<std::string>());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card_event"), 0);  // no row per card

  auto again = service_->Sweep({});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->warnings + again->yellow + again->red + again->notices, 0);
  EXPECT_EQ(trace_->Read("supervision_cards/issued", 0, 10)->size(),
            1u);  // nothing issued: no event
  ASSERT_TRUE(
      db_->Transaction(store::TxKind::kWrite,
                       [](soci::session& sql) -> Status {
                         sql << "UPDATE supervision_card SET reason = 'x' WHERE case_id = 'c-warn'";
                         return Ok();
                       })
          .ok());
  EXPECT_NE(digest(), payload["digest"].get<std::string>());
  EXPECT_EQ(Trigger(*again, "total_limit_exceeded")->matched, 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card"), 6);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_notice"), 1);

  // A sweep of another region sees only its cases.
  auto liuyang = service_->Sweep({.region = "430181", .dry_run = true});
  ASSERT_TRUE(liuyang.ok());
  EXPECT_EQ(liuyang->open_cases, 0);
  EXPECT_EQ(Trigger(*liuyang, "refusal_without_reasons")->matched, 1);
  EXPECT_EQ(Trigger(*liuyang, "total_limit_exceeded")->matched, 0);
  EXPECT_FALSE(service_->Sweep({.region = "43x"}).ok());
}

TEST_P(SupervisionTest, NoticesRouteByTheCardsSubject) {
  if (!temp_) return;
  InsertCase("c-warn", "431128", "431128-scjgj", "under_review", "2026-11-20", "2026-11-27");
  // Cards of a construction project, as src/projects issues them: its own subject kind and the
  // recipients it names (the commissioner, the owner enterprise's agent).
  auto issued = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    for (const char* trigger : {"project_budget_warning", "matter_limit_exceeded"}) {
      const std::string name = trigger;
      const std::string key = "project:p1||" + name;
      const std::string level = name == "project_budget_warning" ? "warning" : "yellow";
      sql << "INSERT INTO supervision_card (dedupe_key, case_id, case_number, step, step_name, "
             "trigger_name, level, reason, region_code, department_code, person, issued_on, "
             "issued_at, state, notified, answer, answered_by, answered_at, handed_over_by, "
             "handed_over_at, subject_kind) VALUES (:key, 'project:p1', "
             "'2026-430603-26-01-00016X', '', '', :trigger, :level, '超过预算', '430603', "
             "'430603-zwzx', 'commissioner-1', '2026-11-26', 0, 'open', 0, '', '', 0, '', 0, "
             "'project')",
          soci::use(key, "key"), soci::use(name, "trigger"), soci::use(level, "level");
      sql << "INSERT INTO supervision_card_recipient (dedupe_key, account_id, role) VALUES "
             "(:key, 'commissioner-1', 'commissioner')",
          soci::use(key, "key");
      sql << "INSERT INTO supervision_card_recipient (dedupe_key, account_id, role) VALUES "
             "(:key, 'agent-1', 'agent')",
          soci::use(key, "key");
    }
    return Ok();
  });
  ASSERT_TRUE(issued.ok()) << issued.error().ToString();

  auto first = service_->Sweep({});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->notices, 5);  // the case's warning, and two cards × two recipients
  // The case's warning went to the case notice outbox only; the project's to its own.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_notice"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_notice WHERE case_id = 'c-warn'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_notice WHERE subject_kind = 'project' AND "
                  "subject_id = 'project:p1' AND sms_state = 'pending'"),
            4);
  // The yellow card reaches the agent as well (a case's yellow card has no notice).
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_notice WHERE account_id = 'agent-1' AND "
                  "level = 'yellow' AND role = 'agent'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE subject_kind = 'project'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE subject_kind = 'case' AND "
                  "case_id = 'c-warn'"),
            1);

  auto again = service_->Sweep({});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->notices, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_notice"), 4);
}

TEST_P(SupervisionTest, RepeatedYellowCardsEscalateToRedOncePerMonth) {
  if (!temp_) return;
  for (int i = 0; i < 3; ++i) {
    InsertCase(fmt::format("y{}", i), "431128", "431128-rsj", "under_review", "2026-11-02",
               "2026-11-25");
  }
  InsertCase("other", "431128", "431128-gaj", "under_review", "2026-11-02", "2026-11-25");
  auto first = service_->Sweep({});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->yellow, 4);
  // 431128-rsj has 3 (a red card); 431128-gaj 1; the person clerk-431128 has 4 (a red card).
  EXPECT_EQ(first->escalated, 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE trigger_name = "
                  "'repeated_yellow' AND level = 'red' AND department_code = '431128-rsj' AND "
                  "person = ''"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE trigger_name = "
                  "'repeated_yellow' AND person = 'clerk-431128'"),
            1);
  auto again = service_->Sweep({});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->escalated, 0);
}

// Escalation skips grouping the window when no yellow card since its last run belongs to a
// group still without its month's red card; a group that reaches the count over several days,
// and every group on a new month, is still escalated.
TEST_P(SupervisionTest, EscalationCountsTheWindowAcrossDaysAndMonths) {
  if (!temp_) return;
  for (int i = 0; i < 3; ++i) {
    InsertCase(fmt::format("y{}", i), "431128", "431128-rsj", "under_review", "2026-11-02",
               "2026-11-25");
  }
  auto first = service_->Sweep({});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->escalated, 2);  // 431128-rsj and the person clerk-431128
  // Two yellow cards for 431128-gaj on the 27th: under the count.
  InsertCase("g0", "431128", "431128-gaj", "under_review", "2026-11-02", "2026-11-26");
  InsertCase("g1", "431128", "431128-gaj", "under_review", "2026-11-02", "2026-11-26");
  auto day2 = service_->Sweep({.as_of = *Date::Parse("2026-11-27")});
  ASSERT_TRUE(day2.ok()) << day2.error().ToString();
  EXPECT_EQ(day2->yellow, 2);
  EXPECT_EQ(day2->escalated, 0);
  // A third on the 28th: the window's count (two of them issued the day before) reaches 3.
  InsertCase("g2", "431128", "431128-gaj", "under_review", "2026-11-02", "2026-11-27");
  auto day3 = service_->Sweep({.as_of = *Date::Parse("2026-11-28")});
  ASSERT_TRUE(day3.ok()) << day3.error().ToString();
  EXPECT_EQ(day3->yellow, 1);
  EXPECT_EQ(day3->escalated, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE dedupe_key = "
                  "'repeated_yellow|department_code|431128-gaj|2026-11'"),
            1);
  // Nothing new the same day: nothing escalated twice.
  auto again = service_->Sweep({.as_of = *Date::Parse("2026-11-28")});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->yellow, 0);
  EXPECT_EQ(again->escalated, 0);
  // A new month: every group still over the count gets that month's card, without a new
  // yellow card.
  auto december = service_->Sweep({.as_of = *Date::Parse("2026-12-01")});
  ASSERT_TRUE(december.ok()) << december.error().ToString();
  EXPECT_EQ(december->yellow, 0);
  EXPECT_EQ(december->escalated, 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE dedupe_key LIKE "
                  "'repeated_yellow|%|2026-12'"),
            3);
}

TEST_P(SupervisionTest, ResweepReadsOnlyCasesWrittenSinceTheLastRun) {
  if (!temp_) return;
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_->Now().time_since_epoch())
          .count();
  auto touch = [&](const std::string& id, int64_t at_ms) {
    auto done = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      long long at = at_ms;
      sql << "UPDATE case_record SET updated_at = :at WHERE id = :id", soci::use(at, "at"),
          soci::use(id, "id");
      return Ok();
    });
    ASSERT_TRUE(done.ok());
  };
  InsertCase("a", "431128", "431128-rsj", "under_review", "2026-11-02", "2026-11-25");
  touch("a", now_ms - 86400000);
  auto first = service_->Sweep({.count_matched = false});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->yellow, 1);
  EXPECT_EQ(first->incremental, 0);  // nothing marked yet: every statement reads every case

  // Written an hour later: the same day's statements read it and card it; nothing else.
  clock_->Advance(std::chrono::hours(1));
  InsertCase("b", "431128", "431128-rsj", "under_review", "2026-11-02", "2026-11-24");
  touch("b", now_ms + 3600000);
  auto again = service_->Sweep({.count_matched = false});
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_GT(again->incremental, 0);
  EXPECT_EQ(again->yellow, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE case_id = 'b' AND "
                  "trigger_name = 'total_limit_exceeded'"),
            1);
  // An old write slipped in behind the mark (not through the cases module) is not read by the
  // same day's statements.
  InsertCase("c", "431128", "431128-rsj", "under_review", "2026-11-02", "2026-11-24");
  touch("c", now_ms - 86400000);
  InsertCase("d", "431128", "431128-rsj", "under_review", "2026-11-02", "2026-11-26");
  touch("d", now_ms - 86400000);
  auto third = service_->Sweep({.count_matched = false});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->yellow, 0);
  // The next day reads the changed cases and those due between the two days: d (due on
  // 2026-11-26, overdue from 2026-11-27) is carded although its row is behind the mark; c (due
  // before both days) is not read.
  auto next_day = service_->Sweep({.as_of = *Date::Parse("2026-11-27"), .count_matched = false});
  ASSERT_TRUE(next_day.ok());
  EXPECT_EQ(next_day->incremental, 0);
  EXPECT_GT(next_day->day_incremental, 0);
  EXPECT_EQ(next_day->yellow, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE case_id = 'd' AND "
                  "trigger_name = 'total_limit_exceeded'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE case_id = 'c' AND "
                  "trigger_name = 'total_limit_exceeded'"),
            0);
  // New rules make new statements: a full pass.
  auto saved = service_->SaveRules(supervisor_, "431128", R"(region: "431128"
red_after_working_days: 1
rules: []
)");
  ASSERT_TRUE(saved.ok()) << saved.error().ToString();
  auto after_rules = service_->Sweep({.count_matched = false});
  ASSERT_TRUE(after_rules.ok());
  EXPECT_EQ(after_rules->red, 2);  // b and c: more than 1 working day overdue is red in 新田县
  // Behind the marks again, due before both days: not read on the next day, but a week after
  // the rules' last full pass their statements read every case again.
  InsertCase("e", "431128", "431128-rsj", "under_review", "2026-11-02", "2026-11-20");
  touch("e", now_ms - 86400000);
  auto day_after = service_->Sweep({.as_of = *Date::Parse("2026-11-27"), .count_matched = false});
  ASSERT_TRUE(day_after.ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE case_id = 'e'"), 0);
  auto week = service_->Sweep({.as_of = *Date::Parse("2026-12-03"), .count_matched = false});
  ASSERT_TRUE(week.ok());
  EXPECT_EQ(week->day_incremental, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE case_id = 'e' AND "
                  "trigger_name = 'total_limit_exceeded'"),
            1);
}

// A rule that compares a day constant with anything but `due on` cannot narrow a new day's pass
// to a due-day range: it reads every case, so a case behind the mark is judged the next day.
TEST_P(SupervisionTest, ANewDayReadsEveryCaseForRulesNotOnTheDueDay) {
  if (!temp_) return;
  auto saved = service_->SaveRules(supervisor_, "431128", R"(region: "431128"
rules:
  - name: accepted_before_today
    level: yellow
    reason: 受理后未办结
    states: [under_review]
    when: accepted on < today
)");
  ASSERT_TRUE(saved.ok()) << saved.error().ToString();
  ASSERT_TRUE(service_->Sweep({.count_matched = false}).ok());  // the marks
  InsertCase("x", "431128", "431128-rsj", "under_review", "2026-11-02", "2026-12-30");
  auto done = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    sql << "UPDATE case_record SET updated_at = 0 WHERE id = 'x'";  // behind the marks
    return Ok();
  });
  ASSERT_TRUE(done.ok());
  auto same_day = service_->Sweep({.count_matched = false});
  ASSERT_TRUE(same_day.ok());
  EXPECT_EQ(same_day->yellow, 0);
  auto next_day = service_->Sweep({.as_of = *Date::Parse("2026-11-27"), .count_matched = false});
  ASSERT_TRUE(next_day.ok()) << next_day.error().ToString();
  EXPECT_GT(next_day->day_incremental, 0);  // the due-day rules
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE case_id = 'x' AND "
                  "trigger_name = 'accepted_before_today'"),
            1);
  // The province's due-day rules did not read it (it is due in December).
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE case_id = 'x'"), 1);
}

TEST_P(SupervisionTest, WarningByPercentageOfTheLimit) {
  if (!temp_) return;
  auto saved = service_->SaveRules(supervisor_, "431128", R"(region: "431128"
warning: {working_days: 1, percent: 50}
rules: []
)");
  ASSERT_TRUE(saved.ok()) << saved.error().ToString();
  // Today 2026-11-26. A 20-day limit with 10 days left (50 %): warned; 14 of 20 left: not;
  // due tomorrow: warned by the working days as before; another county (percent 0): not.
  InsertCase("half", "431128", "431128-rsj", "under_review", "2026-11-16", "2026-12-06");
  InsertCase("early", "431128", "431128-rsj", "under_review", "2026-11-20", "2026-12-10");
  InsertCase("soon", "431128", "431128-rsj", "under_review", "2026-11-20", "2026-11-27");
  InsertCase("elsewhere", "430181", "430181-rsj", "under_review", "2026-11-16", "2026-12-06");
  auto swept = service_->Sweep({});
  ASSERT_TRUE(swept.ok()) << swept.error().ToString();
  EXPECT_EQ(swept->warnings, 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE level = 'warning' AND "
                  "(case_id = 'half' OR case_id = 'soon')"),
            2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE level = 'warning' AND "
                  "reason LIKE '%50%%'"),
            2);
}

TEST_P(SupervisionTest, TheSweepCountsWorkingDaysInTheCasesRegionCalendar) {
  if (!temp_) return;
  // 新田 (431128) has its own holidays on Fridays 11-20 and 11-27; 宁远 (431126) has none.
  auto county = Calendar::WithEmbeddedSchedules("431128");
  auto loaded = county->LoadYear({.region = "431128",
                                  .year = 2026,
                                  .source = "新田县人民政府通知",
                                  .holidays = {{.name = "县庆",
                                                .from = *Date::Parse("2026-11-20"),
                                                .to = *Date::Parse("2026-11-20"),
                                                .make_up_working_days = {}},
                                               {.name = "盘王节",
                                                .from = *Date::Parse("2026-11-27"),
                                                .to = *Date::Parse("2026-11-27"),
                                                .make_up_working_days = {}}}});
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  auto national = Calendar::WithEmbeddedSchedules();
  int calendar_reads = 0;
  auto regional = SupervisionService::Create(
      *db_, *trace_,
      {.clock = clock_.get(),
       .calendar = national.get(),
       .region_calendar = [&](std::string_view region) -> const Calendar& {
         ++calendar_reads;
         return region == "431128" ? *county : *national;
       },
       .calendar_regions = [] { return std::vector<std::string>{"431128"}; }});
  ASSERT_TRUE(regional.ok()) << regional.error().ToString();
  // Today Thursday 11-26. Due Wednesday 11-18: six working days overdue in the nation's calendar
  // (red: more than five), five in 新田's. Due Monday 11-30: the next working day in 新田's
  // (warned: at most one working day left), two days away in the nation's.
  InsertCase("xt-late", "431128", "431128-rsj", "under_review", "2026-10-20", "2026-11-18");
  InsertCase("ny-late", "431126", "431126-rsj", "under_review", "2026-10-20", "2026-11-18");
  InsertCase("xt-soon", "431128", "431128-rsj", "under_review", "2026-11-20", "2026-11-30");
  InsertCase("ny-soon", "431126", "431126-rsj", "under_review", "2026-11-20", "2026-11-30");
  // The national calendar for every case: both late cases red, neither soon case warned.
  auto nationally = service_->Sweep({.dry_run = true});
  ASSERT_TRUE(nationally.ok()) << nationally.error().ToString();
  EXPECT_EQ(nationally->red, 2);
  EXPECT_EQ(nationally->warnings, 0);
  auto swept = (*regional)->Sweep({});
  ASSERT_TRUE(swept.ok()) << swept.error().ToString();
  EXPECT_EQ(swept->red, 1);
  EXPECT_EQ(swept->warnings, 1);
  EXPECT_EQ(swept->yellow, 2);  // both late cases are past their due day
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE level = 'red' AND "
                  "case_id = 'ny-late'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM supervision_card WHERE level = 'warning' AND "
                  "case_id = 'xt-soon'"),
            1);
  // One calendar per partition (the province's, 新田's), never one per case.
  EXPECT_EQ(calendar_reads, 2);
  // A sweep of 新田 alone counts in its calendar too.
  auto county_only = (*regional)->Sweep({.region = "431128", .dry_run = true});
  ASSERT_TRUE(county_only.ok()) << county_only.error().ToString();
  EXPECT_EQ(Trigger(*county_only, "total_limit_exceeded_long")->matched, 0);
  EXPECT_EQ(Trigger(*county_only, "warning")->matched, 1);
}

TEST_P(SupervisionTest, AnswersHandOverHistoryAndScopedListing) {
  if (!temp_) return;
  InsertCase("c1", "431128", "431128-rsj", "under_review", "2026-10-08", "2026-11-10");
  InsertCase("c2", "430181", "430181-rsj", "under_review", "2026-11-02", "2026-11-25");
  ASSERT_TRUE(service_->Sweep({}).ok());
  auto head = Staff("head-rsj", "431128", "431128-rsj", {"supervision.read", "supervision.answer"});
  auto liuyang = Staff("head-ly", "430181", "*", {"supervision.read", "supervision.answer"});
  auto other_dept =
      Staff("head-gaj", "431128", "431128-gaj", {"supervision.read", "supervision.answer"});

  auto mine = service_->ListCards(head, {});
  ASSERT_TRUE(mine.ok()) << mine.error().ToString();
  ASSERT_EQ(mine->items.size(), 2u);  // c1: yellow and red
  for (const Card& c : mine->items) EXPECT_EQ(c.case_id, "c1");
  auto theirs = service_->ListCards(liuyang, {});
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(theirs->items.size(), 1u);
  EXPECT_EQ(theirs->items[0].case_id, "c2");
  EXPECT_TRUE(service_->ListCards(other_dept, {})->items.empty());
  auto page = service_->ListCards(supervisor_, {.limit = 2});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  ASSERT_FALSE(page->next_cursor.empty());
  auto rest = service_->ListCards(supervisor_, {.limit = 2, .cursor = page->next_cursor});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->items.size(), 1u);
  EXPECT_TRUE(rest->next_cursor.empty());
  EXPECT_FALSE(service_->ListCards(supervisor_, {.cursor = "abc"}).ok());
  EXPECT_FALSE(service_->ListCards(supervisor_, {.limit = 0}).ok());
  EXPECT_EQ(service_->ListCards(Staff("citizen", "*", "*", {"case.apply"}), {}).error().code(),
            ErrorCode::kForbidden);

  Card yellow, red;
  for (const Card& c : mine->items) (c.level == Level::kRed ? red : yellow) = c;
  ASSERT_EQ(yellow.level, Level::kYellow);
  ASSERT_EQ(red.level, Level::kRed);
  // Another county, another department: the card does not exist for them.
  EXPECT_EQ(service_->Answer(liuyang, yellow.id, "已整改").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(service_->Answer(other_dept, yellow.id, "已整改").error().code(), ErrorCode::kNotFound);
  // The supervisor sees it but does not answer for the department.
  EXPECT_EQ(service_->Answer(supervisor_, yellow.id, "已整改").error().code(),
            ErrorCode::kForbidden);
  EXPECT_EQ(service_->Answer(head, yellow.id, "").error().code(), ErrorCode::kInvalidArgument);
  auto answered = service_->Answer(head, yellow.id, "已督促审批人员当日办结");
  ASSERT_TRUE(answered.ok()) << answered.error().ToString();
  EXPECT_EQ(answered->state, CardState::kAnswered);
  EXPECT_EQ(answered->answered_by, "head-rsj");
  EXPECT_EQ(service_->Answer(head, yellow.id, "again").error().code(), ErrorCode::kConflict);

  EXPECT_EQ(service_->HandOver(supervisor_, yellow.id, "").error().code(), ErrorCode::kRefused);
  EXPECT_EQ(service_->HandOver(head, red.id, "").error().code(), ErrorCode::kForbidden);
  auto clue = service_->HandOver(supervisor_, red.id, "移交县纪委监委");
  ASSERT_TRUE(clue.ok()) << clue.error().ToString();
  EXPECT_EQ(clue->card.state, CardState::kHandedOver);
  auto file = nlohmann::json::parse(clue->bundle);
  EXPECT_EQ(file["case"]["number"], "431128-20261101-c1");
  EXPECT_TRUE(file["documents"].is_array());
  EXPECT_EQ(clue->digest.size(), 64u);
  EXPECT_EQ(service_->HandOver(supervisor_, red.id, "").error().code(), ErrorCode::kConflict);
  auto stored = service_->GetClue(supervisor_, red.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->digest, clue->digest);

  auto history = service_->GetCard(supervisor_, red.id);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->history.size(), 2u);
  EXPECT_EQ(history->history[0].action, "issued");
  EXPECT_EQ(history->history[1].action, "handed_over");
  EXPECT_EQ(history->history[1].actor, "supervisor");
  EXPECT_EQ(Count(fmt::format("SELECT COUNT(*) FROM trace_event WHERE stream = 'supervision/{}'",
                              red.id)),
            1);

  // Reports: the month and the quarter, per department and per person.
  auto month = service_->CardReport(supervisor_, "2026-11", ReportBy::kDepartment, "");
  ASSERT_TRUE(month.ok()) << month.error().ToString();
  ASSERT_EQ(month->rows.size(), 2u);
  EXPECT_EQ(month->rows[0].key, "430181-rsj");
  EXPECT_EQ(month->rows[0].yellow, 1);
  EXPECT_EQ(month->rows[1].key, "431128-rsj");
  EXPECT_EQ(month->rows[1].yellow, 1);
  EXPECT_EQ(month->rows[1].red, 1);
  EXPECT_EQ(month->rows[1].answered, 1);
  EXPECT_EQ(month->rows[1].handed_over, 1);
  auto quarter = service_->CardReport(head, "2026-Q4", ReportBy::kPerson, "");
  ASSERT_TRUE(quarter.ok());
  ASSERT_EQ(quarter->rows.size(), 1u);
  EXPECT_EQ(quarter->rows[0].key, "clerk-431128");
  EXPECT_EQ(quarter->from.ToString(), "2026-10-01");
  EXPECT_EQ(quarter->to.ToString(), "2026-12-31");
  EXPECT_TRUE(
      service_->CardReport(supervisor_, "2026-10", ReportBy::kDepartment, "")->rows.empty());
  EXPECT_NE(ReportCsv(*month).find("2026-11,431128-rsj,431128,0,1,1,1,1"), std::string::npos);
  EXPECT_FALSE(service_->CardReport(supervisor_, "2026-13", ReportBy::kDepartment, "").ok());
  EXPECT_FALSE(service_->CardReport(supervisor_, "2026-Q5", ReportBy::kDepartment, "").ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, SupervisionTest, ::testing::ValuesIn(Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::supervision
