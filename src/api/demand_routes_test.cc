// The demand routes over a real server on port 0 with the demo people's logins: an agent's
// portal demand and an operator's hotline report, commissioners assigned, dispatch, sign-for,
// return and arbitration, closure, callback, the hidden reporter, statistics, and refusals
// answered as problem+json naming the field.
#include "api/demand_routes.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "api/route_test_fixture.h"
#include "people/demo.h"
#include "people/repository.h"
#include "people/timestamp.h"
#include "store/testing.h"
#include "trace/trace.h"

namespace tongban::api {
namespace {

using nlohmann::json;

constexpr char kUscc[] = "91431128MA4L0A019K";

class DemandRoutesTest : public RouteTestFixture {
 protected:
  void SetUp() override {
    std::vector<store::MigrationSet> sets;
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*demands::Migrations());
    ASSERT_NO_FATAL_FAILURE(OpenDatabase(sets));
    const int64_t now = *people::ParseTimestamp("2026-11-26T09:00:00+08:00");
    clock_.Set(Timestamp(std::chrono::milliseconds(now)));
    auto loaded = people::LoadDemoPeople(*db_, people::DemoPeopleYaml(), now - 86400000);
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
    ASSERT_NO_FATAL_FAILURE(CreatePeople(clock_, people::PeopleOptions{}));
    calendar_ = Calendar::WithEmbeddedSchedules();
    demands_ = *demands::DemandService::Create(
        *db_, {.clock = &clock_, .calendar = calendar_.get(), .sms = &sms_});
    ASSERT_NO_FATAL_FAILURE(
        StartServer([this](Server& server) { RegisterDemandRoutes(server, *demands_, *auth_); }));
  }

  // The demo people's password.
  std::string Login(const json& credentials) {
    json body = credentials;
    body["password"] = "tongban-demo";
    return RouteTestFixture::Login(body);
  }
  std::string Staff(const std::string& username) { return Login({{"username", username}}); }
  static std::string FirstField(const Answer& a) {
    if (!a.body.contains("errors") || a.body["errors"].empty()) return "";
    return a.body["errors"][0].value("field", "");
  }

  FakeClock clock_{Timestamp{}};
  std::unique_ptr<Calendar> calendar_;
  std::unique_ptr<demands::DemandService> demands_;
};

TEST_F(DemandRoutesTest, DemandsAreTakenInDispatchedHandledClosedAndCalledBack) {
  const std::string agent = Login({{"id_number", "431128199001010379"}});
  const std::string operator_token = Staff("xintian.hotline_operator");
  const std::string arbiter = Staff("xintian.demand_arbiter");
  const std::string commissioner = Staff("xintian.service_commissioner");
  const std::string head = Staff("xintian.department_head");

  const json demand = {{"channel", "portal"},   {"class", "help"},
                       {"urgency", "ordinary"}, {"uscc", kUscc},
                       {"title", "用电报装"},   {"text", "企业用电报装时间太长，希望加快办理"}};
  EXPECT_EQ(Send("POST", "/api/v1/demands", demand, "").status, 401);
  json bad = demand;
  bad["class"] = "gossip";
  Answer refused = Send("POST", "/api/v1/demands", bad, agent);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(FirstField(refused), "class") << refused.body.dump();
  Answer created = Send("POST", "/api/v1/demands", demand, agent);
  ASSERT_EQ(created.status, 201) << created.body.dump();
  const std::string id = created.body["id"];
  EXPECT_EQ(created.body["state"], "received");
  EXPECT_EQ(created.body["limit_days"], 5);
  EXPECT_TRUE(created.body["duplicates"].empty());

  json report = {{"channel", "hotline"},    {"class", "举报"},
                 {"urgency", "一般"},       {"region", "431128"},
                 {"title", "举报欠薪"},     {"text", "某工地拖欠农民工工资"},
                 {"caller_name", "王女士"}, {"caller_phone", "13900000001"}};
  EXPECT_EQ(Send("POST", "/api/v1/demands", report, agent).status, 403);
  Answer reported = Send("POST", "/api/v1/demands", report, operator_token);
  ASSERT_EQ(reported.status, 201) << reported.body.dump();
  const std::string report_id = reported.body["id"];
  EXPECT_EQ(reported.body["class"], "report");

  // The agent lists its own demands only.
  Answer mine = Send("GET", "/api/v1/demands", nullptr, agent);
  ASSERT_EQ(mine.status, 200);
  ASSERT_EQ(mine.body["items"].size(), 1u);
  EXPECT_EQ(mine.body["items"][0]["id"], id);

  // The arbiter assigns the commissioner; the enterprise's agent sees who it is.
  Answer assigned = Send("PUT", std::string("/api/v1/enterprises/") + kUscc + "/commissioners",
                         {{"accounts", {"xintian.service_commissioner"}}}, arbiter);
  ASSERT_EQ(assigned.status, 200) << assigned.body.dump();
  EXPECT_EQ(Send("PUT", std::string("/api/v1/enterprises/") + kUscc + "/liaisons",
                 {{"accounts", {"xintian.nobody"}}}, arbiter)
                .status,
            400);
  Answer contacts =
      Send("GET", std::string("/api/v1/enterprises/") + kUscc + "/commissioners", nullptr, agent);
  ASSERT_EQ(contacts.status, 200);
  ASSERT_EQ(contacts.body["items"].size(), 1u);
  const std::string commissioner_id = contacts.body["items"][0]["account_id"];
  Answer serves =
      Send("GET", "/api/v1/accounts/" + commissioner_id + "/enterprises", nullptr, commissioner);
  ASSERT_EQ(serves.status, 200);
  EXPECT_EQ(serves.body["items"][0]["uscc"], kUscc);

  Answer order = Send("POST", "/api/v1/demands/" + id + "/dispatch", {{"receiver", "commissioner"}},
                      operator_token);
  ASSERT_EQ(order.status, 200) << order.body.dump();
  EXPECT_EQ(order.body["assignee"], commissioner_id);
  EXPECT_EQ(order.body["sign_due"], "2026-11-26T03:00:00Z");
  Answer other = Send("POST", "/api/v1/demands/" + id + "/sign", nullptr, head);
  EXPECT_EQ(other.status, 403);
  ASSERT_EQ(Send("POST", "/api/v1/demands/" + id + "/sign", nullptr, commissioner).status, 200);
  Answer twice = Send("POST", "/api/v1/demands/" + id + "/sign", nullptr, commissioner);
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(FirstField(twice), "state");
  Answer no_answer = Send("POST", "/api/v1/demands/" + id + "/close", nullptr, commissioner);
  EXPECT_EQ(no_answer.status, 400);
  EXPECT_EQ(FirstField(no_answer), "answer");
  ASSERT_EQ(
      Send("POST", "/api/v1/demands/" + id + "/close", {{"answer", "已协调供电公司"}}, commissioner)
          .status,
      200);
  Answer called =
      Send("POST", "/api/v1/demands/" + id + "/callback", {{"satisfied", true}}, operator_token);
  ASSERT_EQ(called.status, 200) << called.body.dump();
  EXPECT_EQ(called.body["state"], "finished");

  // The report goes to 人社局, whose head never sees the reporter; a return needs a reason and
  // goes to the arbiter.
  ASSERT_EQ(Send("POST", "/api/v1/demands/" + report_id + "/dispatch",
                 {{"department", "431128-rsj"}}, operator_token)
                .status,
            200);
  Answer seen = Send("GET", "/api/v1/demands/" + report_id, nullptr, head);
  ASSERT_EQ(seen.status, 200) << seen.body.dump();
  EXPECT_TRUE(seen.body["reporter_hidden"].get<bool>());
  EXPECT_TRUE(seen.body["caller_phone"].is_null());
  EXPECT_TRUE(seen.body["steps"][0]["actor"].is_null());
  EXPECT_EQ(
      Send("GET", "/api/v1/demands/" + report_id, nullptr, operator_token).body["caller_phone"],
      "13900000001");
  Answer no_reason = Send("POST", "/api/v1/demands/" + report_id + "/return", nullptr, head);
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_EQ(FirstField(no_reason), "reason");
  ASSERT_EQ(Send("POST", "/api/v1/demands/" + report_id + "/return",
                 {{"reason", "欠薪属劳动监察大队"}}, head)
                .status,
            200);
  Answer arbitrated =
      Send("POST", "/api/v1/demands/" + report_id + "/arbitrate",
           {{"department", "431128-rsj"}, {"note", "劳动监察大队属人社局"}}, arbiter);
  ASSERT_EQ(arbitrated.status, 200) << arbitrated.body.dump();
  EXPECT_TRUE(arbitrated.body["arbitrated"].get<bool>());
  Answer dups = Send("GET", "/api/v1/demands/" + id + "/duplicates", nullptr, operator_token);
  ASSERT_EQ(dups.status, 200);
  EXPECT_TRUE(dups.body["items"].empty());

  Answer stats =
      Send("GET", "/api/v1/demand-statistics?region=431128&from=2026-11-01&to=2026-11-30", nullptr,
           head);
  ASSERT_EQ(stats.status, 200) << stats.body.dump();
  EXPECT_EQ(stats.body["items"][0]["receiver"], "total");
  EXPECT_EQ(stats.body["items"][0]["received"], 2);  // the returned order is not counted
  EXPECT_EQ(stats.body["items"][0]["closed"], 1);
  EXPECT_EQ(stats.body["items"][0]["satisfied"], 1);
  EXPECT_EQ(Send("GET", "/api/v1/demand-statistics?region=431128", nullptr, head).status, 400);
}

}  // namespace
}  // namespace tongban::api
