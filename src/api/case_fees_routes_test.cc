// The fees, payment, notices, delivery and termination routes over a real server on port 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <thread>

#include "api/case_routes.h"
#include "api/people_routes.h"
#include "cases/testing.h"
#include "catalog/repository.h"
#include "keys/key_store.h"
#include "people/clock.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "store/testing.h"

namespace tongban {
extern const EmbeddedFile kCaseApiTestData[];
extern const size_t kCaseApiTestData_count;
}  // namespace tongban

namespace tongban::api {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPassword[] = "s3cret-pass";
constexpr char kMatter[] = "11431128MB1234562L000172003000001";

std::string CatalogWithFee() {
  std::string yaml(kCaseApiTestData[0].contents);
  const std::string anchor = "    promised_limit: {value: 5, unit: working_days}\n";
  yaml.replace(
      yaml.find(anchor), anchor.size(),
      anchor + "    fees:\n      - {name: 工本费, amount_fen: 1000, basis: 《收费标准》}\n");
  return yaml;
}

class CaseFeesRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(store::Backend::kSqlite);
    ASSERT_TRUE(temp_);
    db_ = temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(*regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*catalog::CatalogMigrations());
    sets.push_back(keys::KeysMigrations());
    sets.push_back(*cases::CaseMigrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    ASSERT_TRUE(db_->Migrate(ptrs).ok());
    people::PeopleOptions po;
    po.password = people::PasswordOptions::Cheap();
    people_ = *people::PeopleService::Create(*db_, sms_, clock_, po);
    ASSERT_TRUE(people_->SeedRoles().ok());
    catalog_ = *catalog::CatalogService::Create(*db_, {.clock = &clock_, .observer = nullptr});
    ASSERT_TRUE(catalog_->ImportYaml(CatalogWithFee(), {.publish = true}).ok());
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    dir_ = ::testing::TempDir() + "/case-fees-routes-" + std::to_string(::getpid());
    seal_keys_ = cases::testing::MakeSealKeys(*db_, clock_);
    cases_ = *cases::CaseService::Create(
        *db_, *catalog_, *people_, *trace_,
        {.clock = &clock_, .data_dir = dir_, .sms = &sms_, .keys = seal_keys_->store.get()});
    auth_ = std::make_unique<Auth>(*people_);
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<Server>(options);
    RegisterPeopleRoutes(*server_, *people_, *auth_, {.sms_outbox = &sms_});
    RegisterCaseRoutes(*server_, *cases_, *auth_);
    RegisterPaymentSimulatorRoutes(*server_, *cases_);
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok());
    thread_ = std::thread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    clerk_ = Staff("xintian.clerk", "window_clerk");
    approver_ = Staff("xintian.approver", "approver");
    citizen_ = RegisterCitizen("431128199001010037", "李志强", "13800000003");
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    std::filesystem::remove_all(dir_);
  }

  struct Answer {
    int status = 0;
    json body;
  };
  Answer Send(const std::string& method, const std::string& path, const std::string& body,
              const std::string& token, httplib::Headers headers = {},
              const std::string& type = "application/json") {
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    httplib::Result r =
        method == "GET" ? client_->Get(path, headers) : client_->Post(path, headers, body, type);
    Answer a;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no answer";
      return a;
    }
    a.status = r->status;
    if (!r->body.empty()) a.body = json::parse(r->body, nullptr, false);
    return a;
  }
  Answer Post(const std::string& path, const json& body, const std::string& token) {
    return Send("POST", path, body.dump(), token);
  }
  Answer Get(const std::string& path, const std::string& token) {
    return Send("GET", path, "", token);
  }
  std::string Staff(const std::string& username, const std::string& role) {
    auto a = people_->BootstrapStaffAccount(
        {.username = username, .name = "测试", .password = kPassword, .region = "431128"},
        {{.role = role, .scope = {.region = "431128"}}});
    EXPECT_TRUE(a.ok()) << a.error().ToString();
    return Post("/api/v1/sessions", {{"username", username}, {"password", kPassword}}, "")
        .body.value("token", "");
  }
  std::string RegisterCitizen(const std::string& id_number, const std::string& name,
                              const std::string& phone) {
    EXPECT_EQ(Post("/api/v1/sms-codes", {{"phone", phone}, {"purpose", "register"}}, "").status,
              202);
    EXPECT_EQ(Post("/api/v1/citizens",
                   {{"id_number", id_number},
                    {"name", name},
                    {"phone", phone},
                    {"code", *sms_.LatestCode(phone)},
                    {"password", kPassword}},
                   "")
                  .status,
              201);
    return Post("/api/v1/sessions", {{"id_number", id_number}, {"password", kPassword}}, "")
        .body.value("token", "");
  }
  // A case submitted with every material and accepted; approved when `approve`.
  std::string Accepted(bool approve) {
    Answer s =
        Post("/api/v1/cases",
             {{"matter", kMatter},
              {"channel", "online"},
              {"form", {{"venue_name", "龙泉宾馆"}, {"area_m2", 120.5}, {"venue_kind", "宾馆"}}},
              {"materials",
               {{{"name", "营业执照"},
                 {"state", "provided"},
                 {"origin", "licence"},
                 {"reference", "L-1"}},
                {{"name", "卫生管理制度"}, {"state", "supply_later"}, {"due_on", "2026-11-30"}},
                {{"name", "卫生检测报告"}, {"state", "proof_waived"}}}}},
             citizen_);
    EXPECT_EQ(s.status, 201) << s.body.dump();
    std::string number = s.body.value("number", "");
    EXPECT_EQ(Post("/api/v1/cases/" + number + "/accept", json::object(), clerk_).status, 200);
    if (approve) {
      EXPECT_EQ(Post("/api/v1/cases/" + number + "/approve", json::object(), approver_).status,
                200);
    }
    return number;
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9)};
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<cases::testing::SealKeys> seal_keys_;  // outlives cases_
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  std::string dir_, clerk_, approver_, citizen_;
};

TEST_F(CaseFeesRoutesTest, PayThroughTheSignedCallbackThenDeliverByMail) {
  const std::string number = Accepted(true);
  const std::string base = "/api/v1/cases/" + number;
  Answer fees = Get(base + "/fees", citizen_);
  EXPECT_EQ(fees.status, 200);
  EXPECT_EQ(fees.body["total_fen"], 1000);
  Answer order = Get(base + "/payment", citizen_);
  ASSERT_EQ(order.status, 200) << order.body.dump();
  EXPECT_EQ(order.body["state"], "due");
  const std::string id = order.body["id"];
  // Delivery waits for the payment.
  Answer early = Post(base + "/delivery", {{"method", "window"}}, clerk_);
  EXPECT_EQ(early.status, 422) << early.body.dump();
  // The callback: the wrong type, a bad signature, then the real one twice (one effect).
  cases::PaymentCallback paid = cases_->SimulatedPayments()->Pay(id, 1000);
  EXPECT_EQ(Send("POST", "/api/v1/payment-notifications", paid.body, "",
                 {{"X-Payment-Signature", paid.signature}}, "text/plain")
                .status,
            415);
  EXPECT_EQ(Send("POST", "/api/v1/payment-notifications", paid.body, "",
                 {{"X-Payment-Signature", std::string(64, '0')}})
                .status,
            401);
  for (int i = 0; i < 2; ++i) {
    Answer ok = Send("POST", "/api/v1/payment-notifications", paid.body, "",
                     {{"X-Payment-Signature", paid.signature}});
    EXPECT_EQ(ok.status, 200) << ok.body.dump();
    EXPECT_EQ(ok.body["state"], "paid");
  }
  // Bad delivery requests name their fields; then the parcel is booked.
  Answer bad = Post(base + "/delivery", {{"method", "pigeon"}, {"colour", "red"}}, clerk_);
  EXPECT_EQ(bad.status, 400);
  Answer mailed =
      Post(base + "/delivery", {{"method", "mail"}, {"address", "新田县龙泉镇新华路1号"}}, clerk_);
  ASSERT_EQ(mailed.status, 200) << mailed.body.dump();
  EXPECT_EQ(mailed.body["tracking_number"], "SIM0000000001");
  EXPECT_EQ(mailed.body["due_on"], "2026-12-10");
  EXPECT_EQ(Get(base + "/delivery", citizen_).body["method"], "mail");
  EXPECT_EQ(Post(base + "/delivery", {{"method", "window"}}, clerk_).status, 409);
  // The applicant's notices, newest first; read one.
  Answer notices = Get("/api/v1/me/notices", citizen_);
  ASSERT_EQ(notices.status, 200) << notices.body.dump();
  std::vector<std::string> kinds;
  for (const json& n : notices.body["items"]) kinds.push_back(n["kind"]);
  EXPECT_THAT(kinds, ElementsAre("delivered", "paid", "approved", "payment_due", "accepted"));
  EXPECT_THAT(sms_.Outbox("13800000003", 1)[0].text, HasSubstr("SIM0000000001"));
  const std::string first = notices.body["items"][0]["id"];
  EXPECT_EQ(Post("/api/v1/me/notices/" + first + "/read", json::object(), approver_).status, 404);
  EXPECT_EQ(Post("/api/v1/me/notices/" + first + "/read", json::object(), citizen_).status, 204);
  EXPECT_EQ(Get("/api/v1/me/notices?unread=true", citizen_).body["items"].size(), 4u);
  EXPECT_EQ(Get("/api/v1/me/notices?limit=x", citizen_).status, 400);
}

// The demo's cashier: what it pays goes through the signed callback, so a wrong amount is
// refused as the platform's would be, and a failed payment leaves the order unpaid.
TEST_F(CaseFeesRoutesTest, PayThroughTheDemoCashier) {
  const std::string number = Accepted(true);
  Answer order = Get("/api/v1/cases/" + number + "/payment", citizen_);
  ASSERT_EQ(order.status, 200) << order.body.dump();
  const std::string cashier =
      "/api/v1/dev/payment-simulator/payments/" + order.body["id"].get<std::string>();
  Answer bad = Post(cashier, {{"outcome", "maybe"}}, "");
  EXPECT_EQ(bad.status, 400);
  std::vector<std::string> fields;
  for (const json& e : bad.body["errors"]) fields.push_back(e["field"]);
  EXPECT_THAT(fields, ::testing::UnorderedElementsAre("amount_fen", "outcome"));
  Answer wrong = Post(cashier, {{"amount_fen", 1}}, "");
  EXPECT_NE(wrong.status, 200);
  EXPECT_EQ(wrong.body["errors"][0]["field"], "amount_fen") << wrong.body.dump();
  Answer failed = Post(cashier, {{"amount_fen", 1000}, {"outcome", "failed"}}, "");
  ASSERT_EQ(failed.status, 200) << failed.body.dump();
  EXPECT_EQ(failed.body["state"], "failed");
  Answer paid = Post(cashier, {{"amount_fen", 1000}}, "");
  ASSERT_EQ(paid.status, 200) << paid.body.dump();
  EXPECT_EQ(paid.body["state"], "paid");
  EXPECT_EQ(Get("/api/v1/cases/" + number + "/payment", citizen_).body["state"], "paid");
  EXPECT_EQ(
      Post("/api/v1/dev/payment-simulator/payments/nothing", {{"amount_fen", 1000}}, "").status,
      404);
}

TEST_F(CaseFeesRoutesTest, WaiveFeesAndTerminateAnOverdueCase) {
  const std::string approved = Accepted(true);
  EXPECT_EQ(Post("/api/v1/cases/" + approved + "/payment/waiver", json::object(), approver_).status,
            400);
  Answer waived =
      Post("/api/v1/cases/" + approved + "/payment/waiver", {{"reason", "低保户"}}, approver_);
  ASSERT_EQ(waived.status, 200) << waived.body.dump();
  EXPECT_EQ(waived.body["state"], "waived");
  EXPECT_EQ(
      Post("/api/v1/cases/" + approved + "/delivery", {{"method", "electronic"}}, clerk_).status,
      200);
  const std::string number = Accepted(false);
  EXPECT_EQ(Get("/api/v1/supervision/overdue-gaps", citizen_).status, 403);
  EXPECT_TRUE(Get("/api/v1/supervision/overdue-gaps", clerk_).body["items"].empty());
  clock_.Advance(std::chrono::hours(24 * 5));
  // Sessions end after the days passed: log in again.
  clerk_ = Post("/api/v1/sessions", {{"username", "xintian.clerk"}, {"password", kPassword}}, "")
               .body.value("token", "");
  Answer overdue = Get("/api/v1/supervision/overdue-gaps", clerk_);
  ASSERT_EQ(overdue.status, 200);
  ASSERT_EQ(overdue.body["items"].size(), 1u);
  EXPECT_EQ(overdue.body["items"][0]["number"], number);
  const std::string path = "/api/v1/cases/" + number + "/terminate";
  EXPECT_EQ(Post(path, {{"reason", "bored"}}, clerk_).status, 400);
  EXPECT_EQ(Send("POST", path, "reason=x", clerk_, {}, "text/plain").status, 415);
  Answer ended = Post(path, {{"reason", "gap_deadline_missed"}, {"note", "逾期未补"}}, clerk_);
  ASSERT_EQ(ended.status, 200) << ended.body.dump();
  EXPECT_EQ(ended.body["state"], "terminated");
  EXPECT_EQ(ended.body["documents"].back()["kind"], "termination_decision");
}

TEST_F(CaseFeesRoutesTest, AFalseCommitmentIsRevokedRecordedAndBarsTheNextGap) {
  const std::string number = Accepted(true);  // 卫生检测报告 replaced by a commitment
  const std::string base = "/api/v1/cases/" + number;
  Answer scheduled = Get(base + "/verification", citizen_);
  ASSERT_EQ(scheduled.status, 200) << scheduled.body.dump();
  EXPECT_EQ(scheduled.body["state"], "scheduled");
  EXPECT_EQ(scheduled.body["due_on"], "2027-01-25");
  EXPECT_EQ(Get("/api/v1/verifications", citizen_).status, 403);
  EXPECT_EQ(Get("/api/v1/verifications?department=431128-wjj", approver_).body["items"].size(), 1u);
  EXPECT_EQ(Post(base + "/verification", {{"finding", "maybe"}}, approver_).status, 400);
  Answer revoked = Post(base + "/verification",
                        {{"finding", "false_commitment"}, {"note", "检测报告系伪造"}}, approver_);
  ASSERT_EQ(revoked.status, 200) << revoked.body.dump();
  EXPECT_EQ(revoked.body["state"], "revoked");
  EXPECT_EQ(Get(base, citizen_).body["documents"].back()["kind"], "revocation_decision");
  // The applicant reads its own record; others need case.approve.
  Answer record = Get("/api/v1/credit/431128199001010037", citizen_);
  ASSERT_EQ(record.status, 200) << record.body.dump();
  ASSERT_EQ(record.body["items"].size(), 1u);
  EXPECT_EQ(record.body["items"][0]["kind"], "broken_commitment");
  EXPECT_EQ(record.body["items"][0]["serious"], true);
  EXPECT_EQ(Get("/api/v1/credit/11010519491231002X", citizen_).status, 403);
  const std::string entry = record.body["items"][0]["id"];
  Answer barred =
      Post("/api/v1/cases",
           {{"matter", kMatter},
            {"channel", "online"},
            {"form", {{"venue_name", "龙泉宾馆"}, {"area_m2", 120.5}, {"venue_kind", "宾馆"}}},
            {"materials", {{{"name", "卫生管理制度"}, {"state", "gap"}}}}},
           citizen_);
  EXPECT_EQ(barred.status, 422) << barred.body.dump();
  EXPECT_THAT(barred.body.dump(), HasSubstr(entry));
  EXPECT_EQ(Post("/api/v1/credit/" + entry + "/repair", json::object(), approver_).status, 400);
  Answer repaired =
      Post("/api/v1/credit/" + entry + "/repair", {{"note", "已纠正并公开承诺"}}, approver_);
  ASSERT_EQ(repaired.status, 200) << repaired.body.dump();
  EXPECT_EQ(repaired.body["active"], false);
  EXPECT_EQ(Post("/api/v1/credit", {{"kind", "rumour"}}, approver_).status, 400);
  Answer listed = Post("/api/v1/credit",
                       {{"applicant_code", "431128199001010037"},
                        {"kind", "dishonest"},
                        {"serious", true},
                        {"source", "最高人民法院"},
                        {"reason", "失信被执行人"}},
                       approver_);
  EXPECT_EQ(listed.status, 201) << listed.body.dump();
  EXPECT_EQ(Post("/api/v1/credit", listed.body, citizen_).status, 400);  // unknown fields
}

}  // namespace
}  // namespace tongban::api
