// 好差评 over HTTP against the demo data set: the applicant rates its own ended case once, a
// visit is rated on the simulated device or by QR code and never by a clerk, the responsible
// department rectifies its bad ratings (nobody else may), the supervisor reviews appeals, and the
// public statistics carry the demo's ratings without personal data.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_server.h"

namespace tongban {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class EvaluationHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app::Config config;
    config.demo = true;
    server_ = testing::TestServer::Start(store::Backend::kSqlite, config);
    ASSERT_TRUE(server_ && server_->Run());
  }

  std::string Login(const json& credentials) {
    json body = credentials;
    body["password"] = "tongban-demo";
    auto res = server_->Client().Post("/api/v1/sessions", body.dump(), "application/json");
    EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
    return res ? json::parse(res->body).value("token", "") : "";
  }
  std::string Staff(const std::string& username) { return Login({{"username", username}}); }
  std::string Citizen(const std::string& id_number) { return Login({{"id_number", id_number}}); }

  json Call(const std::string& method, const std::string& path, const std::string& token,
            const json& body, int status) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto c = server_->Client();
    auto res = method == "GET" ? c.Get(path, headers)
                               : c.Post(path, headers, body.dump(), "application/json");
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, status) << method << " " << path << "\n" << res->body;
    return res->body.empty() ? json() : json::parse(res->body);
  }
  json Get(const std::string& path, const std::string& token, int status = 200) {
    return Call("GET", path, token, json(), status);
  }
  json Post(const std::string& path, const std::string& token, const json& body, int status) {
    return Call("POST", path, token, body, status);
  }

  // The number of the caller's own case in `state`.
  std::string OwnCase(const std::string& token, const std::string& state) {
    json page = Get("/api/v1/me/cases?limit=100", token);
    for (const json& c : page["items"]) {
      if (c["state"] == state) return c["number"].get<std::string>();
    }
    ADD_FAILURE() << "no own case in state " << state;
    return "";
  }

  std::unique_ptr<testing::TestServer> server_;
};

// The demo's rectification items first, then a visit's bad rating on the device and by QR code.
TEST_F(EvaluationHttpTest, DepartmentsRectifyTheirBadRatingsAndVisitsAreRatedNeverByTheClerk) {
  {
    const std::string head = Staff("xintian.department_head");
    json open = Get("/api/v1/rectifications?state=open", head);
    ASSERT_EQ(open["items"].size(), 1u);  // the demo's bad rating of the refused case
    const std::string item = "/api/v1/rectifications/" + open["items"][0]["id"].get<std::string>();
    EXPECT_EQ(open["items"][0]["department"], "431128-rsj");
    EXPECT_EQ(open["items"][0]["due_on"].get<std::string>().size(), 10u);

    Post(item + "/callback", Staff("liuyang.department_head"), {{"outcome", "confirmed"}}, 403);
    Post(item + "/callback", Staff("xintian.window_clerk"), {{"outcome", "confirmed"}}, 403);
    json early = Post(item + "/rectify", head, {{"note", "已整改"}}, 422);
    EXPECT_THAT(early["detail"].get<std::string>(), HasSubstr("回访核实"));
    Post(item + "/callback", head, {{"outcome", "maybe"}}, 400);
    json called =
        Post(item + "/callback", head, {{"outcome", "confirmed"}, {"note", "情况属实"}}, 200);
    EXPECT_EQ(called["callback"]["outcome"], "confirmed");
    json done = Post(item + "/rectify", head, {{"note", "窗口张贴职责清单"}}, 200);
    EXPECT_EQ(done["state"], "rectified");
    Post(item + "/rate", Citizen("430181198504200648"), {{"level", "satisfied"}}, 403);
    json rated = Post(item + "/rate", Citizen("431128196803150214"), {{"level", "satisfied"}}, 200);
    EXPECT_EQ(rated["applicant_level"], "satisfied");

    // 申诉复核: the demo's appealed item in 石峰区, reviewed by its supervisor.
    json appealed = Get("/api/v1/rectifications?state=appealed", Staff("shifeng.supervisor"));
    ASSERT_EQ(appealed["items"].size(), 1u);
    const std::string appeal =
        "/api/v1/rectifications/" + appealed["items"][0]["id"].get<std::string>();
    Post(appeal + "/review", Staff("shifeng.department_head"),
         {{"decision", "void"}, {"note", "x"}}, 403);
    json upheld = Post(appeal + "/review", Staff("shifeng.supervisor"),
                       {{"decision", "uphold"}, {"note", "评价属实，继续整改"}}, 200);
    EXPECT_EQ(upheld["state"], "open");
    EXPECT_EQ(upheld["review"]["decision"], "uphold");
  }
  {
    const std::string citizen = Citizen("431128196803150214");
    const std::string clerk = Staff("xintian.window_clerk");
    const std::string number = OwnCase(citizen, "under_review");
    json visit = Post("/api/v1/visits", clerk, {{"case", number}, {"window", "431128-B02"}}, 201);
    const std::string requests = visit["evaluation_requests"].get<std::string>();
    Post("/api/v1/visits", Staff("liuyang.window_clerk"), {{"case", number}, {"window", "X"}}, 403);

    json steered = Post(requests, clerk, {{"method", "device"}, {"level", "very_satisfied"}}, 403);
    EXPECT_THAT(steered["detail"].get<std::string>(), HasSubstr("never enters or steers"));
    Post(requests, clerk, {{"method", "device"}}, 504);  // nobody pressed yet
    server_->app().rating_device()->Press(
        "431128-B02", {.level = "dissatisfied", .tags = {"等待时间长"}, .text = "排队一小时"});
    json rated = Post(requests, clerk, {{"method", "device"}}, 201);
    EXPECT_EQ(rated["evaluation"]["source"], "device");
    EXPECT_EQ(rated["evaluation"]["level"], "dissatisfied");
    EXPECT_TRUE(rated["evaluation"]["rectification"].is_string());
    Post(requests, clerk, {{"method", "qr_code"}}, 409);

    json kiosk = Post("/api/v1/visits", clerk,
                      {{"channel", "kiosk"},
                       {"window", "431128-K01"},
                       {"region", "431128"},
                       {"department", "431128-rsj"}},
                      201);
    json qr =
        Post(kiosk["evaluation_requests"].get<std::string>(), clerk, {{"method", "qr_code"}}, 201);
    const std::string href = qr["href"].get<std::string>();
    Post(href, clerk, {{"level", "very_satisfied"}}, 403);
    Post(href + "0", "", {{"level", "very_satisfied"}}, 403);
    json by_phone = Post(href, "", {{"level", "very_satisfied"}}, 201);
    EXPECT_EQ(by_phone["source"], "qr_code");
    EXPECT_EQ(by_phone["window"], "431128-K01");
    json reused = Post(href, "", {{"level", "very_dissatisfied"}}, 422);
    EXPECT_THAT(reused["detail"].get<std::string>(), HasSubstr("used already"));
  }
}

// One demo server per test (the demo loads in seconds under the sanitizers): the statistics of
// the untouched demo first, then the applicant's own online rating.
TEST_F(EvaluationHttpTest, PublicStatisticsOfTheDemoThenTheApplicantRatesItsEndedCaseOnce) {
  {
    // Today's: the demo's history (src/app/demo_history.cc) rated the months before.
    const std::string today = TodayInChina(SystemClock::Instance()).ToString();
    auto res =
        server_->Client().Get("/api/v1/public/evaluation-statistics?by=region&from=" + today);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    EXPECT_THAT(res->body, Not(HasSubstr("431128196803150214")));
    EXPECT_THAT(res->body, Not(HasSubstr("rater")));
    json stats = json::parse(res->body);
    EXPECT_EQ(stats["rows"].size(), 5u);
    // Per locality 1 online + 3 visit ratings good, 1 bad; 云溪区's bad one was voided.
    EXPECT_EQ(stats["total"]["rated"], 24);
    EXPECT_EQ(stats["total"]["good"], 20);
    EXPECT_EQ(stats["total"]["bad"], 4);
    EXPECT_GE(stats["total"]["unrated"], 5);  // the withdrawn cases, never counted as good
    EXPECT_DOUBLE_EQ(stats["total"]["good_rate"].get<double>(), 20.0 / 24.0);
    EXPECT_DOUBLE_EQ(stats["total"]["callback_rate"].get<double>(), 0.5);
    EXPECT_DOUBLE_EQ(stats["total"]["rectification_rate"].get<double>(), 0.5);
    json windows =
        Get("/api/v1/public/evaluation-statistics?by=window&region=431128&from=" + today, "");
    ASSERT_EQ(windows["rows"].size(), 1u);
    EXPECT_EQ(windows["rows"][0]["key"], "431128-A01");
    EXPECT_EQ(windows["rows"][0]["rated"], 3);
    Get("/api/v1/public/evaluation-statistics?by=person&from=2026-13-01", "", 400);

    // Staff see ratings within their grants only; citizens do not list them.
    json mine = Get("/api/v1/evaluations?limit=100", Staff("xintian.window_clerk"));
    ASSERT_GE(mine["items"].size(), 5u);  // today's 5 and the history's
    for (const json& e : mine["items"]) EXPECT_EQ(e["region"], "431128");
    Get("/api/v1/evaluations", Citizen("431128196803150214"), 403);
  }
  {
    const std::string citizen = Citizen("431128196803150214");
    const std::string withdrawn = OwnCase(citizen, "withdrawn");
    const std::string running = OwnCase(citizen, "under_review");
    const std::string path = "/api/v1/cases/" + withdrawn + "/evaluations";
    const json good = {{"level", "satisfied"}, {"tags", {"办事效率高"}}};

    json staff = Post(path, Staff("xintian.window_clerk"), good, 403);
    EXPECT_THAT(staff["detail"].get<std::string>(), HasSubstr("staff account"));
    json others = Post(path, Citizen("430181198504200648"), good, 403);
    EXPECT_THAT(others["detail"].get<std::string>(), HasSubstr("only the applicant"));
    json tags = Post(path, citizen, {{"level", "satisfied"}, {"tags", {"推诿扯皮"}}}, 400);
    EXPECT_EQ(tags["errors"][0]["field"], "tags/0");
    json level = Post(path, citizen, {{"level", "great"}, {"colour", "red"}}, 400);
    EXPECT_EQ(level["errors"].size(), 2u);
    Post("/api/v1/cases/" + running + "/evaluations", citizen, good, 422);

    json rated = Post(path, citizen, good, 201);
    EXPECT_EQ(rated["source"], "online");
    EXPECT_EQ(rated["good"], true);
    EXPECT_EQ(rated["rectification"], nullptr);
    json again = Post(path, citizen, good, 409);
    EXPECT_THAT(again["detail"].get<std::string>(), HasSubstr("already rated online"));
    // The demo rated the concluded case already.
    Post("/api/v1/cases/" + OwnCase(citizen, "concluded") + "/evaluations", citizen, good, 409);
  }
}

}  // namespace
}  // namespace tongban
