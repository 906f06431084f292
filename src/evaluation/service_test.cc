// 好差评 on both backends: online ratings once by the applicant after the case ended, visit
// ratings by the device or a QR token (never by staff), invitations, the rectification of bad
// ratings with callbacks, appeals and limits per region, and the public statistics.
#include "evaluation/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "cases/service.h"
#include "evaluation/scheduler.h"
#include "people/clock.h"
#include "people/service.h"
#include "store/testing.h"

namespace tongban::evaluation {
namespace {

using people::Principal;
using ::testing::HasSubstr;

constexpr char kXintian[] = "431128";
constexpr char kLiuyang[] = "430181";
constexpr char kRsj[] = "431128-rsj";
constexpr char kMatter[] = "11431128MB1234562L000172003000001";
constexpr char kCitizenId[] = "431128196803150214";

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

Principal Staff(std::string id, std::string region, std::vector<std::string> perms,
                std::string department = "*") {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  p.grants.push_back(Grant("staff", std::move(region), std::move(perms), std::move(department)));
  return p;
}

Principal Citizen(std::string id, std::string id_number) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kCitizen;
  p.account.id_number = std::move(id_number);
  p.grants.push_back(Grant("applicant", "*", {"case.apply", "case.read_own", "evaluation.submit"}));
  return p;
}

std::vector<std::string> Fields(const Error& e) {
  std::vector<std::string> out;
  for (const auto& f : e.fields()) out.push_back(f.field);
  return out;
}

class EvaluationTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*catalog::CatalogMigrations());
    sets.push_back(*cases::CaseMigrations());
    sets.push_back(*Migrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    auto migrated = db_->Migrate(ptrs);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    trace_ = std::make_unique<trace::Trace>(
        *db_, trace::Trace::Options{.now =
                                        [this] {
                                          return std::chrono::system_clock::time_point(
                                              clock_.Now().time_since_epoch());
                                        },
                                    .signing_key = std::nullopt});
    auto service =
        EvaluationService::Create(*db_, {.clock = &clock_,
                                         .trace = trace_.get(),
                                         .device = &device_,
                                         .token_key = "test-key",
                                         .limits = {{.region = "430000", .working_days = 7},
                                                    {.region = kXintian, .working_days = 5}},
                                         .after_notices = [this] { ++drains_; }});
    ASSERT_TRUE(service.ok()) << service.error().ToString();
    service_ = std::move(service).value();
  }

  // A case as the case service stores it; only the columns evaluation reads matter.
  void AddCase(const std::string& number, const std::string& state,
               const std::string& region = kXintian, const std::string& department = kRsj,
               const std::string& kind = "person", const std::string& code = kCitizenId,
               const std::string& submitted_by = "citizen-1", int64_t updated_at = 0) {
    if (updated_at == 0) updated_at = people::EpochMs(clock_);
    std::string id = "case-" + number, matter = kMatter;
    Status s = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      sql << "INSERT INTO case_record (id, number, matter_code, matter_version, scenario, "
             "region_code, department_code, applicant_kind, applicant_code, applicant_name, "
             "agent_account, submitted_by, channel, clerk_account, form, state, version, "
             "received_on, received_at, accepted_on, accepted_by, correction_on, "
             "correction_items, suspension_reason, suspended_since, suspended_days, "
             "extension_days, extended_by, decided_by, decision_reasons, updated_at) VALUES "
             "(:id, :number, :matter, '', 'new', :region, :department, :kind, :code, '邓桂英', '', "
             ":submitted_by, 'online', '', '{}', :state, 1, '2026-11-20', 0, '', '', '', '', '', "
             "'', 0, 0, '', '', '', :updated_at)",
          soci::use(id, "id"), soci::use(number, "number"), soci::use(matter, "matter"),
          soci::use(region, "region"), soci::use(department, "department"), soci::use(kind, "kind"),
          soci::use(code, "code"), soci::use(submitted_by, "submitted_by"),
          soci::use(state, "state"), soci::use(updated_at, "updated_at");
      return Ok();
    });
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }

  long long Count(const std::string& query) {
    long long n = -1;
    Status s = db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      sql << query, soci::into(n);
      return Ok();
    });
    EXPECT_TRUE(s.ok());
    return n;
  }

  RatingInput Rating(Level level, std::vector<std::string> tags = {}) {
    return {.level = level, .tags = std::move(tags), .text = ""};
  }

  FakeClock clock_{T0()};
  devices::SimulatedRatingDevice device_;
  int drains_ = 0;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<EvaluationService> service_;
  Principal citizen_ = Citizen("citizen-1", kCitizenId);
  Principal other_ = Citizen("citizen-2", "431128199001010018");
  Principal clerk_ = Staff("clerk-1", kXintian, {"case.accept", "evaluation.read"});
  Principal head_ = Staff("head-1", kXintian, {"evaluation.read", "evaluation.rectify"}, kRsj);
  Principal other_head_ =
      Staff("head-2", kXintian, {"evaluation.read", "evaluation.rectify"}, "431128-scjgj");
  Principal supervisor_ = Staff("sup-1", kXintian, {"evaluation.read", "evaluation.review"});
};

TEST_P(EvaluationTest, TheApplicantRatesAnEndedCaseOnlineOnce) {
  if (!service_) return;
  AddCase("C1", "concluded");
  AddCase("C2", "under_review");
  AddCase("C3", "withdrawn", kXintian, kRsj, "enterprise", "91431128MA4L0000X1", "citizen-9");

  // A staff account never rates; somebody else's case is refused; so is a case still running.
  auto staff = service_->RateCase(clerk_, "C1", Rating(Level::kVerySatisfied));
  ASSERT_FALSE(staff.ok());
  EXPECT_EQ(staff.error().code(), ErrorCode::kForbidden);
  EXPECT_THAT(staff.error().message(), HasSubstr("staff account"));
  auto others = service_->RateCase(other_, "C1", Rating(Level::kVerySatisfied));
  ASSERT_FALSE(others.ok());
  EXPECT_EQ(others.error().code(), ErrorCode::kForbidden);
  EXPECT_THAT(others.error().message(), HasSubstr("only the applicant of case C1"));
  auto running = service_->RateCase(citizen_, "C2", Rating(Level::kSatisfied));
  ASSERT_FALSE(running.ok());
  EXPECT_EQ(running.error().code(), ErrorCode::kRefused);
  EXPECT_EQ(service_->RateCase(citizen_, "C9", Rating(Level::kSatisfied)).error().code(),
            ErrorCode::kNotFound);
  // Tags come from the level's list; every bad field is named.
  auto bad_tags = service_->RateCase(
      citizen_, "C1", Rating(Level::kSatisfied, {"等待时间长", "办事效率高", "办事效率高"}));
  ASSERT_FALSE(bad_tags.ok());
  EXPECT_EQ(Fields(bad_tags.error()), (std::vector<std::string>{"tags/0", "tags/2"}));

  auto rated = service_->RateCase(citizen_, "C1", Rating(Level::kSatisfied, {"办事效率高"}));
  ASSERT_TRUE(rated.ok()) << rated.error().ToString();
  EXPECT_EQ(rated->source, Source::kOnline);
  EXPECT_EQ(rated->department, kRsj);
  EXPECT_TRUE(rated->rectification_id.empty());
  auto again = service_->RateCase(citizen_, "C1", Rating(Level::kVerySatisfied));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(again.error().message(), HasSubstr("already rated online"));

  // An enterprise's case: whoever may act for the enterprise rates it.
  Principal agent = Citizen("agent-1", "431128199202020027");
  EXPECT_EQ(service_->RateCase(agent, "C3", Rating(Level::kSatisfied)).error().code(),
            ErrorCode::kForbidden);
  agent.agencies.push_back({.uscc = "91431128MA4L0000X1",
                            .enterprise_name = "新田县示例公司",
                            .relation = people::EnterpriseRelation::kAgent,
                            .authorisation_id = "a1",
                            .valid_from = 0,
                            .valid_until = std::nullopt});
  EXPECT_TRUE(service_->RateCase(agent, "C3", Rating(Level::kSatisfied)).ok());
}

TEST_P(EvaluationTest, AVisitIsRatedOnTheDeviceOrByQrCodeWhateverTheCaseState) {
  if (!service_) return;
  AddCase("C1", "under_review");
  auto visit = service_->OpenVisit(clerk_, {.case_number = "C1", .window = "A01"});
  ASSERT_TRUE(visit.ok()) << visit.error().ToString();
  EXPECT_EQ(visit->department, kRsj);
  EXPECT_EQ(visit->applicant_code, kCitizenId);
  auto bad_visit = service_->OpenVisit(clerk_, {.case_number = "C9"});
  ASSERT_FALSE(bad_visit.ok());
  EXPECT_EQ(Fields(bad_visit.error()), (std::vector<std::string>{"case_number", "window"}));
  // Only staff who serve at the visit's region open or ask for it.
  Principal far_clerk = Staff("clerk-2", kLiuyang, {"case.accept"});
  EXPECT_EQ(service_->OpenVisit(far_clerk, {.case_number = "C1", .window = "A01"}).error().code(),
            ErrorCode::kForbidden);

  // Nobody pressed: the clerk is told; the press is then the applicant's rating.
  auto none = service_->RequestVisitRating(clerk_, visit->id, RatingMethod::kDevice);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kTimeout);
  device_.Press("A01", {.level = "dissatisfied", .tags = {"等待时间长"}, .text = "排队一小时"});
  auto rated = service_->RequestVisitRating(clerk_, visit->id, RatingMethod::kDevice);
  ASSERT_TRUE(rated.ok()) << rated.error().ToString();
  ASSERT_TRUE(rated->evaluation.has_value());
  EXPECT_EQ(rated->evaluation->source, Source::kDevice);
  EXPECT_EQ(rated->evaluation->level, Level::kDissatisfied);
  EXPECT_EQ(rated->evaluation->rater_account, "citizen-1");  // the applicant, not the clerk
  EXPECT_TRUE(rated->evaluation->named);
  EXPECT_FALSE(rated->evaluation->rectification_id.empty());
  EXPECT_EQ(device_.Prompts("A01").back().tags.at("dissatisfied").size(), 6u);
  // 一次一评: once per visit, by either way.
  EXPECT_EQ(service_->RequestVisitRating(clerk_, visit->id, RatingMethod::kQrCode).error().code(),
            ErrorCode::kConflict);

  // By QR: a signed, single-use, expiring token.
  auto kiosk = service_->OpenVisit(
      clerk_,
      {.channel = VisitChannel::kKiosk, .window = "K01", .region = kXintian, .department = kRsj});
  ASSERT_TRUE(kiosk.ok()) << kiosk.error().ToString();
  auto qr = service_->RequestVisitRating(clerk_, kiosk->id, RatingMethod::kQrCode);
  ASSERT_TRUE(qr.ok()) << qr.error().ToString();
  EXPECT_FALSE(qr->evaluation.has_value());
  EXPECT_EQ(qr->expires_at, people::EpochMs(clock_) + 15 * people::kMinuteMs);
  EXPECT_EQ(service_->RateByToken(&clerk_, qr->token, Rating(Level::kVerySatisfied)).error().code(),
            ErrorCode::kForbidden);
  std::string forged = qr->token;
  forged[0] = forged[0] == '0' ? '1' : '0';
  EXPECT_EQ(service_->RateByToken(nullptr, forged, Rating(Level::kVerySatisfied)).error().code(),
            ErrorCode::kForbidden);
  auto by_qr = service_->RateByToken(nullptr, qr->token, Rating(Level::kVerySatisfied));
  ASSERT_TRUE(by_qr.ok()) << by_qr.error().ToString();
  EXPECT_EQ(by_qr->source, Source::kQrCode);
  EXPECT_EQ(by_qr->window, "K01");
  EXPECT_FALSE(by_qr->named);  // nobody known at the kiosk, nobody signed in
  auto reused = service_->RateByToken(nullptr, qr->token, Rating(Level::kVeryDissatisfied));
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code(), ErrorCode::kRefused);

  auto later =
      service_->OpenVisit(clerk_, {.window = "K01", .region = kXintian, .department = kRsj});
  auto expiring = service_->RequestVisitRating(clerk_, later->id, RatingMethod::kQrCode);
  ASSERT_TRUE(expiring.ok());
  clock_.Advance(std::chrono::minutes(16));
  auto expired = service_->RateByToken(&citizen_, expiring->token, Rating(Level::kSatisfied));
  ASSERT_FALSE(expired.ok());
  EXPECT_THAT(expired.error().message(), HasSubstr("expired"));
}

TEST_P(EvaluationTest, EveryBadRatingIsRectifiedByItsDepartmentWithinTheRegionsLimit) {
  if (!service_) return;
  AddCase("C1", "concluded");
  AddCase("C2", "refused");
  EXPECT_EQ(service_->LimitDays("431128"), 5);
  EXPECT_EQ(service_->LimitDays("430181"), 7);
  EXPECT_EQ(service_->LimitDays("110101"), 15);
  auto bad = service_->RateCase(citizen_, "C1", Rating(Level::kVeryDissatisfied, {"多次跑动"}));
  ASSERT_TRUE(bad.ok()) << bad.error().ToString();
  EXPECT_EQ(drains_, 1);  // the applicant is told what happens next
  auto item = service_->GetRectification(head_, bad->rectification_id);
  ASSERT_TRUE(item.ok()) << item.error().ToString();
  EXPECT_EQ(item->state, RectificationState::kOpen);
  // Thursday 2026-11-26 + 5 working days.
  EXPECT_EQ(item->due_on.ToString(), "2026-12-03");
  EXPECT_EQ(item->tags, std::vector<std::string>{"多次跑动"});

  // Another department may not act; a named rating is called back before it is rectified.
  auto wrong = service_->RecordCallback(other_head_, item->id, CallbackOutcome::kConfirmed, "");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kForbidden);
  auto early = service_->Rectify(head_, item->id, "已调整窗口排班");
  ASSERT_FALSE(early.ok());
  EXPECT_THAT(early.error().message(), HasSubstr("回访核实"));
  EXPECT_EQ(service_->Rectify(head_, item->id, "").error().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(
      service_->RecordCallback(head_, item->id, CallbackOutcome::kConfirmed, "情况属实").ok());
  EXPECT_EQ(
      service_->RecordCallback(head_, item->id, CallbackOutcome::kConfirmed, "").error().code(),
      ErrorCode::kConflict);
  auto done = service_->Rectify(head_, item->id, "已调整窗口排班");
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_EQ(done->state, RectificationState::kRectified);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_notice WHERE case_number = 'C1' AND account_id = "
                  "'citizen-1'"),
            2);
  // The applicant rates the rectification, once; nobody else does.
  EXPECT_EQ(service_->RateRectification(other_, item->id, Level::kSatisfied).error().code(),
            ErrorCode::kForbidden);
  auto closed = service_->RateRectification(citizen_, item->id, Level::kSatisfied);
  ASSERT_TRUE(closed.ok()) << closed.error().ToString();
  EXPECT_EQ(closed->applicant_level, Level::kSatisfied);
  EXPECT_EQ(service_->RateRectification(citizen_, item->id, Level::kSatisfied).error().code(),
            ErrorCode::kConflict);

  // An appeal goes to the supervisor, who voids the rating: it stays, out of the statistics.
  auto second = service_->RateCase(citizen_, "C2", Rating(Level::kDissatisfied));
  ASSERT_TRUE(second.ok());
  const std::string id = second->rectification_id;
  EXPECT_EQ(service_->Review(supervisor_, id, ReviewDecision::kVoid, "x").error().code(),
            ErrorCode::kRefused);
  ASSERT_TRUE(service_->Appeal(head_, id, "申请人对不予受理的法定理由不认可，属误评").ok());
  EXPECT_EQ(service_->Review(head_, id, ReviewDecision::kVoid, "x").error().code(),
            ErrorCode::kForbidden);
  auto upheld = service_->Review(supervisor_, id, ReviewDecision::kUphold, "评价属实");
  ASSERT_TRUE(upheld.ok()) << upheld.error().ToString();
  EXPECT_EQ(upheld->state, RectificationState::kOpen);
  ASSERT_TRUE(service_->Appeal(head_, id, "补充证据：申请人已撤回投诉").ok());
  auto voided = service_->Review(supervisor_, id, ReviewDecision::kVoid, "恶意评价");
  ASSERT_TRUE(voided.ok()) << voided.error().ToString();
  EXPECT_EQ(voided->state, RectificationState::kVoided);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM evaluation WHERE voided = 1"), 1);

  // Overdue items are listed, only to those who may see them.
  AddCase("C3", "concluded");
  auto third = service_->RateCase(citizen_, "C3", Rating(Level::kDissatisfied));
  ASSERT_TRUE(third.ok());
  clock_.Advance(std::chrono::hours(24 * 8));
  auto overdue = service_->ListRectifications(head_, {.overdue = true});
  ASSERT_TRUE(overdue.ok()) << overdue.error().ToString();
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].id, third->rectification_id);
  EXPECT_TRUE((*overdue)[0].overdue);
  EXPECT_TRUE(service_->ListRectifications(other_head_, {.overdue = true})->empty());
  EXPECT_EQ(service_->ListRectifications(citizen_, {}).error().code(), ErrorCode::kForbidden);

  // The pre-aggregated statistics followed every step exactly: the same as recomputed from the
  // rows (C1 rectified and called back, C2 voided on appeal, C3 open).
  auto kept = service_->ComputeStatistics({.by = Dimension::kDepartment});
  ASSERT_TRUE(kept.ok()) << kept.error().ToString();
  EXPECT_EQ(kept->total.rated, 2);  // C1, C3; C2 voided
  EXPECT_EQ(kept->total.bad, 2);
  EXPECT_EQ(kept->total.rectified, 1);
  EXPECT_EQ(kept->total.named_bad, 2);
  EXPECT_EQ(kept->total.called_back, 1);
  EXPECT_EQ(Count("SELECT CAST(SUM(rated) AS BIGINT) FROM evaluation_stat"),
            Count("SELECT COUNT(*) FROM evaluation WHERE voided = 0"));
  auto rebuilt = service_->RebuildStatistics();
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().ToString();
  EXPECT_EQ(*rebuilt, 3);  // ratings read, the voided one included
  auto again = service_->ComputeStatistics({.by = Dimension::kDepartment});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->total.rated, kept->total.rated);
  EXPECT_EQ(again->total.good, kept->total.good);
  EXPECT_EQ(again->total.by_level, kept->total.by_level);
  EXPECT_EQ(again->total.rectified, kept->total.rectified);
  EXPECT_EQ(again->total.named_bad, kept->total.named_bad);
  EXPECT_EQ(again->total.called_back, kept->total.called_back);
}

TEST_P(EvaluationTest, UnratedEndedCasesAreInvitedOnceAfterThreeDays) {
  if (!service_) return;
  const int64_t now = people::EpochMs(clock_);
  AddCase("C1", "concluded", kXintian, kRsj, "person", kCitizenId, "citizen-1",
          now - 4 * people::kDayMs);
  AddCase("C2", "concluded", kXintian, kRsj, "person", kCitizenId, "citizen-1",
          now - 2 * people::kDayMs);
  AddCase("C3", "refused", kXintian, kRsj, "person", kCitizenId, "citizen-1",
          now - 5 * people::kDayMs);
  AddCase("C4", "under_review", kXintian, kRsj, "person", kCitizenId, "citizen-1",
          now - 9 * people::kDayMs);
  AddCase("C5", "concluded", kXintian, kRsj, "person", kCitizenId, "citizen-1",
          now - 90 * people::kDayMs);
  ASSERT_TRUE(service_->RateCase(citizen_, "C3", Rating(Level::kSatisfied)).ok());
  auto sent = service_->InviteDue();
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  EXPECT_EQ(*sent, 1);  // C1 only
  EXPECT_EQ(Count("SELECT COUNT(*) FROM case_notice WHERE case_number = 'C1' AND kind = "
                  "'evaluation' AND sms_state = 'pending'"),
            1);
  EXPECT_EQ(*service_->InviteDue(), 0);
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(*service_->InviteDue(), 1);  // C2 is now three days old
  EXPECT_EQ(*service_->InviteDue(), 0);

  // The server's scheduler runs the same round at start, then hourly.
  AddCase("C6", "withdrawn", kXintian, kRsj, "person", kCitizenId, "citizen-1",
          people::EpochMs(clock_) - 3 * people::kDayMs);
  {
    InvitationScheduler scheduler(*service_, std::chrono::hours(1));
    scheduler.Start();
    scheduler.Stop();
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM evaluation_invitation"), 3);
}

TEST_P(EvaluationTest, StatisticsCountGoodOverRatedAndKeepUnratedApart) {
  if (!service_) return;
  for (int i = 1; i <= 6; ++i) AddCase("C" + std::to_string(i), "concluded");
  AddCase("S1", "concluded", kXintian, "431128-scjgj");
  // C1 and C6 were taken in at window 431128-W01 (the cases record it): C1 rated, C6 not.
  ASSERT_TRUE(db_->Transaction(store::TxKind::kWrite,
                               [](soci::session& sql) -> Status {
                                 sql << "UPDATE case_record SET window_code = '431128-W01' "
                                        "WHERE number IN ('C1', 'C6')";
                                 return Ok();
                               })
                  .ok());
  ASSERT_TRUE(service_->RateCase(citizen_, "C1", Rating(Level::kVerySatisfied)).ok());
  ASSERT_TRUE(service_->RateCase(citizen_, "C2", Rating(Level::kSatisfied)).ok());
  ASSERT_TRUE(service_->RateCase(citizen_, "C3", Rating(Level::kBasicallySatisfied)).ok());
  auto bad = service_->RateCase(citizen_, "C4", Rating(Level::kDissatisfied));
  ASSERT_TRUE(bad.ok());
  ASSERT_TRUE(
      service_->RecordCallback(head_, bad->rectification_id, CallbackOutcome::kConfirmed, "").ok());
  ASSERT_TRUE(service_->RateCase(citizen_, "C5", Rating(Level::kVeryDissatisfied)).ok());
  // C6 and S1 are unrated.
  auto stats = service_->ComputeStatistics({.by = Dimension::kDepartment, .region = kXintian});
  ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  ASSERT_EQ(stats->rows.size(), 2u);
  const StatisticsRow& rsj = stats->rows[0];
  EXPECT_EQ(rsj.key, kRsj);
  EXPECT_EQ(rsj.rated, 5);
  EXPECT_EQ(rsj.good, 3);
  EXPECT_EQ(rsj.bad, 2);
  EXPECT_EQ(rsj.unrated, 1);
  EXPECT_DOUBLE_EQ(*rsj.good_rate, 0.6);
  EXPECT_EQ(rsj.named_bad, 2);
  EXPECT_EQ(rsj.called_back, 1);
  EXPECT_DOUBLE_EQ(*rsj.callback_rate, 0.5);
  EXPECT_DOUBLE_EQ(*rsj.rectification_rate, 0.0);
  EXPECT_EQ(stats->rows[1].key, "431128-scjgj");
  EXPECT_EQ(stats->rows[1].unrated, 1);
  EXPECT_FALSE(stats->rows[1].good_rate.has_value());  // unrated is never good
  EXPECT_EQ(stats->total.rated, 5);
  EXPECT_EQ(stats->total.unrated, 2);
  // Elsewhere and before: nothing.
  EXPECT_TRUE(service_->ComputeStatistics({.region = kLiuyang})->rows.empty());
  EXPECT_TRUE(service_->ComputeStatistics({.to = *Date::Parse("2026-11-25")})->rows.empty());
  auto by_window = service_->ComputeStatistics({.by = Dimension::kWindow});
  ASSERT_TRUE(by_window.ok());
  ASSERT_EQ(by_window->rows.size(), 1u);  // the online-only cases have no window
  EXPECT_EQ(by_window->rows[0].key, "431128-W01");
  EXPECT_EQ(by_window->rows[0].rated, 1);
  EXPECT_EQ(by_window->rows[0].unrated, 1);
  auto by_matter = service_->ComputeStatistics({.by = Dimension::kMatter});
  ASSERT_EQ(by_matter->rows.size(), 1u);
  EXPECT_EQ(by_matter->rows[0].key, kMatter);
  EXPECT_EQ(service_->ComputeStatistics({.region = "43x"}).error().code(),
            ErrorCode::kInvalidArgument);
}

TEST(StatisticsPeriod, WholeMonthsFromMonthRowsPartialMonthsFromDayRows) {
  auto d = [](const char* text) { return *Date::Parse(text); };
  PeriodSplit cut = SplitPeriod(d("2026-11-15"), d("2027-02-10"));
  ASSERT_TRUE(cut.months.has_value());
  EXPECT_EQ(cut.months->first, "2026-12");
  EXPECT_EQ(cut.months->second, "2027-01");
  ASSERT_EQ(cut.days.size(), 2u);
  EXPECT_EQ(cut.days[0], std::make_pair(std::string("2026-11-15"), std::string("2026-11-30")));
  EXPECT_EQ(cut.days[1], std::make_pair(std::string("2027-02-01"), std::string("2027-02-10")));
  PeriodSplit whole = SplitPeriod(d("2026-12-01"), d("2027-02-28"));
  ASSERT_TRUE(whole.months.has_value());
  EXPECT_EQ(whole.months->second, "2027-02");
  EXPECT_TRUE(whole.days.empty());
  PeriodSplit inside = SplitPeriod(d("2026-12-02"), d("2026-12-31"));
  EXPECT_FALSE(inside.months.has_value());  // no whole month: all from the day rows
  PeriodSplit open = SplitPeriod(std::nullopt, d("2026-12-30"));
  ASSERT_TRUE(open.months.has_value());
  EXPECT_EQ(open.months->first, "0000-00");
  EXPECT_EQ(open.months->second, "2026-11");
  ASSERT_EQ(open.days.size(), 1u);
  EXPECT_EQ(open.days[0].first, "2026-12-01");
  PeriodSplit leap = SplitPeriod(d("2028-02-01"), d("2028-02-29"));
  ASSERT_TRUE(leap.months.has_value());
  EXPECT_EQ(leap.months->first, "2028-02");
  EXPECT_TRUE(leap.days.empty());
}

// Statistics read from the month and day rows equal a direct count over the ratings and their
// rectification items, for periods that cut months, whole months and days within one month, by
// every dimension; and again after the set-based rebuild.
TEST_P(EvaluationTest, PreAggregatedStatisticsEqualADirectCountForPeriodsThatCutMonths) {
  if (!service_) return;
  const char* kDepartments[] = {kRsj, "431128-scjgj"};
  std::vector<std::string> bad_items;
  for (int i = 0; i < 30; ++i) {
    const std::string number = "P" + std::to_string(i);
    AddCase(number, "concluded", kXintian, kDepartments[i % 2]);
    if (i % 3 == 0) {
      ASSERT_TRUE(db_->Transaction(store::TxKind::kWrite,
                                   [&](soci::session& sql) -> Status {
                                     sql << "UPDATE case_record SET window_code = '431128-W0" +
                                                std::to_string(1 + i % 2) + "', matter_code = 'M" +
                                                std::to_string(i % 4) + "' WHERE number = '" +
                                                number + "'";
                                     return Ok();
                                   })
                      .ok());
    }
    const Level level = static_cast<Level>(i % kLevelCount);
    auto rated = service_->RateCase(citizen_, number, Rating(level));
    ASSERT_TRUE(rated.ok()) << rated.error().ToString();
    if (!rated->rectification_id.empty()) bad_items.push_back(rated->rectification_id);
    // 4 days and 7 hours apart: about four months, rated at every hour of the day.
    clock_.Advance(std::chrono::hours(4 * 24 + 7));
  }
  ASSERT_GE(bad_items.size(), 8u);
  // Bad ratings: P3, P9, … of 431128-scjgj; P4, P8, … of 431128-rsj (head_'s department).
  auto step = [](const Result<Rectification>& r) { EXPECT_TRUE(r.ok()) << r.error().ToString(); };
  step(service_->RecordCallback(head_, bad_items[1], CallbackOutcome::kConfirmed, ""));
  step(service_->Rectify(head_, bad_items[1], "已整改"));
  step(service_->RecordCallback(head_, bad_items[2], CallbackOutcome::kConfirmed, ""));
  step(service_->Appeal(other_head_, bad_items[3], "误评"));
  step(service_->Review(supervisor_, bad_items[3], ReviewDecision::kVoid, "误评"));
  EXPECT_GT(Count("SELECT COUNT(DISTINCT month) FROM evaluation_stat_month"), 3);

  // The direct count: every rating with its item, summed per key and level for a period.
  struct Source {
    long long created = 0, voided = 0, named = 0, callback = 0;
    std::string department, window, matter, region, level, state;
  };
  std::vector<Source> sources;
  ASSERT_TRUE(db_->Transaction(
                     store::TxKind::kRead,
                     [&](soci::session& sql) -> Status {
                       Source x;
                       soci::statement st =
                           (sql.prepare << "SELECT e.created_at, e.voided, COALESCE(r.named, 0), "
                                           "COALESCE(r.callback_at, 0), e.department_code, "
                                           "e.window_code, e.matter_code, e.region_code, e.level, "
                                           "COALESCE(r.state, '') FROM evaluation e LEFT JOIN "
                                           "rectification r ON r.evaluation_id = e.id",
                            soci::into(x.created), soci::into(x.voided), soci::into(x.named),
                            soci::into(x.callback), soci::into(x.department), soci::into(x.window),
                            soci::into(x.matter), soci::into(x.region), soci::into(x.level),
                            soci::into(x.state));
                       st.execute();
                       while (st.fetch()) sources.push_back(x);
                       return Ok();
                     })
                  .ok());
  ASSERT_EQ(sources.size(), 30u);
  auto direct = [&](Dimension by, std::optional<Date> from, std::optional<Date> to) {
    std::map<std::string, StatisticsRow> rows;
    for (const Source& x : sources) {
      const Date day = DateInChina(people::FromEpochMs(x.created));
      if ((from && day < *from) || (to && day > *to)) continue;
      const std::string& key = by == Dimension::kDepartment ? x.department
                               : by == Dimension::kWindow   ? x.window
                               : by == Dimension::kMatter   ? x.matter
                                                            : x.region;
      if (by == Dimension::kWindow && key.empty()) continue;
      StatisticsRow& r = rows[key];
      const Level level = *ParseLevel(x.level);
      if (x.voided == 0) {
        ++r.rated;
        ++r.by_level[static_cast<size_t>(level)];
        ++(IsGood(level) ? r.good : r.bad);
      }
      if (!x.state.empty() && x.state != "voided") {
        if (x.state == "rectified" || x.state == "explained") ++r.rectified;
        if (x.named != 0) ++r.named_bad;
        if (x.named != 0 && x.callback > 0) ++r.called_back;
      }
    }
    return rows;
  };
  auto d = [](const char* text) { return std::optional<Date>(*Date::Parse(text)); };
  const std::vector<std::pair<std::optional<Date>, std::optional<Date>>> periods = {
      {d("2026-11-28"), d("2027-01-10")},  // cuts two months around a whole one
      {d("2026-12-01"), d("2026-12-31")},  // one whole month
      {d("2026-12-05"), d("2026-12-20")},  // days within one month
      {d("2026-11-26"), d("2027-02-28")},  // a partial month, then whole months
      {std::nullopt, d("2027-01-15")},    {d("2027-01-02"), std::nullopt},
      {std::nullopt, std::nullopt}};
  auto compare = [&](const char* when) {
    for (Dimension by :
         {Dimension::kDepartment, Dimension::kWindow, Dimension::kMatter, Dimension::kRegion}) {
      for (const auto& [from, to] : periods) {
        SCOPED_TRACE(fmt::format("{}: by {} from {} to {}", when, DimensionName(by),
                                 from ? from->ToString() : "-", to ? to->ToString() : "-"));
        auto stats = service_->ComputeStatistics({.by = by, .from = from, .to = to});
        ASSERT_TRUE(stats.ok()) << stats.error().ToString();
        std::map<std::string, StatisticsRow> expected = direct(by, from, to);
        std::erase_if(expected, [](const auto& kv) { return kv.second.rated == 0; });
        std::vector<std::string> got_keys, want_keys;
        for (const StatisticsRow& r : stats->rows) {
          if (r.rated > 0) got_keys.push_back(r.key);
        }
        for (const auto& [k, r] : expected) want_keys.push_back(k);
        EXPECT_EQ(got_keys, want_keys);
        for (const StatisticsRow& r : stats->rows) {
          const StatisticsRow& want = expected[r.key];
          EXPECT_EQ(r.rated, want.rated) << r.key;
          EXPECT_EQ(r.good, want.good) << r.key;
          EXPECT_EQ(r.by_level, want.by_level) << r.key;
          EXPECT_EQ(r.rectified, want.rectified) << r.key;
          EXPECT_EQ(r.named_bad, want.named_bad) << r.key;
          EXPECT_EQ(r.called_back, want.called_back) << r.key;
        }
      }
    }
  };
  compare("kept");
  // A whole month is not empty and the cut periods really split: the figures are not trivial.
  auto december = service_->ComputeStatistics({.from = d("2026-12-01"), .to = d("2026-12-31")});
  ASSERT_TRUE(december.ok());
  EXPECT_GE(december->total.rated, 6);
  const long long months_before =
      Count("SELECT COUNT(*) FROM evaluation_stat_month WHERE rated <> 0 OR rectifications <> 0");
  auto rebuilt = service_->RebuildStatistics();
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.error().ToString();
  EXPECT_EQ(*rebuilt, 30);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM evaluation_stat_month"), months_before);  // none empty
  compare("rebuilt");
}

TEST(RegionLimits, ParseEveryEntryAndNameTheBadOnes) {
  std::vector<RegionLimit> limits;
  int fallback = 15;
  ASSERT_TRUE(ParseRegionLimits("431128:5,430181:7,*:10", limits, fallback).ok());
  ASSERT_EQ(limits.size(), 2u);
  EXPECT_EQ(limits[1].region, "430181");
  EXPECT_EQ(limits[1].working_days, 7);
  EXPECT_EQ(fallback, 10);
  auto bad = ParseRegionLimits("4311:5,431128:x,431128:70,*:3", limits, fallback);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(Fields(bad.error()),
            (std::vector<std::string>{"rectification_limits/0", "rectification_limits/1",
                                      "rectification_limits/2"}));
  EXPECT_EQ(fallback, 10);  // unchanged on error
  EXPECT_EQ(limits.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, EvaluationTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::evaluation
