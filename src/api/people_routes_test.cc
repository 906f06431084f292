// The people routes over a real server on port 0: problem+json with every invalid field, 401
// without a token, 403 without the permission, and the happy paths.
#include "api/people_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "people/repository.h"
#include "store/testing.h"

namespace tongban::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'750'000'000'000;
constexpr char kPassword[] = "s3cret-pass";

ServerOptions LocalServer(int threads) {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.threads = threads;
  return o;
}

class PeopleRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(store::Backend::kSqlite);
    ASSERT_TRUE(temp_);
    db_ = temp_->Open();
    auto set = people::PeopleMigrations();
    ASSERT_TRUE(set.ok());
    const store::MigrationSet* sets[] = {&*set};
    ASSERT_TRUE(db_->Migrate(sets).ok());
    people::PeopleOptions options;
    options.password = people::PasswordOptions::Cheap();
    auto service = people::PeopleService::Create(*db_, sms_, clock_, options);
    ASSERT_TRUE(service.ok());
    people_ = std::move(service).value();
    ASSERT_TRUE(people_->SeedRoles().ok());
    auth_ = std::make_unique<Auth>(*people_);
    server_ = std::make_unique<Server>(LocalServer(2));
    RegisterPeopleRoutes(*server_, *people_, *auth_, {.sms_outbox = &sms_});
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok());
    thread_ = std::thread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  struct Answer {
    int status = 0;
    json body;
    std::string content_type;
    std::string www_authenticate;
    std::string location;
  };
  Answer Send(const std::string& method, const std::string& path, const std::string& body = "",
              const std::string& token = "") {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    httplib::Result r = method == "GET" ? client_->Get(path.c_str(), headers)
                        : method == "DELETE"
                            ? client_->Delete(path.c_str(), headers)
                            : client_->Post(path.c_str(), headers, body, "application/json");
    Answer a;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no answer";
      return a;
    }
    a.status = r->status;
    a.content_type = r->get_header_value("Content-Type");
    a.www_authenticate = r->get_header_value("WWW-Authenticate");
    a.location = r->get_header_value("Location");
    if (!r->body.empty()) a.body = json::parse(r->body, nullptr, false);
    return a;
  }
  Answer Post(const std::string& path, const json& body, const std::string& token = "") {
    return Send("POST", path, body.dump(), token);
  }

  std::string Staff(const std::string& username, const std::string& role,
                    const std::string& region) {
    auto a = people_->BootstrapStaffAccount(
        {.username = username, .name = "测试", .password = kPassword, .region = region},
        {{.role = role, .scope = {.region = region}}});
    EXPECT_TRUE(a.ok()) << a.error().ToString();
    return a.ok() ? a->id : "";
  }
  std::string Login(const std::string& username) {
    Answer a = Post("/api/v1/sessions", {{"username", username}, {"password", kPassword}});
    EXPECT_EQ(a.status, 201) << a.body.dump();
    return a.body.value("token", "");
  }
  std::string RegisterCitizen(const std::string& id_number, const std::string& name,
                              const std::string& phone) {
    Answer sent = Post("/api/v1/sms-codes", {{"phone", phone}, {"purpose", "register"}});
    EXPECT_EQ(sent.status, 202) << sent.body.dump();
    Answer outbox = Send("GET", "/api/v1/dev/sms-outbox?phone=" + phone);
    EXPECT_EQ(outbox.status, 200);
    const std::string text = outbox.body["items"][0]["text"];
    const std::string code = *sms_.LatestCode(phone);
    EXPECT_THAT(text, HasSubstr(code));
    Answer reg = Post("/api/v1/citizens", {{"id_number", id_number},
                                           {"name", name},
                                           {"phone", phone},
                                           {"code", code},
                                           {"password", kPassword}});
    EXPECT_EQ(reg.status, 201) << reg.body.dump();
    clock_.Advance(std::chrono::milliseconds(61'000));
    Answer login = Post("/api/v1/sessions", {{"id_number", id_number}, {"password", kPassword}});
    EXPECT_EQ(login.status, 201) << login.body.dump();
    return login.body.value("token", "");
  }

  FakeClock clock_{people::FromEpochMs(kT0)};
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

std::vector<std::string> ErrorFields(const json& problem) {
  std::vector<std::string> out;
  for (const json& e : problem.value("errors", json::array())) out.push_back(e["field"]);
  return out;
}

TEST_F(PeopleRoutesTest, CitizensRegisterLogInAndOut) {
  Answer sent = Post("/api/v1/sms-codes", {{"phone", "13800000003"}, {"purpose", "register"}});
  ASSERT_EQ(sent.status, 202) << sent.body.dump();
  EXPECT_EQ(sent.body["phone"], "138****0003");
  EXPECT_EQ(sent.body["expires_at"], "2025-06-15T15:11:40Z");
  const std::string code = *sms_.LatestCode("13800000003");
  Answer reg = Post("/api/v1/citizens", {{"id_number", "431128199001010037"},
                                         {"name", "李志强"},
                                         {"phone", "13800000003"},
                                         {"code", code}});
  ASSERT_EQ(reg.status, 201) << reg.body.dump();
  EXPECT_EQ(reg.body["account"]["kind"], "citizen");
  EXPECT_EQ(reg.body["account"]["id_number"], "431128********0037");
  EXPECT_EQ(reg.body["account"]["phone"], "138****0003");

  clock_.Advance(std::chrono::milliseconds(61'000));
  ASSERT_EQ(Post("/api/v1/sms-codes", {{"phone", "13800000003"}, {"purpose", "login"}}).status,
            202);
  Answer login = Post("/api/v1/sessions",
                      {{"phone", "13800000003"}, {"code", *sms_.LatestCode("13800000003")}});
  ASSERT_EQ(login.status, 201) << login.body.dump();
  EXPECT_EQ(login.body["token_type"], "Bearer");
  EXPECT_EQ(login.body["expires_at"], "2025-07-15T15:07:41Z");  // 30 days
  const std::string token = login.body["token"];
  EXPECT_EQ(token.size(), 43u);

  Answer me = Send("GET", "/api/v1/me", "", token);
  ASSERT_EQ(me.status, 200) << me.body.dump();
  EXPECT_EQ(me.body["account"]["name"], "李志强");
  ASSERT_EQ(me.body["roles"].size(), 1u);
  EXPECT_EQ(me.body["roles"][0]["role"], "applicant");
  EXPECT_EQ(me.body["roles"][0]["scope"]["region"], "*");
  EXPECT_TRUE(me.body["roles"][0]["scope"]["matters"].is_null());
  EXPECT_EQ(me.body["permissions"],
            json({"case.apply", "case.read_own", "demand.submit", "evaluation.submit"}));

  EXPECT_EQ(Send("DELETE", "/api/v1/sessions/current", "", token).status, 204);
  Answer after = Send("GET", "/api/v1/me", "", token);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.body["detail"], "the session was ended");
  EXPECT_THAT(after.www_authenticate, HasSubstr("Bearer"));
}

TEST_F(PeopleRoutesTest, ProblemJsonListsEveryInvalidField) {
  Answer a = Send("POST", "/api/v1/citizens",
                  R"({"id_number": "431128199001010038", "name": 5, "phone": "12345",
                      "password": "short", "colour": "red"})");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.content_type, "application/problem+json");
  EXPECT_EQ(a.body["code"], "invalid_argument");
  EXPECT_THAT(ErrorFields(a.body), ::testing::UnorderedElementsAre("id_number", "name", "phone",
                                                                   "code", "password", "colour"))
      << a.body.dump();
  Answer malformed = Send("POST", "/api/v1/citizens", R"({"id_number": )");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(malformed.body["code"], "malformed_body");

  Answer grant =
      Post("/api/v1/accounts/acc_x/roles",
           {{"role", 7}, {"scope", {{"region", "4311"}, {"matters", {1}}, {"x", 1}}}}, "");
  EXPECT_EQ(grant.status, 401);  // authentication comes first

  Answer login = Post("/api/v1/sessions", {{"username", "a"}, {"phone", "13800000001"}});
  EXPECT_EQ(login.status, 400);
  EXPECT_THAT(ErrorFields(login.body), ::testing::Contains("username"));
}

TEST_F(PeopleRoutesTest, AnswersWithoutATokenAre401) {
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/me"},
                                                        {"POST", "/api/v1/accounts"},
                                                        {"POST", "/api/v1/accounts/acc_1/roles"},
                                                        {"POST", "/api/v1/enterprises"},
                                                        {"DELETE", "/api/v1/sessions/current"},
                                                        {"GET", "/api/v1/roles"}}) {
    Answer a = Send(method, path, "{}");
    EXPECT_EQ(a.status, 401) << method << " " << path;
    EXPECT_EQ(a.body["code"], "unauthenticated");
    EXPECT_THAT(a.www_authenticate, HasSubstr("Bearer"));
  }
  EXPECT_EQ(Send("GET", "/api/v1/me", "", "not-a-token").status, 401);
}

TEST_F(PeopleRoutesTest, AdministratorsCreateAccountsAndGrantRoles) {
  Staff("xt.sys", "system_admin", "431128");
  Staff("xt.security", "security_admin", "431128");
  const std::string sys = Login("xt.sys");
  const std::string security = Login("xt.security");

  // 403: the security administrator does not create accounts.
  const json new_account = {{"username", "xt.clerk"},
                            {"name", "窗口一号"},
                            {"password", kPassword},
                            {"region", "431128"},
                            {"department", "431128-zwzx"}};
  Answer refused = Post("/api/v1/accounts", new_account, security);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.body["detail"], "missing permission 'account.create'");
  Answer elsewhere = Post(
      "/api/v1/accounts",
      {{"username", "ly.clerk"}, {"name", "某"}, {"password", kPassword}, {"region", "430181"}},
      sys);
  EXPECT_EQ(elsewhere.status, 403);
  EXPECT_THAT(elsewhere.body["detail"].get<std::string>(), HasSubstr("outside 431128"));

  Answer created = Post("/api/v1/accounts", new_account, sys);
  ASSERT_EQ(created.status, 201) << created.body.dump();
  const std::string clerk_id = created.body["id"];
  EXPECT_EQ(Post("/api/v1/accounts", new_account, sys).status, 409);

  // 403: the system administrator does not grant roles.
  const json grant = {
      {"role", "window_clerk"},
      {"scope", {{"region", "431128101"}, {"valid_until", "2025-07-01T00:00:00+08:00"}}}};
  EXPECT_EQ(Post("/api/v1/accounts/" + clerk_id + "/roles", grant, sys).status, 403);
  Answer granted = Post("/api/v1/accounts/" + clerk_id + "/roles", grant, security);
  ASSERT_EQ(granted.status, 201) << granted.body.dump();
  EXPECT_EQ(granted.body["scope"]["region"], "431128101");
  EXPECT_EQ(granted.body["scope"]["department"], "*");
  EXPECT_EQ(granted.body["scope"]["valid_until"], "2025-06-30T16:00:00Z");
  EXPECT_EQ(granted.body["scope"]["valid_from"], "2025-06-15T15:06:40Z");  // not given: now
  Answer from_epoch =
      Post("/api/v1/accounts/" + clerk_id + "/roles",
           {{"role", "hotline_operator"},
            {"scope", {{"region", "431128"}, {"valid_from", "1970-01-01T00:00:00Z"}}}},
           security);
  ASSERT_EQ(from_epoch.status, 201) << from_epoch.body.dump();
  EXPECT_EQ(from_epoch.body["scope"]["valid_from"], "1970-01-01T00:00:00Z");  // not "now"

  // 三员分立 over HTTP: 422.
  Answer separated = Post("/api/v1/accounts/" + clerk_id + "/roles",
                          {{"role", "audit_admin"}, {"scope", {{"region", "431128"}}}}, security);
  EXPECT_EQ(separated.status, 201);  // a clerk may become the audit administrator ...
  Answer second = Post("/api/v1/accounts/" + clerk_id + "/roles",
                       {{"role", "system_admin"}, {"scope", {{"region", "431128"}}}}, security);
  EXPECT_EQ(second.status, 422);  // ... but not also the system administrator
  EXPECT_EQ(second.body["code"], "refused");
  EXPECT_THAT(second.body["detail"].get<std::string>(), HasSubstr("三员分立"));

  Answer invalid = Post("/api/v1/accounts/" + clerk_id + "/roles",
                        {{"role", "approver"},
                         {"scope",
                          {{"region", "4311"},
                           {"matters", json::array({1, "ok"})},
                           {"valid_until", "tomorrow"},
                           {"colour", "red"}}}},
                        security);
  EXPECT_EQ(invalid.status, 400);
  EXPECT_THAT(ErrorFields(invalid.body),
              ::testing::UnorderedElementsAre("scope/region", "scope/matters/0",
                                              "scope/valid_until", "scope/colour"))
      << invalid.body.dump();

  const std::string clerk = Login("xt.clerk");
  Answer me = Send("GET", "/api/v1/me", "", clerk);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.body["roles"].size(), 3u);
  EXPECT_THAT(me.body["permissions"], ::testing::Contains("case.accept"));

  Answer roles = Send("GET", "/api/v1/roles", "", security);
  ASSERT_EQ(roles.status, 200);
  EXPECT_EQ(roles.body["roles"].size(), 18u);  // the roles of data/people/roles.yaml
  EXPECT_EQ(Send("GET", "/api/v1/roles", "", clerk).status, 403);

  const std::string grant_id = granted.body["id"];
  EXPECT_EQ(Send("DELETE", "/api/v1/accounts/" + clerk_id + "/roles/" + grant_id, "", sys).status,
            403);
  EXPECT_EQ(
      Send("DELETE", "/api/v1/accounts/" + clerk_id + "/roles/" + grant_id, "", security).status,
      204);
  EXPECT_EQ(Send("GET", "/api/v1/me", "", clerk).body["roles"].size(), 2u);

  // Without account.update the answer is 403 whether the account exists or not.
  const std::string other = Login("xt.security");
  const std::string sys_id = Send("GET", "/api/v1/me", "", sys).body["account"]["id"];
  for (const std::string& id : {sys_id, std::string("acc_no_such_account")}) {
    Answer refused_end = Send("DELETE", "/api/v1/accounts/" + id + "/sessions", "", clerk);
    EXPECT_EQ(refused_end.status, 403) << id;
    EXPECT_EQ(refused_end.body["detail"], "missing permission 'account.update'") << id;
    Answer refused_revoke =
        Send("DELETE", "/api/v1/accounts/" + id + "/roles/grt_no_such_grant", "", clerk);
    EXPECT_EQ(refused_revoke.status, 403) << id;
  }
  EXPECT_EQ(Send("DELETE", "/api/v1/accounts/acc_no_such_account/sessions", "", sys).status, 404);
  EXPECT_EQ(Send("DELETE", "/api/v1/accounts/acc_no_such_account/roles/grt_x", "", security).status,
            404);
  Answer ended = Send("DELETE", "/api/v1/accounts/" + clerk_id + "/sessions", "", sys);
  ASSERT_EQ(ended.status, 200) << ended.body.dump();
  EXPECT_EQ(ended.body["revoked"], 1);
  EXPECT_EQ(Send("GET", "/api/v1/me", "", clerk).status, 401);
  EXPECT_EQ(Send("GET", "/api/v1/me", "", other).status, 200);
}

TEST_F(PeopleRoutesTest, AccountsAreListedByRoleAndRegionAPageAtATime) {
  Staff("xt.sys", "system_admin", "431128");
  Staff("xt.clerk", "window_clerk", "431128");
  Staff("xt.town", "window_clerk", "431128101");
  Staff("ly.clerk", "window_clerk", "430181");
  const std::string sys = Login("xt.sys");

  Answer all = Send("GET", "/api/v1/accounts", "", sys);
  ASSERT_EQ(all.status, 200) << all.body.dump();
  ASSERT_EQ(all.body["items"].size(), 3u) << all.body.dump();
  EXPECT_TRUE(all.body["next_cursor"].is_null());
  Answer clerks = Send("GET", "/api/v1/accounts?role=window_clerk&region=431128101", "", sys);
  ASSERT_EQ(clerks.status, 200);
  ASSERT_EQ(clerks.body["items"].size(), 1u);
  EXPECT_EQ(clerks.body["items"][0]["username"], "xt.town");
  EXPECT_EQ(clerks.body["items"][0]["roles"], json::array({"window_clerk"}));

  Answer first = Send("GET", "/api/v1/accounts?limit=2", "", sys);
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(first.body["items"].size(), 2u);
  ASSERT_TRUE(first.body["next_cursor"].is_string());
  Answer second =
      Send("GET", "/api/v1/accounts?limit=2&cursor=" + first.body["next_cursor"].get<std::string>(),
           "", sys);
  ASSERT_EQ(second.status, 200);
  ASSERT_EQ(second.body["items"].size(), 1u);
  EXPECT_NE(second.body["items"][0]["id"], first.body["items"][0]["id"]);
  EXPECT_NE(second.body["items"][0]["id"], first.body["items"][1]["id"]);

  Answer invalid = Send("GET", "/api/v1/accounts?limit=0&region=12", "", sys);
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(invalid.body["errors"].size(), 2u) << invalid.body.dump();
  EXPECT_EQ(Send("GET", "/api/v1/accounts", "", Login("xt.clerk")).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/accounts").status, 401);
}

TEST_F(PeopleRoutesTest, EnterprisesAuthoriseAgents) {
  const std::string rep = RegisterCitizen("431128199001010037", "李志强", "13800000003");
  const std::string agent = RegisterCitizen("430181198504200648", "刘红霞", "13800000004");
  Answer e = Post("/api/v1/enterprises",
                  {{"uscc", "91431128ma4l0a019k"}, {"name", "新田县富硒农产品有限公司"}}, rep);
  ASSERT_EQ(e.status, 201) << e.body.dump();
  EXPECT_EQ(e.body["uscc"], "91431128MA4L0A019K");
  Answer bad = Post("/api/v1/enterprises", {{"uscc", "91431128MA4L0A0190"}, {"name", ""}}, rep);
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(ErrorFields(bad.body), ::testing::UnorderedElementsAre("uscc", "name"));

  const std::string path = "/api/v1/enterprises/91431128MA4L0A019K/agents";
  const json request = {{"id_number", "430181198504200648"},
                        {"name", "刘红霞"},
                        {"valid_until", "2026-06-30T23:59:59+08:00"}};
  EXPECT_EQ(Post(path, request, agent).status, 403);  // only the legal representative
  Answer a = Post(path, request, rep);
  ASSERT_EQ(a.status, 201) << a.body.dump();
  Answer list = Send("GET", path, "", rep);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["items"].size(), 1u);
  EXPECT_EQ(Send("GET", path, "", agent).status, 403);

  Answer me = Send("GET", "/api/v1/me", "", agent);
  ASSERT_EQ(me.body["enterprises"].size(), 1u);
  EXPECT_EQ(me.body["enterprises"][0]["relation"], "agent");
  EXPECT_EQ(me.body["enterprises"][0]["valid_until"], "2026-06-30T15:59:59Z");

  const std::string id = a.body["id"];
  EXPECT_EQ(Send("DELETE", path + "/" + id, "", rep).status, 204);
  EXPECT_EQ(Send("DELETE", path + "/" + id, "", rep).status, 404);
  EXPECT_TRUE(Send("GET", "/api/v1/me", "", agent).body["enterprises"].empty());
}

TEST_F(PeopleRoutesTest, LocationsPointToResourcesTheirOwnersAndStaffRead) {
  const std::string rep = RegisterCitizen("431128199001010037", "李志强", "13800000003");
  const std::string stranger = RegisterCitizen("430181198504200648", "刘红霞", "13800000004");
  Staff("xt.window", "window_clerk", "431128");
  Staff("ly.window", "window_clerk", "430181");
  Staff("xt.sys", "system_admin", "431128");
  const std::string xt_window = Login("xt.window");
  const std::string ly_window = Login("ly.window");
  const std::string sys = Login("xt.sys");

  Answer e = Post("/api/v1/enterprises",
                  {{"uscc", "91431128MA4L0A019K"}, {"name", "新田县富硒农产品有限公司"}}, rep);
  ASSERT_EQ(e.status, 201) << e.body.dump();
  EXPECT_EQ(e.location, "/api/v1/enterprises/91431128MA4L0A019K");
  for (const std::string& reader : {rep, xt_window}) {
    Answer got = Send("GET", e.location, "", reader);
    EXPECT_EQ(got.status, 200) << got.body.dump();
    EXPECT_EQ(got.body, e.body);
  }
  // Outsiders get 403 whether the enterprise is registered or not; staff out of scope, 403.
  const std::string unknown_enterprise = "/api/v1/enterprises/91430181MA4M1B0268";
  EXPECT_EQ(Send("GET", e.location, "", stranger).status, 403);
  EXPECT_EQ(Send("GET", unknown_enterprise, "", stranger).status, 403);
  EXPECT_EQ(Send("GET", e.location, "", ly_window).status, 403);
  EXPECT_EQ(Send("GET", unknown_enterprise, "", ly_window).status, 404);
  EXPECT_EQ(Send("GET", e.location, "").status, 401);

  Answer created = Post("/api/v1/accounts",
                        {{"username", "xt.clerk"},
                         {"name", "窗口一号"},
                         {"password", kPassword},
                         {"region", "431128"},
                         {"department", "431128-zwzx"}},
                        sys);
  ASSERT_EQ(created.status, 201) << created.body.dump();
  EXPECT_EQ(created.location, "/api/v1/accounts/" + created.body["id"].get<std::string>());
  Answer read = Send("GET", created.location, "", sys);
  EXPECT_EQ(read.status, 200) << read.body.dump();
  EXPECT_EQ(read.body, created.body);
  const std::string clerk = Login("xt.clerk");
  EXPECT_EQ(Send("GET", created.location, "", clerk).status, 200);  // itself
  // Without account.read: 403 for another account, existing or not.
  const std::string sys_path =
      "/api/v1/accounts/" +
      Send("GET", "/api/v1/me", "", sys).body["account"]["id"].get<std::string>();
  EXPECT_EQ(Send("GET", sys_path, "", clerk).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/accounts/acc_none", "", clerk).status, 403);
  EXPECT_EQ(Send("GET", "/api/v1/accounts/acc_none", "", sys).status, 404);
}

TEST_F(PeopleRoutesTest, LockedAccountsAnswer423OnlyToTheRightPassword) {
  Staff("xt.clerk", "window_clerk", "431128");
  const json unknown_user = {{"username", "xt.nobody"}, {"password", "wrong-pass1"}};
  const json wrong_password = {{"username", "xt.clerk"}, {"password", "wrong-pass1"}};
  Answer unknown = Post("/api/v1/sessions", unknown_user);
  EXPECT_EQ(unknown.status, 401);
  unknown.body.erase("request_id");
  for (int i = 0; i < 7; ++i) {  // the fifth locks; the lock is never told to a wrong password
    Answer wrong = Post("/api/v1/sessions", wrong_password);
    EXPECT_EQ(wrong.status, 401) << i;
    wrong.body.erase("request_id");
    EXPECT_EQ(wrong.body, unknown.body) << i;  // the same answer as for an unknown user
  }
  Answer locked = Post("/api/v1/sessions", {{"username", "xt.clerk"}, {"password", kPassword}});
  EXPECT_EQ(locked.status, 423);
  EXPECT_EQ(locked.body["code"], "locked");
}

TEST_F(PeopleRoutesTest, TheSmsOutboxRouteExistsOnlyWhenAsked) {
  Server plain(LocalServer(1));
  RegisterPeopleRoutes(plain, *people_, *auth_, {});
  auto port = plain.Bind();
  ASSERT_TRUE(port.ok());
  std::thread t([&] { plain.Serve(); });
  httplib::Client c("127.0.0.1", *port);
  auto r = c.Get("/api/v1/dev/sms-outbox");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  plain.Stop();
  t.join();
  EXPECT_EQ(Send("GET", "/api/v1/dev/sms-outbox").status, 200);
}

}  // namespace
}  // namespace tongban::api
