// The staff assessment on SQLite and PostgreSQL: the rule sets (checks, inheritance, scores and
// grades) and the monthly report per department and per person from cards, ratings,
// rectifications and work orders written as rows, as their modules leave them.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include "assessment/figures.h"
#include "assessment/service.h"
#include "bpmn/runtime.h"
#include "cases/service.h"
#include "demands/service.h"
#include "evaluation/service.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "store/testing.h"
#include "supervision/service.h"
#include "trace/trace.h"

namespace tongban::assessment {
namespace {

using store::testing::Backends;
using store::testing::TempDatabase;

TEST(AssessmentRules, BuiltinRulesParseAndInherit) {
  std::vector<ScoringRules> all;
  for (const auto& [name, yaml] : BuiltinRuleFiles()) {
    auto r = ParseScoringRules(yaml);
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().ToString();
    all.push_back(*r);
  }
  const ScoringRules county = RulesFor("431128", all);
  EXPECT_EQ(county.region, "431128");
  EXPECT_EQ(county.weights.at(Input::kRedCards), -8);     // its own
  EXPECT_EQ(county.weights.at(Input::kYellowCards), -2);  // the province's
  EXPECT_EQ(*county.base, 40);
  const ScoringRules other = RulesFor("431102", all);
  EXPECT_EQ(other.region, "430000");
  EXPECT_EQ(other.weights.at(Input::kRedCards), -5);
  EXPECT_EQ(RulesFor("110000", all).region, "");  // defaults: base 100, no weights
}

TEST(AssessmentRules, BadRulesNameEveryField) {
  auto bad = ParseScoringRules(R"(region: "4311"
base: lots
colour: red
weights: {yellow_cards: -2, smiles: 1, red_cards: x}
grades:
  - {min: 60, title: 合格}
  - {min: 80, title: 良好}
  - {min: 0}
)");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  std::map<std::string, std::string> fields;
  for (const auto& f : bad.error().fields()) fields[f.field] = f.message;
  for (const char* f : {"region", "base", "colour", "weights.smiles", "weights.red_cards",
                        "grades[1].min", "grades[2].title"}) {
    EXPECT_TRUE(fields.contains(f)) << f;
  }
  EXPECT_FALSE(fields.contains("weights.yellow_cards"));
  EXPECT_FALSE(ParseScoringRules("[1, 2]").ok());
  EXPECT_FALSE(ParseScoringRules("region: \"431128\"\nweights: {a: [").ok());
}

TEST(AssessmentRules, ScoreClampsAndGrades) {
  auto rules = ParseScoringRules(R"(region: "430000"
base: 40
min: 0
max: 100
weights: {good_rate: 30, satisfaction_rate: 30, yellow_cards: -2, red_cards: -5}
)");
  ASSERT_TRUE(rules.ok()) << rules.error().ToString();
  const ScoringRules merged = RulesFor("430000", {*rules});
  Row row;
  At(row.inputs, Input::kRatings) = 4;
  At(row.inputs, Input::kGoodRatings) = 3;  // 75 %: 22.5 points; no callbacks: 100 %: 30
  At(row.inputs, Input::kYellowCards) = 1;
  Score(merged, row);
  EXPECT_DOUBLE_EQ(row.score, 90.5);
  EXPECT_EQ(row.grade, "优秀");
  At(row.inputs, Input::kRedCards) = 3;
  Score(merged, row);
  EXPECT_DOUBLE_EQ(row.score, 75.5);
  EXPECT_EQ(row.grade, "合格");
  At(row.inputs, Input::kRedCards) = 30;
  Score(merged, row);
  EXPECT_DOUBLE_EQ(row.score, 0);  // clamped
  EXPECT_EQ(row.grade, "不合格");
  EXPECT_FALSE(RateOf(Row{}.inputs, Input::kGoodRate).Percent().has_value());  // null, not 0
}

people::Principal Staff(std::string id, std::string region, std::string department) {
  people::Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant g;
  g.grant.id = p.account.id + "-grant";
  g.grant.scope.region = std::move(region);
  g.grant.scope.department = std::move(department);
  g.permissions = {"report.read"};
  p.grants.push_back(std::move(g));
  return p;
}

class AssessmentTest : public ::testing::TestWithParam<store::Backend> {
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
    sets.push_back(*supervision::SupervisionMigrations());
    sets.push_back(*evaluation::Migrations());
    sets.push_back(*demands::Migrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    auto migrated = db_->Migrate(ptrs);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    clock_ = std::make_unique<FakeClock>(StartOfDayInChina(*Date::Parse("2026-12-02")) +
                                         std::chrono::hours(10));
    auto s = AssessmentService::Create(*db_, {.clock = clock_.get()});
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    service_ = std::move(*s);
    Seed();
  }

  void Exec(const std::string& text) {
    auto done = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      sql << text;
      return Ok();
    });
    ASSERT_TRUE(done.ok()) << done.error().ToString() << "\n" << text;
  }

  static int64_t Ms(const char* day, int hour = 10) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               (StartOfDayInChina(*Date::Parse(day)) + std::chrono::hours(hour)).time_since_epoch())
        .count();
  }

  void Card(int n, const char* level, const char* state, const char* department, const char* person,
            const char* region, const char* issued_on) {
    Exec(fmt::format(
        "INSERT INTO supervision_card (dedupe_key, case_id, case_number, step, step_name, "
        "trigger_name, level, reason, region_code, department_code, person, issued_on, "
        "issued_at, state, notified, answer, answered_by, answered_at, handed_over_by, "
        "handed_over_at) VALUES ('k{0}', 'c{0}', 'n{0}', '', '', 't', '{1}', 'r', '{2}', '{3}', "
        "'{4}', '{5}', 0, '{6}', 0, '', '', 0, '', 0)",
        n, level, region, department, person, issued_on, state));
  }

  void Case(const char* number, const char* region, const char* department, const char* accepted_by,
            const char* clerk) {
    Exec(fmt::format(
        "INSERT INTO case_record (id, number, matter_code, matter_version, scenario, "
        "region_code, department_code, applicant_kind, applicant_code, applicant_name, "
        "agent_account, submitted_by, channel, clerk_account, form, state, version, "
        "received_on, received_at, accepted_on, accepted_by, correction_on, correction_items, "
        "suspension_reason, suspended_since, suspended_days, extension_days, extended_by, "
        "decided_by, decision_reasons, updated_at, due_on) VALUES ('id-{0}', '{0}', 'M1', "
        "'M1@1', 'new', '{1}', '{2}', 'person', '430000', '张三', '', 'citizen-1', 'online', "
        "'{4}', '{{}}', 'concluded', 1, '2026-11-01', 0, '2026-11-02', '{3}', '', '', '', '', 0, "
        "0, '', '', '', 0, '2026-11-20')",
        number, region, department, accepted_by, clerk));
  }

  void Rating(const char* id, const char* case_number, const char* visit, const char* level,
              const char* department, const char* region, int64_t at, int voided = 0) {
    Exec(fmt::format(
        "INSERT INTO evaluation (id, source, case_number, visit_id, region_code, department_code, "
        "matter_code, window_code, level, tags, text, rater_account, rater_code, named, "
        "created_at, voided) VALUES ('{0}', '{1}', '{2}', '{3}', '{4}', '{5}', 'M1', '', '{6}', "
        "'', '', 'citizen-1', '', 1, {7}, {8})",
        id, *visit ? "device" : "online", case_number, visit, region, department, level, at,
        voided));
  }

  void Visit(const char* id, const char* clerk, const char* region, const char* department) {
    Exec(fmt::format(
        "INSERT INTO evaluation_visit (id, case_number, channel, window_code, terminal, "
        "region_code, department_code, matter_code, clerk_account, applicant_account, "
        "applicant_code, opened_at) VALUES ('{0}', '', 'window', 'W1', 'T1', '{2}', '{3}', 'M1', "
        "'{1}', '', '', 0)",
        id, clerk, region, department));
  }

  void Rectification(const char* id, const char* evaluation, const char* case_number,
                     const char* visit, const char* state, const char* due_on,
                     const char* department, const char* region, int64_t at) {
    Exec(fmt::format(
        "INSERT INTO rectification (id, evaluation_id, case_number, visit_id, region_code, "
        "department_code, matter_code, window_code, level, named, rater_account, rater_code, "
        "state, opened_at, due_on, callback_at, callback_outcome, callback_note, action_note, "
        "acted_by, acted_at, review_decision, review_note, reviewed_by, applicant_level, "
        "updated_at) VALUES ('{0}', '{1}', '{2}', '{3}', '{4}', '{5}', 'M1', '', "
        "'dissatisfied', 1, 'citizen-1', '', '{6}', {7}, '{8}', 0, '', '', '', '', 0, '', '', "
        "'', '', 0)",
        id, evaluation, case_number, visit, region, department, state, at, due_on));
  }

  void Order(const char* id, const char* region, const char* department, const char* signed_by,
             int64_t closed_at, int64_t due, const char* callback) {
    Exec(fmt::format(
        "INSERT INTO demand (id, number, channel, demand_class, urgency, complex, region, uscc, "
        "title, content, submitted_by, caller_name, caller_phone, state, limit_days, created_at, "
        "closed_at, answer, satisfied, callback_due) VALUES ('d-{0}', 'D{0}', 'portal', 'help', "
        "'ordinary', 0, '{1}', '', 't', 'c', 'e-1', '', '', 'closed', 5, {4}, {3}, 'a', {5}, 0)",
        id, region, department, closed_at, closed_at - 86400000,
        std::string_view(callback) == "satisfied"     ? 1
        : std::string_view(callback) == "unsatisfied" ? 0
                                                      : -1));
    Exec(fmt::format(
        "INSERT INTO work_order (id, demand_id, seq, receiver_kind, department, assignee, "
        "arbitrated, state, dispatched_by, dispatched_at, sign_due, due, signed_by, signed_at, "
        "return_reason, extension, extension_days, extension_reason, reminders, sign_overdue, "
        "late_reminded, supervised, answer, closed_at, callback) VALUES ('w-{0}', 'd-{0}', 1, "
        "'department', '{1}', '', 0, 'closed', 'op', 0, 0, {2}, '{3}', 0, '', 'none', 0, '', 0, "
        "0, 0, 0, 'a', {4}, '{5}')",
        id, department, due, signed_by, closed_at, callback));
  }

  // November 2026: department 431128-A (新田县) with clerks li and wang, 431102-B (零陵区) with
  // zhao; a few rows of October and of 2026-12 that must not count.
  void Seed() {
    Card(1, "yellow", "answered", "431128-A", "li", "431128", "2026-11-03");
    Card(2, "red", "open", "431128-A", "li", "431128", "2026-11-10");
    Card(3, "warning", "open", "431128-A", "wang", "431128", "2026-11-30");
    Card(4, "red", "open", "431128-A", "", "431128", "2026-11-30");       // an escalation
    Card(5, "yellow", "open", "431128-A", "li", "431128", "2026-10-31");  // October
    Card(6, "yellow", "open", "431102-B", "zhao", "431102", "2026-11-15");
    Case("N1", "431128", "431128-A", "li", "clerk-x");
    Case("N2", "431128", "431128-A", "", "wang");
    Case("N3", "431128", "431128-A", "li", "clerk-x");
    Visit("V1", "wang", "431128", "431128-A");
    Visit("V2", "wang", "431128", "431128-A");
    Rating("E1", "N1", "", "very_satisfied", "431128-A", "431128", Ms("2026-11-05"));
    Rating("E2", "N2", "", "dissatisfied", "431128-A", "431128", Ms("2026-11-06"));
    Rating("E3", "", "V1", "satisfied", "431128-A", "431128", Ms("2026-11-30", 23));
    Rating("E4", "", "V2", "very_dissatisfied", "431128-A", "431128", Ms("2026-12-01", 0));
    Rating("E5", "N3", "", "dissatisfied", "431128-A", "431128", Ms("2026-11-07"), 1);  // voided
    Rectification("R1", "E2", "N2", "", "open", "2026-11-20", "431128-A", "431128",
                  Ms("2026-11-06"));
    Rectification("R2", "E9", "", "V1", "rectified", "2026-11-20", "431128-A", "431128",
                  Ms("2026-11-08"));
    Order("1", "431128", "431128-A", "li", Ms("2026-11-12"), Ms("2026-11-13"), "satisfied");
    Order("2", "431128", "431128-A", "wang", Ms("2026-11-20"), Ms("2026-11-18"), "unsatisfied");
    Order("3", "431102", "431102-B", "zhao", Ms("2026-11-20"), Ms("2026-11-25"), "");
    Order("4", "431128", "431128-A", "li", Ms("2026-12-01"), Ms("2026-12-05"), "satisfied");
  }

  const Row* Find(const Report& r, std::string_view key) {
    for (const Row& row : r.rows) {
      if (row.key == key) return &row;
    }
    return nullptr;
  }

  std::unique_ptr<TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<AssessmentService> service_;
};

TEST_P(AssessmentTest, DepartmentsOfAMonth) {
  if (!temp_) return;
  auto r =
      service_->BuildReport(Staff("boss", "430000", "*"), {.month = "2026-11", .region = "430000"});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->from.ToString(), "2026-11-01");
  EXPECT_EQ(r->to.ToString(), "2026-11-30");
  ASSERT_EQ(r->rows.size(), 2u);
  const Row* a = Find(*r, "431128-A");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->region, "431128");
  EXPECT_EQ(At(a->inputs, Input::kWarnings), 1);
  EXPECT_EQ(At(a->inputs, Input::kYellowCards), 1);
  EXPECT_EQ(At(a->inputs, Input::kRedCards), 2);
  EXPECT_EQ(At(a->inputs, Input::kCardsAnswered), 1);
  EXPECT_EQ(At(a->inputs, Input::kRatings), 3);
  EXPECT_EQ(At(a->inputs, Input::kGoodRatings), 2);
  EXPECT_EQ(At(a->inputs, Input::kBadRatings), 1);
  EXPECT_EQ(At(a->inputs, Input::kRectifications), 2);
  EXPECT_EQ(At(a->inputs, Input::kRectified), 1);
  EXPECT_EQ(At(a->inputs, Input::kRectificationsLate), 1);
  EXPECT_EQ(At(a->inputs, Input::kWorkOrders), 2);
  EXPECT_EQ(At(a->inputs, Input::kWorkOrdersOnTime), 1);
  EXPECT_EQ(At(a->inputs, Input::kSatisfied), 1);
  EXPECT_EQ(At(a->inputs, Input::kUnsatisfied), 1);
  // 新田县's rules: 40 + 20×2/3 + 20×1/2 + 20×1/2 − 2 − 2×8 + 1 − 2 = 54.33
  EXPECT_EQ(a->rules, "431128");
  EXPECT_DOUBLE_EQ(a->score, 54.33);
  EXPECT_EQ(a->grade, "不合格");
  const Row* b = Find(*r, "431102-B");
  ASSERT_NE(b, nullptr);
  // The province's rules; nothing rated or called back counts as 100 %: 40 + 60 − 2 = 98.
  EXPECT_EQ(b->rules, "430000");
  EXPECT_DOUBLE_EQ(b->score, 98);
  EXPECT_EQ(b->grade, "优秀");
  EXPECT_FALSE(RateOf(b->inputs, Input::kSatisfactionRate).Percent().has_value());

  const std::string csv = ReportCsv(*r);
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBFmonth,department,region,warnings,", 0), 0u) << csv;
  EXPECT_NE(csv.find("2026-11,431128-A,431128,1,1,2,1,3,2,1,2,1,1,2,1,1,1,66.67,50.00,50.00,"
                     "54.33,不合格,431128\r\n"),
            std::string::npos)
      << csv;
  // 431102-B: no ratings, no callbacks: empty rates, not 0.
  EXPECT_NE(csv.find("2026-11,431102-B,431102,0,1,0,0,0,0,0,0,0,0,1,1,0,0,,,,98.00,优秀,430000"),
            std::string::npos)
      << csv;
}

TEST_P(AssessmentTest, PersonsOfAMonth) {
  if (!temp_) return;
  auto r = service_->BuildReport(Staff("county", "431128", "*"),
                                 {.month = "2026-11", .region = "431128", .by = AssessBy::kPerson});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  std::map<std::string, const Row*> rows;
  for (const Row& row : r->rows) rows[row.key] = &row;
  ASSERT_EQ(rows.size(), 2u);  // li and wang; the escalation has no person; zhao is elsewhere
  const Row& li = *rows.at("li");
  EXPECT_EQ(li.department, "431128-A");
  EXPECT_EQ(At(li.inputs, Input::kYellowCards), 1);
  EXPECT_EQ(At(li.inputs, Input::kRedCards), 1);
  EXPECT_EQ(At(li.inputs, Input::kRatings), 1);  // N1 accepted by li (E5 voided)
  EXPECT_EQ(At(li.inputs, Input::kWorkOrders), 1);
  const Row& wang = *rows.at("wang");
  EXPECT_EQ(At(wang.inputs, Input::kWarnings), 1);
  EXPECT_EQ(At(wang.inputs, Input::kRatings), 2);  // N2's clerk, and the visit V1
  EXPECT_EQ(At(wang.inputs, Input::kBadRatings), 1);
  EXPECT_EQ(At(wang.inputs, Input::kRectifications), 2);
  EXPECT_EQ(At(wang.inputs, Input::kRectified), 1);
  EXPECT_EQ(At(wang.inputs, Input::kUnsatisfied), 1);
}

TEST_P(AssessmentTest, OneDepartmentAndRefusals) {
  if (!temp_) return;
  auto one =
      service_->BuildReport(Staff("head", "431102", "431102-B"),
                            {.month = "2026-11", .region = "431102", .department = "431102-B"});
  ASSERT_TRUE(one.ok()) << one.error().ToString();
  ASSERT_EQ(one->rows.size(), 1u);
  EXPECT_EQ(one->rows[0].key, "431102-B");

  // Another department, another region, the whole installation: forbidden.
  auto other =
      service_->BuildReport(Staff("head", "431102", "431102-B"),
                            {.month = "2026-11", .region = "431102", .department = "431128-A"});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kForbidden);
  auto wider = service_->BuildReport(Staff("county", "431128", "*"), {.month = "2026-11"});
  ASSERT_FALSE(wider.ok());
  EXPECT_EQ(wider.error().code(), ErrorCode::kForbidden);

  auto bad = service_->BuildReport(
      {.month = "2026-13", .region = "43", .department = "x'; DROP TABLE demand"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const auto& f : bad.error().fields()) fields.insert(f.field);
  EXPECT_EQ(fields, (std::set<std::string>{"month", "region", "department"}));

  // An empty month: no rows, not an error.
  auto empty = service_->BuildReport({.month = "2025-01"});
  ASSERT_TRUE(empty.ok()) << empty.error().ToString();
  EXPECT_TRUE(empty->rows.empty());
}

TEST_P(AssessmentTest, OversightFiguresOfTheKpiReport) {
  if (!temp_) return;
  kpi::ReportQuery q{
      .region = "430000", .from = *Date::Parse("2026-11-01"), .to = *Date::Parse("2026-11-30")};
  std::map<std::string, kpi::Figure> f;
  auto read = db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    for (auto& provider : OversightFigures()) {
      TB_ASSIGN_OR_RETURN(std::vector<kpi::Figure> figures, provider->Figures(sql, q));
      for (kpi::Figure& fig : figures) {
        fig.provider = std::string(provider->Name());
        f[fig.name] = fig;
      }
    }
    return Ok();
  });
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(f["warnings_issued"].numerator, 1);
  EXPECT_EQ(f["yellow_cards"].numerator, 2);  // October's is left out
  EXPECT_EQ(f["red_cards"].numerator, 2);
  EXPECT_EQ(f["cards_answered"].numerator, 1);
  EXPECT_DOUBLE_EQ(*f["card_answer_rate"].Value(), 25);
  EXPECT_EQ(f["ratings"].numerator, 3);  // December's and the voided one left out
  EXPECT_EQ(f["good_ratings"].numerator, 2);
  EXPECT_EQ(f["bad_ratings"].numerator, 1);
  EXPECT_DOUBLE_EQ(*f["good_rating_rate"].Value(), 66.67);
  EXPECT_EQ(f["rectifications"].numerator, 2);
  EXPECT_DOUBLE_EQ(*f["rectification_rate"].Value(), 50);
  EXPECT_DOUBLE_EQ(*f["named_bad_callback_rate"].Value(), 0);  // 0 of 2: a real 0 %
  EXPECT_EQ(f["demands_received"].numerator, 4);
  EXPECT_EQ(f["demands_closed"].numerator, 4);
  EXPECT_DOUBLE_EQ(*f["demand_on_time_rate"].Value(), 75);
  EXPECT_DOUBLE_EQ(*f["demand_satisfaction_rate"].Value(), 66.67);

  // Another department: its cards only; a month without anything: rates unknown, not 0.
  q.department = "431102-B";
  auto other = db_->Transaction<std::vector<kpi::Figure>>(
      store::TxKind::kRead,
      [&](soci::session& sql) { return SupervisionFigures()->Figures(sql, q); });
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)[1].name, "yellow_cards");
  EXPECT_EQ((*other)[1].numerator, 1);
  q = {.region = "431128", .from = *Date::Parse("2025-01-01"), .to = *Date::Parse("2025-01-31")};
  auto empty = db_->Transaction<std::vector<kpi::Figure>>(
      store::TxKind::kRead,
      [&](soci::session& sql) { return EvaluationFigures()->Figures(sql, q); });
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)[0].numerator, 0);
  EXPECT_FALSE((*empty)[3].Value().has_value());  // good_rating_rate over no ratings
}

INSTANTIATE_TEST_SUITE_P(Backends, AssessmentTest, ::testing::ValuesIn(Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::assessment
