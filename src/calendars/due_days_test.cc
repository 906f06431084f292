// A calendar change moves the stored due days (case_record.due_on, which the search's overdue
// filter and the supervision sweep read) of the region's open cases at once, on both backends:
// not those of concluded cases, nor those of a neighbouring county; a recomputation a crash left
// queued runs at the next start.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "calendars/service.h"
#include "cases/testing.h"
#include "store/testing.h"

namespace tongban {
extern const EmbeddedFile kDueDaysCatalog[];
extern const size_t kDueDaysCatalog_count;
}  // namespace tongban

namespace tongban::calendars {
namespace {

using people::Principal;

constexpr char kMatter[] = "11431128MB1234562L000172003000001";
constexpr char kPdf[] = "%PDF-1.4 卫生管理制度";

Date D(std::string_view s) { return *Date::Parse(s); }

Principal Staff(std::string id, std::string region, std::vector<std::string> perms) {
  Principal p;
  p.account.id = id;
  p.account.username = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  p.account.name = "工作人员";
  people::HeldGrant g;
  g.grant.id = p.account.id + "-grant";
  g.grant.scope.region = std::move(region);
  g.grant.scope.department = "*";
  std::sort(perms.begin(), perms.end());
  g.permissions = std::move(perms);
  p.grants.push_back(std::move(g));
  return p;
}

Principal Citizen() {
  Principal p;
  p.account.id = "acct-alice";
  p.account.kind = people::AccountKind::kCitizen;
  p.account.id_number = "431128199001010037";
  p.account.name = "李志强";
  people::HeldGrant g;
  g.grant.scope.region = "*";
  g.grant.scope.department = "*";
  g.permissions = {"case.apply", "case.read_own"};
  p.grants.push_back(std::move(g));
  return p;
}

class DueDaysTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    auto sets = cases::testing::CaseMigrationSets();
    ASSERT_TRUE(sets.ok()) << sets.error().ToString();
    auto mine = Migrations();
    ASSERT_TRUE(mine.ok()) << mine.error().ToString();
    sets->push_back(*mine);
    std::vector<const store::MigrationSet*> ptrs;
    for (const auto& s : *sets) ptrs.push_back(&s);
    auto migrated = db_->Migrate(ptrs);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    // The cases count in the calendar service's region calendars, as in the app.
    auto stack = cases::testing::MakeCaseStack(
        *db_, clock_, kDueDaysCatalog[0].contents,
        std::string("due-days-") + std::string(store::BackendName(GetParam())),
        [this](std::string_view region) -> const Calendar& {
          return calendars_->ForRegion(region);
        });
    ASSERT_TRUE(stack.ok()) << stack.error().ToString();
    stack_ = std::move(stack).value();
    OpenCalendars();
  }
  // The calendar service as the app wires it at start (SetDueDays, then the queued jobs).
  void OpenCalendars(bool wire = true) {
    calendars_.reset();
    national_ = Calendar::WithEmbeddedSchedules();
    auto s = CalendarService::Create(*db_, *stack_->trace, *national_, {.clock = &clock_});
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    calendars_ = std::move(s).value();
    if (!wire) return;
    calendars_->SetDueDays([this](std::string_view region) -> Result<DueDaysRecomputed> {
      TB_ASSIGN_OR_RETURN(cases::RecomputedDueDays done, stack_->cases->RecomputeDueDays(region));
      return DueDaysRecomputed{.open_cases = done.open_cases, .moved = done.moved};
    });
  }

  // A complete case of the 新田 matter, accepted today (under review, due day stored).
  cases::Case Accepted() {
    auto submitted = stack_->cases->Submit(
        alice_,
        {.matter = kMatter,
         .channel = cases::Channel::kOnline,
         .form = {{"venue_name", "龙泉宾馆"}, {"area_m2", "120.5"}, {"venue_kind", "宾馆"}}});
    EXPECT_TRUE(submitted.ok()) << submitted.error().ToString();
    if (!submitted.ok()) return {};
    const std::string number = submitted->record.number;
    EXPECT_TRUE(stack_->cases
                    ->SupplyMaterial(alice_, number, 0, cases::MaterialOrigin::kLicence, "", "",
                                     "11431128MB1234562L-营业执照-001")
                    .ok());
    EXPECT_TRUE(stack_->cases
                    ->SupplyMaterial(alice_, number, 1, cases::MaterialOrigin::kUploaded, kPdf,
                                     "制度.pdf", "")
                    .ok());
    EXPECT_TRUE(stack_->cases
                    ->SupplyMaterial(alice_, number, 2, cases::MaterialOrigin::kUploaded,
                                     "%PDF-1.4 检测报告", "检测.pdf", "")
                    .ok());
    auto accepted = stack_->cases->Accept(clerk_, number, {});
    EXPECT_TRUE(accepted.ok()) << accepted.error().ToString();
    return accepted.ok() ? *accepted : cases::Case{};
  }

  // The stored due day of case `number` ('' when none is stored).
  std::string StoredDue(const std::string& number) {
    auto due = db_->Transaction<std::string>(
        store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
          std::string d;
          sql << "SELECT due_on FROM case_record WHERE number = :n", soci::use(number, "n"),
              soci::into(d);
          return d;
        });
    EXPECT_TRUE(due.ok());
    return due.ok() ? *due : "unreadable";
  }

  void Execute(const std::string& statement) {
    auto done = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      sql << statement;
      return Ok();
    });
    ASSERT_TRUE(done.ok()) << done.error().ToString();
  }

  // 新田's own holiday on Wednesday 2026-12-02, as its calendar administrator saves it.
  Result<CalendarYear> CountyHoliday(int64_t if_version) {
    return calendars_->Change(county_admin_, "431128", 2026, "新田县人民政府通知",
                              {{.name = "县庆",
                                .from = D("2026-12-02"),
                                .to = D("2026-12-02"),
                                .make_up_working_days = {}}},
                              if_version);
  }

  // Thursday 2026-11-26, 09:00 China time.
  FakeClock clock_{StartOfDayInChina(D("2026-11-26")) + std::chrono::hours(9)};
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<cases::testing::CaseStack> stack_;
  std::unique_ptr<Calendar> national_;
  std::unique_ptr<CalendarService> calendars_;
  const Principal alice_ = Citizen();
  const Principal clerk_ =
      Staff("acct-clerk", "431128", {"case.read", "case.accept", "case.assist"});
  const Principal approver_ =
      Staff("acct-approver", "431128", {"case.read", "case.review", "case.approve"});
  const Principal county_admin_ = Staff("xintian.calendar_admin", "431128", {"calendar.write"});
};

TEST_P(DueDaysTest, ACountysHolidayMovesItsOpenCasesStoredDueDaysAtOnce) {
  if (!temp_) GTEST_SKIP() << "backend not available";
  const cases::Case open = Accepted();
  const cases::Case neighbour = Accepted();
  const cases::Case concluded = Accepted();
  const cases::Case town = Accepted();
  ASSERT_FALSE(open.number.empty());
  // Five working days from Thursday 11-26 in the national calendar.
  EXPECT_EQ(StoredDue(open.number), "2026-12-03");
  // The same case in the neighbouring county 宁远 (431126): the re-homing is the test's.
  Execute("UPDATE case_record SET region_code = '431126' WHERE number = '" + neighbour.number +
          "'");
  // A case of a town of 新田 (12 digits) counts in the county's calendar.
  Execute("UPDATE case_record SET region_code = '431128101000' WHERE number = '" + town.number +
          "'");
  ASSERT_TRUE(stack_->cases->Approve(approver_, concluded.number, {}).ok());
  auto done = stack_->cases->Conclude(approver_, concluded.number, {});
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_EQ(StoredDue(concluded.number), "");

  auto changed = CountyHoliday(0);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  ASSERT_TRUE(changed->due_days.has_value());
  EXPECT_EQ(changed->due_days->open_cases, 2);  // the neighbour's and the concluded are outside
  EXPECT_EQ(changed->due_days->moved, 2);
  // The holiday on Wednesday moves the open case's stored due day to Friday at once.
  EXPECT_EQ(StoredDue(open.number), "2026-12-04");
  EXPECT_EQ(StoredDue(town.number), "2026-12-04");
  EXPECT_EQ(StoredDue(neighbour.number), "2026-12-03");
  EXPECT_EQ(StoredDue(concluded.number), "");
  // The recomputation is traced in the county's calendar stream, with its count.
  auto events = stack_->trace->Read("calendar/431128", 0, 10);
  ASSERT_TRUE(events.ok()) << events.error().ToString();
  ASSERT_EQ(events->size(), 2U);
  EXPECT_EQ((*events)[0].action, "calendar.changed");
  EXPECT_EQ((*events)[1].action, "calendar.due_days_recomputed");
  const nlohmann::json payload = nlohmann::json::parse((*events)[1].payload);
  EXPECT_EQ(payload["moved"], 2);
  EXPECT_EQ(payload["open_cases"], 2);
  // Running it again changes nothing (idempotent); a wrong region is refused by name.
  auto again = stack_->cases->RecomputeDueDays("431128");
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->open_cases, 2);
  EXPECT_EQ(again->moved, 0);
  auto bad = stack_->cases->RecomputeDueDays("43x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields().at(0).field, "region");
}

TEST_P(DueDaysTest, AProvincesHolidayReachesItsCountiesCases) {
  if (!temp_) GTEST_SKIP() << "backend not available";
  const cases::Case open = Accepted();
  const cases::Case elsewhere = Accepted();
  Execute("UPDATE case_record SET region_code = '430181' WHERE number = '" + elsewhere.number +
          "'");
  const Principal city_admin = Staff("yongzhou.calendar_admin", "431100", {"calendar.write"});
  // 永州's (431100) holiday on Tuesday 12-01 reaches 新田 (431128), not 浏阳 (430181).
  auto changed = calendars_->Change(city_admin, "431100", 2026, "永州市人民政府通知",
                                    {{.name = "市庆",
                                      .from = D("2026-12-01"),
                                      .to = D("2026-12-01"),
                                      .make_up_working_days = {}}},
                                    0);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  ASSERT_TRUE(changed->due_days.has_value());
  EXPECT_EQ(changed->due_days->moved, 1);
  EXPECT_EQ(StoredDue(open.number), "2026-12-04");
  EXPECT_EQ(StoredDue(elsewhere.number), "2026-12-03");
}

TEST_P(DueDaysTest, ARecomputationLeftQueuedRunsAtTheNextStart) {
  if (!temp_) GTEST_SKIP() << "backend not available";
  const cases::Case open = Accepted();
  // A process that stored the change but never recomputed (no due-day function: as a crash
  // between the commit and the recomputation leaves it).
  OpenCalendars(false);
  auto changed = CountyHoliday(0);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_FALSE(changed->due_days.has_value());
  EXPECT_EQ(StoredDue(open.number), "2026-12-03");
  // The next start loads the stored holiday and runs the queued job once.
  OpenCalendars();
  auto ran = calendars_->RunQueuedDueDays();
  ASSERT_TRUE(ran.ok()) << ran.error().ToString();
  EXPECT_EQ(*ran, 1);
  EXPECT_EQ(StoredDue(open.number), "2026-12-04");
  auto none = calendars_->RunQueuedDueDays();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
  auto events = stack_->trace->Read("calendar/431128", 0, 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2U);
  EXPECT_EQ((*events)[1].actor, "system");
}

INSTANTIATE_TEST_SUITE_P(Backends, DueDaysTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::calendars
