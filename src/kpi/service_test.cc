// The KPI service on both backends: the aggregates stay exact through any sequence of case
// changes (verify against the case table), reports give the known figures, sandbox walk-through
// cases never count, and reports are scoped by the caller's grants.
#include "kpi/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "cases/testing.h"
#include "keys/key_store.h"
#include "people/clock.h"
#include "people/repository.h"
#include "people/sms.h"
#include "regions/region_import.h"
#include "store/testing.h"

namespace tongban {
extern const EmbeddedFile kKpiTestCatalog[];
extern const size_t kKpiTestCatalog_count;
}  // namespace tongban

namespace tongban::kpi {
namespace {

using cases::Case;
using cases::Channel;
using cases::MaterialOrigin;
using cases::MaterialState;
using people::Principal;

constexpr char kMatter[] = "11431128MB1234562L000172003000001";
constexpr char kPdf[] = "%PDF-1.4 卫生管理制度";

// 2026-11-26 (a Thursday) 09:00 China Standard Time.
Timestamp T0() { return StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9); }

people::HeldGrant Grant(std::string role, std::string region, std::vector<std::string> perms) {
  people::HeldGrant g;
  g.grant.id = role + "@" + region;
  g.grant.role = std::move(role);
  g.grant.scope.region = std::move(region);
  g.grant.scope.department = "*";
  std::sort(perms.begin(), perms.end());
  g.permissions = std::move(perms);
  return g;
}

Principal Staff(std::string id, std::string region, std::vector<std::string> perms) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  p.account.name = "工作人员";
  p.grants.push_back(Grant("staff", std::move(region), std::move(perms)));
  return p;
}

Principal Citizen(std::string id, std::string id_number) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kCitizen;
  p.account.id_number = std::move(id_number);
  p.account.name = "申请人";
  p.grants.push_back(Grant("applicant", "*", {"case.apply", "case.read_own"}));
  return p;
}

const Figure& Find(const std::vector<Figure>& figures, std::string_view name,
                   const std::map<std::string, std::string>& labels = {}) {
  for (const Figure& f : figures) {
    if (f.name == name && f.labels == labels) return f;
  }
  static const Figure kMissing = Count("missing", "", "", -1);
  ADD_FAILURE() << "no figure " << name;
  return kMissing;
}

class KpiServiceTest : public ::testing::TestWithParam<store::Backend> {
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
        catalog_->ImportYaml(std::string(kKpiTestCatalog[0].contents), {.publish = true});
    ASSERT_TRUE(imported.ok()) << imported.error().ToString();
    trace_ = std::make_unique<trace::Trace>(
        *db_, trace::Trace::Options{.now =
                                        [this] {
                                          return std::chrono::system_clock::time_point(
                                              clock_.Now().time_since_epoch());
                                        },
                                    .signing_key = std::nullopt});
    dir_ = ::testing::TempDir() + "/kpi-" + std::to_string(::getpid()) + "-" +
           std::string(store::BackendName(GetParam()));
    // The cases and the KPIs count in one source of region calendars, as in the app.
    auto region_calendar = [this](std::string_view region) -> const Calendar& {
      auto it = regional_.find(region);
      return it != regional_.end() ? *it->second : *national_;
    };
    seal_keys_ = cases::testing::MakeSealKeys(*db_, clock_);
    cases_ = *cases::CaseService::Create(*db_, *catalog_, *people_, *trace_,
                                         {.clock = &clock_,
                                          .region_calendar = region_calendar,
                                          .data_dir = dir_,
                                          .keys = seal_keys_->store.get()});
    auto kpi = KpiService::Create(
        *db_, *catalog_,
        {.clock = &clock_, .calendar = nullptr, .region_calendar = region_calendar});
    ASSERT_TRUE(kpi.ok()) << kpi.error().ToString();
    kpi_ = std::move(kpi).value();
    cases_->SetObserver(kpi_.get());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  cases::SubmitRequest Valid(Channel channel = Channel::kOnline) {
    cases::SubmitRequest r;
    r.matter = kMatter;
    r.channel = channel;
    r.form = {{"venue_name", "龙泉宾馆"}, {"area_m2", "120.5"}, {"venue_kind", "宾馆"}};
    r.materials = {{.name = "营业执照",
                    .state = MaterialState::kProvided,
                    .origin = MaterialOrigin::kLicence,
                    .reference = "11431128MB1234562L-营业执照-001"},
                   {.name = "卫生检测报告", .state = MaterialState::kProofWaived}};
    return r;
  }
  Case Submit(const Principal& who, const cases::SubmitRequest& r) {
    auto s = cases_->Submit(who, r);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return s.ok() ? s->record : Case{};
  }
  // Submitted with every material there and accepted.
  Case Accepted(const Principal& who) {
    Case c = Submit(who, Valid());
    EXPECT_TRUE(
        cases_->SupplyMaterial(who, c.number, 1, MaterialOrigin::kUploaded, kPdf, "制度.pdf", "")
            .ok());
    auto a = cases_->Accept(clerk_, c.number, {});
    EXPECT_TRUE(a.ok()) << a.error().ToString();
    return a.ok() ? *a : c;
  }
  void AdvanceDays(int days) { clock_.Advance(std::chrono::hours(24 * days)); }
  void ExpectExact() {
    auto v = kpi_->Verify();
    ASSERT_TRUE(v.ok()) << v.error().ToString();
    EXPECT_THAT(v->differences, ::testing::IsEmpty());
  }
  ReportQuery Query(const char* period, std::string region = "431128") {
    auto p = ParsePeriod(period, "period");
    return {.region = std::move(region), .from = p->first, .to = p->second};
  }

  FakeClock clock_{T0()};
  std::unique_ptr<Calendar> national_ = Calendar::WithEmbeddedSchedules();
  // Region calendars (national plus the region's additions) the test gives before its cases.
  std::map<std::string, std::unique_ptr<Calendar>, std::less<>> regional_;
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<cases::testing::SealKeys> seal_keys_;  // outlives cases_
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<KpiService> kpi_;
  std::string dir_;

  const Principal alice_ = Citizen("acct-alice", "431128199001010037");
  const Principal bob_ = Citizen("acct-bob", "11010519491231002X");  // registered in Beijing
  const Principal clerk_ =
      Staff("acct-clerk", "431128", {"case.read", "case.accept", "case.assist"});
  const Principal approver_ =
      Staff("acct-approver", "431128", {"case.read", "case.review", "case.approve", "case.extend"});
  const Principal head_ =
      Staff("acct-head", "431128", {"case.read", "case.assist", "case.walkthrough", "report.read"});
  const Principal other_head_ = Staff(
      "acct-head2", "430181", {"case.read", "case.assist", "case.walkthrough", "report.read"});
};

TEST_P(KpiServiceTest, WorkingDaysTakenCountTheCountysOwnHoliday) {
  if (!temp_) GTEST_SKIP() << "backend not available";
  // 新田's own holiday on Wednesday 12-02 (the national calendar has none that week).
  auto county = Calendar::WithEmbeddedSchedules("431128");
  ASSERT_TRUE(county
                  ->LoadYear({.region = "431128",
                              .year = 2026,
                              .source = "新田县人民政府通知",
                              .holidays = {{.name = "县庆",
                                            .from = *Date::Parse("2026-12-02"),
                                            .to = *Date::Parse("2026-12-02"),
                                            .make_up_working_days = {}}}})
                  .ok());
  regional_["431128"] = std::move(county);
  Case first = Accepted(alice_);  // Thursday 11-26: due 12-04 in 新田's calendar, 12-03 nationally
  Case second = Accepted(bob_);
  AdvanceDays(7);  // Thursday 12-03: 4 working days in 新田 (5 nationally)
  ASSERT_TRUE(cases_->Approve(approver_, first.number, {}).ok());
  AdvanceDays(1);  // Friday 12-04: 5 working days, still on time in 新田 (6 and late nationally)
  ASSERT_TRUE(cases_->Deny(approver_, second.number, "场所面积不符合卫生规范", {}).ok());
  ExpectExact();
  auto r = kpi_->BuildReport(head_, Query("2026-11-01..2026-12-31"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(Find(r->figures, "concluded").numerator, 2);
  EXPECT_EQ(Find(r->figures, "on_time").numerator, 2);
  EXPECT_EQ(Find(r->figures, "average_working_days").numerator, 9);  // 4 + 5
  EXPECT_EQ(Find(r->figures, "p90_working_days").numerator, 5);
}

TEST_P(KpiServiceTest, ReportsTheKnownFiguresOfAFewCases) {
  if (!temp_) GTEST_SKIP() << "backend not available";
  Case on_time = Accepted(alice_);
  Case late = Accepted(bob_);
  Case refused = Submit(alice_, Valid(Channel::kMobile));
  ASSERT_TRUE(
      cases_->Refuse(clerk_, refused.number, "不属于本部门职权范围", "县市场监管局", {}).ok());
  Case withdrawn = Submit(bob_, Valid());
  ASSERT_TRUE(cases_->Withdraw(bob_, withdrawn.number, {}).ok());
  AdvanceDays(7);  // Thursday 2026-12-03: the 5th working day
  ASSERT_TRUE(cases_->Approve(approver_, on_time.number, {}).ok());
  AdvanceDays(1);  // Friday: one day late
  ASSERT_TRUE(cases_->Deny(approver_, late.number, "场所面积不符合卫生规范", {}).ok());
  ExpectExact();

  auto r = kpi_->BuildReport(head_, Query("2026-11-01..2026-12-31"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const auto& f = r->figures;
  EXPECT_EQ(Find(f, "applications").numerator, 4);
  EXPECT_EQ(Find(f, "accepted").numerator, 2);
  EXPECT_EQ(Find(f, "concluded").numerator, 2);
  EXPECT_EQ(Find(f, "conclusion_rate").numerator, 2);
  EXPECT_EQ(Find(f, "conclusion_rate").denominator, 4);
  EXPECT_DOUBLE_EQ(Find(f, "conclusion_rate").Rounded(), 50.0);
  EXPECT_EQ(Find(f, "approved").numerator, 1);
  EXPECT_EQ(Find(f, "denied").numerator, 1);
  EXPECT_EQ(Find(f, "on_time").numerator, 1);
  EXPECT_DOUBLE_EQ(Find(f, "on_time_rate").Rounded(), 50.0);
  EXPECT_EQ(Find(f, "refused").numerator, 1);
  EXPECT_EQ(Find(f, "withdrawn").numerator, 1);
  EXPECT_EQ(Find(f, "average_working_days").numerator, 11);  // 5 + 6
  EXPECT_DOUBLE_EQ(Find(f, "average_working_days").Rounded(), 5.5);
  EXPECT_EQ(Find(f, "p90_working_days").numerator, 6);
  EXPECT_EQ(Find(f, "cross_region").numerator, 2);           // bob's two cases
  EXPECT_EQ(Find(f, "online_share").numerator, 4);           // online or mobile
  EXPECT_EQ(Find(f, "materials_not_brought").numerator, 8);  // licence + commitment, 4 cases
  EXPECT_EQ(Find(f, "materials_uploaded").numerator, 2);
  EXPECT_EQ(Find(f, "case_compression_rate").numerator, 30);  // (20 - 5) x 2
  EXPECT_EQ(Find(f, "case_compression_rate").denominator, 40);
  EXPECT_EQ(Find(f, "applications_growth").denominator, 0);  // nothing a year earlier
  // The catalog's figures: one matter, its lists, its limits.
  EXPECT_EQ(Find(f, "matters").numerator, 1);
  EXPECT_EQ(Find(f, "compression_rate").numerator, 15);
  EXPECT_EQ(Find(f, "compression_rate").denominator, 20);
  EXPECT_EQ(Find(f, "average_materials_per_matter").numerator, 3);

  // Only November: the decisions fall in December.
  auto nov = kpi_->BuildReport(head_, Query("2026-11"));
  ASSERT_TRUE(nov.ok());
  EXPECT_EQ(Find(nov->figures, "applications").numerator, 4);
  EXPECT_EQ(Find(nov->figures, "concluded").numerator, 0);
  // A single day, by department and channel (day rows).
  ReportQuery day = Query("2026-12-04");
  day.department = "431128-wjj";
  day.channel = "online";
  auto friday = kpi_->BuildReport(head_, day);
  ASSERT_TRUE(friday.ok());
  EXPECT_EQ(Find(friday->figures, "denied").numerator, 1);
  EXPECT_EQ(Find(friday->figures, "p90_working_days").numerator, 6);

  // CSV and XLSX carry the same figures.
  const std::string csv = ReportCsv(*r);
  EXPECT_THAT(csv, ::testing::HasSubstr("cases,conclusion_rate,办结率,,percent,2,4,50.00"));
  auto xlsx = ReportXlsx(*r);
  ASSERT_TRUE(xlsx.ok());
  EXPECT_TRUE(xlsx->starts_with("PK"));

  // The dashboard: series by month, department and channel.
  auto d = kpi_->BuildDashboard(head_, Query("2026-11-01..2026-12-31", ""));
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(d->query.region, "431128");  // the caller's own region
  ASSERT_EQ(d->by_month.size(), 2u);
  EXPECT_EQ(d->by_month[0].key, "2026-11");
  EXPECT_EQ(d->by_month[0].applications, 4);
  EXPECT_EQ(d->by_month[1].concluded, 2);
  ASSERT_EQ(d->by_channel.size(), 2u);
  EXPECT_EQ(d->by_channel[0].key, "mobile");
  EXPECT_EQ(d->by_channel[0].applications, 1);
}

TEST_P(KpiServiceTest, ReportsAreScopedByTheCallersGrants) {
  if (!temp_) GTEST_SKIP() << "backend not available";
  Accepted(alice_);
  auto outside = kpi_->BuildReport(other_head_, Query("2026"));
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code(), ErrorCode::kForbidden);
  EXPECT_EQ(kpi_->BuildReport(head_, Query("2026", "430000")).error().code(),
            ErrorCode::kForbidden);  // the province is wider than the grant
  EXPECT_EQ(kpi_->BuildReport(clerk_, Query("2026")).error().code(), ErrorCode::kForbidden);
  EXPECT_EQ(kpi_->BuildDashboard(other_head_, Query("2026", "431128")).error().code(),
            ErrorCode::kForbidden);
  ReportQuery bad = Query("2026");
  bad.region = "4311";
  bad.channel = "pigeon";
  auto invalid = kpi_->BuildReport(bad);
  ASSERT_FALSE(invalid.ok());
  ASSERT_EQ(invalid.error().fields().size(), 2u);
  EXPECT_EQ(invalid.error().fields()[0].field, "region");
  EXPECT_EQ(invalid.error().fields()[1].field, "channel");
  // The published subset has no catalog or per-case detail.
  auto published = kpi_->PublicStatistics(Query("2026"));
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(Find(published->figures, "applications").numerator, 1);
  for (const Figure& f : published->figures) EXPECT_NE(f.provider, "catalog");
}

TEST_P(KpiServiceTest, SandboxWalkthroughsNeverCountAndTheirFindingsBecomeRectificationItems) {
  if (!temp_) GTEST_SKIP() << "backend not available";
  Submit(alice_, Valid());
  // A citizen cannot open a sandbox case; a head of department can, as a test applicant.
  cases::SubmitRequest sandbox = Valid(Channel::kAssisted);
  sandbox.sandbox = true;
  sandbox.applicant_code = "431128199001010037";
  sandbox.applicant_name = "测试申请人";
  cases::SubmitRequest as_citizen = Valid();
  as_citizen.sandbox = true;
  EXPECT_EQ(cases_->Submit(alice_, as_citizen).error().code(), ErrorCode::kForbidden);
  EXPECT_EQ(cases_->Submit(other_head_, sandbox).error().code(), ErrorCode::kForbidden);
  Case walk = Submit(head_, sandbox);
  auto scanned = cases_->SupplyMaterial(clerk_, walk.number, 1, MaterialOrigin::kClerkScan, kPdf,
                                        "制度.pdf", "");
  ASSERT_TRUE(scanned.ok()) << scanned.error().ToString();
  ASSERT_TRUE(cases_->Accept(clerk_, walk.number, {}).ok());
  AdvanceDays(1);
  ASSERT_TRUE(cases_->Approve(approver_, walk.number, {}).ok());
  ExpectExact();
  auto r = kpi_->BuildReport(head_, Query("2026"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Find(r->figures, "applications").numerator, 1);
  EXPECT_EQ(Find(r->figures, "concluded").numerator, 0);
  // Rebuilding from the case table leaves the walk-through out as well.
  ASSERT_EQ(*kpi_->Rebuild(), 1);
  ExpectExact();

  auto note =
      kpi_->AddNote(head_, walk.number, "materials", "卫生检测报告的模板找不到", NoteKind::kNote);
  ASSERT_TRUE(note.ok()) << note.error().ToString();
  EXPECT_TRUE(note->rectification_item.empty());
  auto finding = kpi_->AddNote(head_, walk.number, "case.accepted", "窗口要求再交一份纸质营业执照",
                               NoteKind::kFinding);
  ASSERT_TRUE(finding.ok());
  EXPECT_FALSE(finding->rectification_item.empty());
  auto notes = kpi_->Notes(head_, walk.number);
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 2u);
  EXPECT_EQ((*notes)[1].rectification_item, finding->rectification_item);
  auto items = kpi_->RectificationItems(head_, "431128", "");
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].department, "431128-wjj");
  EXPECT_EQ((*items)[0].case_number, walk.number);
  EXPECT_EQ((*items)[0].state, "open");
  // Bad input and other regions.
  auto empty = kpi_->AddNote(head_, walk.number, "", "", NoteKind::kNote);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().fields().size(), 2u);
  EXPECT_EQ(kpi_->AddNote(other_head_, walk.number, "x", "y", NoteKind::kNote).error().code(),
            ErrorCode::kForbidden);
  Case real = Submit(alice_, Valid());
  EXPECT_EQ(kpi_->AddNote(head_, real.number, "x", "y", NoteKind::kNote).error().code(),
            ErrorCode::kNotFound);
}

// Any sequence of case operations (those refused included) leaves the aggregates equal to a
// recomputation from the case table; a damaged aggregate is found.
TEST_P(KpiServiceTest, RandomCaseOperationsKeepTheAggregatesExact) {
  if (!temp_) GTEST_SKIP() << "backend not available";
  std::mt19937 rng(20261126);
  std::vector<std::pair<std::string, const Principal*>> open;
  const Channel channels[] = {Channel::kOnline, Channel::kMobile, Channel::kKiosk};
  int applied = 0;
  for (int step = 0; step < 240; ++step) {
    // 0-2 submit, then: supply, licence, accept (twice the weight), correction, refuse, withdraw,
    // suspend or resume, extend, decide (twice the weight), conclude or let days pass.
    static constexpr int kOps[] = {0, 1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10, 11, 11, 12};
    const int op = kOps[rng() % std::size(kOps)];
    if (op <= 2 || open.empty()) {
      const Principal* who = rng() % 3 == 0 ? &bob_ : &alice_;
      cases::SubmitRequest r = Valid(channels[rng() % 3]);
      if (rng() % 4 == 0) r.materials.pop_back();  // 卫生检测报告 missing
      if (rng() % 5 == 0) {
        r = Valid(Channel::kWindow);
        r.applicant_code = "11010519491231002X";
        r.applicant_name = "王芳";
        who = &clerk_;
      }
      auto s = cases_->Submit(*who, r);
      ASSERT_TRUE(s.ok()) << s.error().ToString();
      open.emplace_back(s->record.number, who == &clerk_ ? &bob_ : who);
      if (rng() % 3 != 0) {
        ASSERT_TRUE(cases_
                        ->SupplyMaterial(*open.back().second, s->record.number, 1,
                                         MaterialOrigin::kUploaded, kPdf, "制度.pdf", "")
                        .ok());
      }
      ++applied;
      continue;
    }
    // Mostly the latest cases, so that many go all the way to a decision.
    const size_t back = rng() % std::min<size_t>(4, open.size());
    const auto& [number, applicant] = open[open.size() - 1 - back];
    switch (op) {
      case 3:
        (void)cases_->SupplyMaterial(*applicant, number, rng() % 4 == 0 ? 2 : 1,
                                     MaterialOrigin::kUploaded, kPdf, "a.pdf", "");
        break;
      case 4:
        (void)cases_->SupplyMaterial(*applicant, number, 0, MaterialOrigin::kLicence, "", "",
                                     "11431128MB1234562L-营业执照-002");
        break;
      case 5:
        (void)cases_->Accept(clerk_, number, {});
        break;
      case 6:
        (void)cases_->RequestCorrection(clerk_, number, {"卫生检测报告"}, {});
        break;
      case 7:
        if (rng() % 3 == 0) (void)cases_->Refuse(clerk_, number, "不符合条件", "县卫健局", {});
        break;
      case 8:
        if (rng() % 3 == 0) (void)cases_->Withdraw(*applicant, number, {});
        break;
      case 9:
        if (rng() % 2 == 0) {
          (void)cases_->Suspend(approver_, number, cases::SuspensionReason::kInspection, 3, {});
        } else {
          (void)cases_->Resume(approver_, number, {});
        }
        break;
      case 10:
        (void)cases_->Extend(approver_, number, "需要现场核查", {});
        break;
      case 11:
        if (rng() % 3 == 0) {
          (void)cases_->Deny(approver_, number, "场所面积不符合卫生规范", {});
        } else {
          (void)cases_->Approve(approver_, number, {});
        }
        break;
      case 12:
        if (rng() % 2 == 0) {
          (void)cases_->Conclude(approver_, number, {});
        } else {
          AdvanceDays(1 + static_cast<int>(rng() % 4));
        }
        break;
      default:
        break;
    }
  }
  auto v = kpi_->Verify();
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ(v->cases, applied);
  EXPECT_GT(v->rows, 10);
  EXPECT_THAT(v->differences, ::testing::IsEmpty());
  auto before = kpi_->BuildReport(Query("2026-11-01..2027-12-31"));
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(Find(before->figures, "applications").numerator, applied);
  EXPECT_GT(Find(before->figures, "concluded").numerator, 3);
  EXPECT_GT(Find(before->figures, "on_time").numerator, 0);
  EXPECT_GT(Find(before->figures, "refused").numerator, 0);
  // Rebuilding gives the same figures.
  ASSERT_EQ(*kpi_->Rebuild(), applied);
  ExpectExact();
  auto after = kpi_->BuildReport(Query("2026-11-01..2027-12-31"));
  ASSERT_TRUE(after.ok());
  for (size_t i = 0; i < before->figures.size(); ++i) {
    EXPECT_EQ(before->figures[i].numerator, after->figures[i].numerator) << before->figures[i].name;
    EXPECT_EQ(before->figures[i].denominator, after->figures[i].denominator)
        << before->figures[i].name;
  }
  // A damaged aggregate is found and named.
  ASSERT_TRUE(
      db_->Transaction(
             store::TxKind::kWrite,
             [](soci::session& sql) {
               sql << "UPDATE kpi_fact SET applications = applications + 1 WHERE grain = 'm'";
               return Ok();
             })
          .ok());
  auto damaged = kpi_->Verify();
  ASSERT_TRUE(damaged.ok());
  ASSERT_FALSE(damaged->differences.empty());
  EXPECT_THAT(damaged->differences[0], ::testing::HasSubstr("applications -1"));
}

INSTANTIATE_TEST_SUITE_P(Backends, KpiServiceTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::kpi
