// The handling side of a cross-region case is a real case (issue 11, item 1): 浏阳市 forwards a
// proxy case to 新田县's installation, which opens it through CaseService (its own number and
// clock, in the acceptance queue, the carried materials scanned in) exactly once; the case's own
// steps go back to 浏阳 as messages; paper originals are a timed, supervised step. Two in-process
// installations with their own databases; the clock is fake; nothing sleeps. SQLite and PG.
#include "xregion/cases_bridge.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "base/clock.h"
#include "cases/testing.h"
#include "catalog/service.h"
#include "keys/key_store.h"
#include "people/service.h"
#include "people/sms.h"
#include "regions/region_import.h"
#include "registers/testing.h"
#include "store/testing.h"
#include "trace/trace.h"

namespace tongban {
extern const EmbeddedFile kBridgeCatalog[];
extern const size_t kBridgeCatalog_count;
}  // namespace tongban

namespace tongban::xregion {
namespace {

using registers::testing::Staff;

constexpr char kLiuyang[] = "430181";
constexpr char kXintian[] = "431128";
constexpr char kMatter[] = "11431128MB1234562L000172003000001";
constexpr char kPdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n";

// Hands each post straight to the receiver's Receive.
class Loopback : public Transport {
 public:
  PostAnswer Post(const std::string& base_url, const std::string& body) override {
    auto it = nodes.find(base_url);
    if (it == nodes.end()) return {.status = 0, .body = ""};
    auto r = it->second->Receive(body);
    if (r.ok()) return {.status = 200, .body = std::string(ReceiveStatusName(r->status))};
    return {.status = r.error().info().http_status, .body = r.error().ToString()};
  }
  std::map<std::string, Service*> nodes;
};

class CaseBridgeTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    home_temp_ = store::testing::TempDatabase::Create(GetParam());
    far_temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!home_temp_ || !far_temp_) GTEST_SKIP() << "no database for this backend";
    // 浏阳市: the exchange only.
    home_db_ = home_temp_->Open();
    auto set = Migrations();
    ASSERT_TRUE(set.ok()) << set.error().ToString();
    const store::MigrationSet* home_sets[] = {&*set};
    ASSERT_TRUE(home_db_->Migrate(home_sets).ok());
    home_ = *Service::Create(*home_db_, *crypto::Sm2Key::Generate(), {.clock = &clock_});
    // 新田县: the exchange and the cases.
    far_db_ = far_temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(*regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*catalog::CatalogMigrations());
    sets.push_back(keys::KeysMigrations());
    sets.push_back(*cases::CaseMigrations());
    sets.push_back(*set);
    std::vector<const store::MigrationSet*> ptrs;
    for (const auto& s : sets) ptrs.push_back(&s);
    auto migrated = far_db_->Migrate(ptrs);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    people::PeopleOptions po;
    po.password = people::PasswordOptions::Cheap();
    people_ = *people::PeopleService::Create(*far_db_, sms_, clock_, po);
    ASSERT_TRUE(people_->SeedRoles().ok());
    catalog_ = *catalog::CatalogService::Create(*far_db_, {.clock = &clock_, .observer = nullptr});
    auto imported =
        catalog_->ImportYaml(std::string(kBridgeCatalog[0].contents), {.publish = true});
    ASSERT_TRUE(imported.ok()) << imported.error().ToString();
    trace_ = std::make_unique<trace::Trace>(
        *far_db_, trace::Trace::Options{.now =
                                            [this] {
                                              return std::chrono::system_clock::time_point(
                                                  clock_.Now().time_since_epoch());
                                            },
                                        .signing_key = std::nullopt});
    dir_ = ::testing::TempDir() + "/xregion-bridge-" + std::to_string(::getpid()) + "-" +
           std::string(store::BackendName(GetParam()));
    seal_keys_ = cases::testing::MakeSealKeys(*far_db_, clock_);
    cases_ = *cases::CaseService::Create(
        *far_db_, *catalog_, *people_, *trace_,
        {.clock = &clock_, .data_dir = dir_, .keys = seal_keys_->store.get()});
    far_ = *Service::Create(*far_db_, *crypto::Sm2Key::Generate(), {.clock = &clock_});
    bridge_ = std::make_unique<CaseBridge>(*far_, *cases_, nullptr);
    cases_->SetObserver(bridge_.get());

    ASSERT_TRUE(home_->SetIdentity({.region = kLiuyang, .name = "浏阳市", .hub = false}).ok());
    ASSERT_TRUE(far_->SetIdentity({.region = kXintian, .name = "新田县", .hub = false}).ok());
    net_.nodes["http://home.test"] = home_.get();
    net_.nodes["http://far.test"] = far_.get();
    ASSERT_TRUE(home_
                    ->PutPartner({.region = kXintian,
                                  .name = "新田县",
                                  .base_url = "http://far.test",
                                  .public_key = *far_->key().PublicPem(),
                                  .hub = false,
                                  .via = ""})
                    .ok());
    ASSERT_TRUE(far_->PutPartner({.region = kLiuyang,
                                  .name = "浏阳市",
                                  .base_url = "http://home.test",
                                  .public_key = *home_->key().PublicPem(),
                                  .hub = false,
                                  .via = ""})
                    .ok());
    Status put = home_->PutAgreement(
        {.id = "ly-xt",
         .partner = kXintian,
         .mode = Mode::kProxy,
         .title = "浏阳—新田 异地代收代办",
         .matters = {{.matter = kMatter, .name = "公共场所卫生许可", .handling_region = kXintian},
                     {.matter = "NOT-IN-CATALOG",
                      .name = "目录外事项",
                      .handling_region = kXintian}},
         .originals_days = 3});
    ASSERT_TRUE(put.ok()) << put.error().ToString();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Delivers every due message both ways until nothing moves.
  void Pump() {
    for (int i = 0; i < 5; ++i) {
      auto a = home_->DeliverDue(net_);
      auto b = far_->DeliverDue(net_);
      ASSERT_TRUE(a.ok() && b.ok());
      if (a->delivered + b->delivered == 0) return;
    }
  }

  CrossCase Forward(const std::string& matter) {
    auto c = home_->Forward(
        {.mode = Mode::kProxy,
         .matter = matter,
         .applicant_name = "刘洋",
         .applicant_code = "430181199001011233",
         .form = {{"venue_name", "浏阳宾馆"}, {"area_m2", "120"}, {"venue_kind", "宾馆"}},
         .materials = {{.name = "营业执照", .bytes = kPdf},
                       {.name = "卫生管理制度", .bytes = kPdf},
                       {.name = "卫生检测报告", .bytes = kPdf}},
         .delivery = "mail",
         .actor = "clerk"});
    EXPECT_TRUE(c.ok()) << c.error().ToString();
    return c.ok() ? *c : CrossCase{};
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9)};
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> home_temp_, far_temp_;
  std::unique_ptr<store::Database> home_db_, far_db_;
  std::unique_ptr<Service> home_, far_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<cases::testing::SealKeys> seal_keys_;  // outlives cases_
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<CaseBridge> bridge_;
  std::string dir_;
  Loopback net_;
  people::Principal clerk_ = Staff("clerk", kXintian, {"case.accept", "case.read"});
  people::Principal approver_ = Staff("approver", kXintian, {"case.approve", "case.read"});
};

TEST_P(CaseBridgeTest, ProxyCaseIsARealCaseWhoseStepsFlowBack) {
  const CrossCase sent = Forward(kMatter);
  Pump();
  auto opened = bridge_->OpenPending();
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_EQ(*opened, 1);
  EXPECT_EQ(*bridge_->OpenPending(), 0);  // exactly once
  auto held = far_->Get(sent.ref);
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->role, Role::kHandling);
  EXPECT_EQ(held->receiving_region, kLiuyang);  // 收件地
  ASSERT_FALSE(held->case_number.empty());
  EXPECT_TRUE(held->case_number.starts_with(kXintian)) << held->case_number;
  // A case of this installation: in the clerk's acceptance queue, with the carried materials.
  auto c = cases_->Read(held->case_number);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->state, cases::CaseState::kSubmitted);
  EXPECT_EQ(c->matter, kMatter);
  EXPECT_EQ(c->applicant_name, "刘洋");
  for (const cases::CaseMaterial& m : c->materials) {
    EXPECT_EQ(m.state, cases::MaterialState::kProvided) << m.name;
  }
  auto queue = cases_->AcceptanceQueue(clerk_, kXintian, "", 20, "");
  ASSERT_TRUE(queue.ok()) << queue.error().ToString();
  ASSERT_EQ(queue->items.size(), 1u);
  EXPECT_EQ(queue->items[0].number, held->case_number);
  // The exchange's own steps are refused for it: its steps are the case's.
  auto direct = far_->Step(sent.ref, {.step = "accept", .note = "", .actor = "clerk"});
  ASSERT_FALSE(direct.ok());
  EXPECT_EQ(direct.error().code(), ErrorCode::kConflict);
  EXPECT_NE(direct.error().message().find(held->case_number), std::string::npos);

  // Accept, approve, conclude through CaseService: each goes back to 浏阳.
  auto accepted = cases_->Accept(clerk_, held->case_number, {});
  ASSERT_TRUE(accepted.ok()) << accepted.error().ToString();
  EXPECT_TRUE(accepted->clock.due_on.has_value());  // its own legal clock runs, by its calendar
  Pump();
  EXPECT_EQ(home_->Get(sent.ref)->state, "accepted");
  ASSERT_TRUE(cases_->Approve(approver_, held->case_number, {}).ok());
  Pump();
  auto home_view = home_->Get(sent.ref);
  EXPECT_EQ(home_view->state, "approved");
  EXPECT_EQ(home_view->result, "准予许可");
  ASSERT_TRUE(cases_->Conclude(approver_, held->case_number, {}).ok());
  Pump();
  home_view = home_->Get(sent.ref);
  auto far_view = far_->Get(sent.ref);
  EXPECT_EQ(home_view->state, "concluded");
  EXPECT_EQ(far_view->state, "concluded");
  // Both sides' timelines agree entry for entry.
  ASSERT_EQ(home_view->timeline.size(), far_view->timeline.size());
  ASSERT_EQ(home_view->timeline.size(), 4u);  // forwarded, accepted, approved, concluded
  for (size_t i = 0; i < home_view->timeline.size(); ++i) {
    EXPECT_EQ(home_view->timeline[i].id, far_view->timeline[i].id);
    EXPECT_EQ(home_view->timeline[i].kind, far_view->timeline[i].kind);
  }
  EXPECT_NE(home_view->timeline[1].note.find(held->case_number), std::string::npos);
}

TEST_P(CaseBridgeTest, AMatterNotInTheCatalogStaysAnExchangeRecordWithTheReason) {
  const CrossCase sent = Forward("NOT-IN-CATALOG");
  Pump();
  EXPECT_EQ(*bridge_->OpenPending(), 0);
  auto held = far_->Get(sent.ref);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->case_number.empty());
  EXPECT_NE(held->open_error.find("matter"), std::string::npos) << held->open_error;
  EXPECT_EQ(*bridge_->OpenPending(), 0);  // not tried again
  auto stepped = far_->Step(sent.ref, {.step = "accept", .note = "", .actor = "clerk"});
  ASSERT_TRUE(stepped.ok()) << stepped.error().ToString();
  Pump();
  EXPECT_EQ(home_->Get(sent.ref)->state, "accepted");
}

TEST_P(CaseBridgeTest, PaperOriginalsAreATimedSupervisedStep) {
  const CrossCase sent = Forward(kMatter);
  ASSERT_EQ(sent.originals_due_at_ms,
            sent.created_at_ms + int64_t{3} * 24 * 3600 * 1000);  // the agreement's 3 days
  Pump();
  EXPECT_EQ(far_->Get(sent.ref)->originals_due_at_ms, sent.originals_due_at_ms);
  EXPECT_TRUE(home_->OverdueOriginals()->empty());
  clock_.Advance(std::chrono::hours(24 * 3 + 1));
  auto overdue = home_->OverdueOriginals();
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].ref, sent.ref);
  // Mailing needs the tracking number; then the partner sees it and records receipt.
  auto untracked = home_->Step(sent.ref, {.step = "mail_originals", .note = "", .actor = "c"});
  ASSERT_FALSE(untracked.ok());
  ASSERT_EQ(untracked.error().fields().size(), 1u);
  EXPECT_EQ(untracked.error().fields()[0].field, "tracking_number");
  auto mailed = home_->Step(sent.ref, {.step = "mail_originals",
                                       .note = "原件寄送",
                                       .tracking_number = "EMS1234567890",
                                       .actor = "c"});
  ASSERT_TRUE(mailed.ok()) << mailed.error().ToString();
  EXPECT_TRUE(home_->OverdueOriginals()->empty());
  Pump();
  auto far_view = far_->Get(sent.ref);
  EXPECT_EQ(far_view->originals_tracking, "EMS1234567890");
  EXPECT_GT(far_view->originals_mailed_at_ms, 0);
  ASSERT_TRUE(
      far_->Step(sent.ref, {.step = "receive_originals", .note = "原件收到", .actor = "c"}).ok());
  auto again = far_->Step(sent.ref, {.step = "receive_originals", .note = "", .actor = "c"});
  EXPECT_FALSE(again.ok());
  Pump();
  EXPECT_GT(home_->Get(sent.ref)->originals_received_at_ms, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseBridgeTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::xregion
