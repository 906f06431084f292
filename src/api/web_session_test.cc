// Cookie sessions for the web pages over a real server on port 0: a login asked for by a page
// sets the HttpOnly session cookie and answers a CSRF token; cookie-authenticated writes need
// that token in X-CSRF-Token (403 problem+json otherwise); logout clears the cookies; bearer
// tokens work exactly as before, with or without cookies around.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "api/auth.h"
#include "api/people_routes.h"
#include "people/repository.h"
#include "store/testing.h"

namespace tongban::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kT0 = 1'750'000'000'000;
constexpr char kPassword[] = "s3cret-pass";

class WebSessionTest : public ::testing::Test {
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
    ServerOptions server_options;
    server_options.port = 0;
    server_options.threads = 2;
    server_ = std::make_unique<Server>(server_options);
    RegisterPeopleRoutes(*server_, *people_, *auth_, {});
    // A write of some capability: it authenticates like every route does.
    server_->Post("/api/v1/test-writes",
                  [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
                    auto p = auth_->Authenticate(req);
                    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
                    res.set_content(json({{"by", p->account.username}}).dump(), "application/json");
                  });
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok());
    thread_ = std::thread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    auto a = people_->BootstrapStaffAccount(
        {.username = "clerk", .name = "测试", .password = kPassword, .region = "431128"},
        {{.role = "window_clerk", .scope = {.region = "431128"}}});
    ASSERT_TRUE(a.ok()) << a.error().ToString();
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  httplib::Result Call(const std::string& method, const std::string& path,
                       const httplib::Headers& headers, const std::string& body = "{}") {
    if (method == "GET") return client_->Get(path.c_str(), headers);
    if (method == "DELETE") return client_->Delete(path.c_str(), headers);
    return client_->Post(path.c_str(), headers, body, "application/json");
  }

  // Logs in as a page would; returns the answer with its cookies.
  httplib::Result PageLogin(const httplib::Headers& headers = {}) {
    return Call("POST", "/api/v1/sessions?session=cookie", headers,
                json({{"username", "clerk"}, {"password", kPassword}}).dump());
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

// The Set-Cookie header of one cookie, by name.
std::string SetCookie(const httplib::Response& r, const std::string& name) {
  for (size_t i = 0; i < r.get_header_value_count("Set-Cookie"); ++i) {
    std::string v = r.get_header_value("Set-Cookie", i);
    if (v.starts_with(name + "=")) return v;
  }
  return "";
}

// The value in "name=value; attributes".
std::string ValueOf(const std::string& set_cookie) {
  const size_t eq = set_cookie.find('=');
  const size_t end = set_cookie.find(';');
  return set_cookie.substr(eq + 1, end - eq - 1);
}

TEST_F(WebSessionTest, PageLoginSetsHttpOnlyStrictCookieAndAnswersCsrfTokenNotSessionToken) {
  auto r = PageLogin();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  const std::string session = SetCookie(*r, "tb_session");
  const std::string csrf = SetCookie(*r, "tb_csrf");
  EXPECT_THAT(session, HasSubstr("; HttpOnly"));
  EXPECT_THAT(session, HasSubstr("; SameSite=Strict"));
  EXPECT_THAT(session, HasSubstr("; Path=/"));
  EXPECT_THAT(session, HasSubstr("; Max-Age=28800"));  // a staff session: 8 hours
  EXPECT_THAT(session, Not(HasSubstr("Secure")));      // plain HTTP here
  EXPECT_THAT(csrf, HasSubstr("; SameSite=Strict"));
  EXPECT_THAT(csrf, Not(HasSubstr("HttpOnly")));  // the page reads it after a reload
  const std::string token = ValueOf(session);
  EXPECT_EQ(token.size(), 43u);
  const json body = json::parse(r->body);
  EXPECT_FALSE(body.contains("token")) << body.dump();  // never readable by scripts
  EXPECT_EQ(body["token_type"], "Cookie");
  EXPECT_EQ(body["csrf_token"], ValueOf(csrf));
  EXPECT_EQ(body["csrf_token"], CsrfTokenFor(token));
  EXPECT_NE(body["csrf_token"], token);

  // Behind TLS the cookies are Secure.
  auto tls = PageLogin({{"X-Forwarded-Proto", "https"}});
  ASSERT_TRUE(tls);
  EXPECT_THAT(SetCookie(*tls, "tb_session"), HasSubstr("; Secure"));
  EXPECT_THAT(SetCookie(*tls, "tb_csrf"), HasSubstr("; Secure"));
}

TEST_F(WebSessionTest, CookieWritesNeedTheSessionsCsrfToken) {
  auto login = PageLogin();
  ASSERT_TRUE(login);
  const std::string token = ValueOf(SetCookie(*login, "tb_session"));
  const std::string csrf = json::parse(login->body)["csrf_token"];
  const std::string cookie = "theme=care; tb_session=" + token + "; tb_csrf=" + csrf;

  // Reads need no CSRF token.
  auto me = Call("GET", "/api/v1/me", {{"Cookie", cookie}});
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200) << me->body;
  EXPECT_EQ(json::parse(me->body)["account"]["username"], "clerk");

  // A write without the header, with a wrong one, or with another session's token: 403.
  auto other = PageLogin();
  ASSERT_TRUE(other);
  const std::string other_csrf = json::parse(other->body)["csrf_token"];
  for (const httplib::Headers& h :
       std::vector<httplib::Headers>{{{"Cookie", cookie}},
                                     {{"Cookie", cookie}, {"X-CSRF-Token", "0123"}},
                                     {{"Cookie", cookie}, {"X-CSRF-Token", other_csrf}},
                                     {{"Cookie", cookie}, {"X-CSRF-Token", token}}}) {
    auto w = Call("POST", "/api/v1/test-writes", h);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->status, 403) << w->body;
    EXPECT_EQ(w->get_header_value("Content-Type"), "application/problem+json");
    const json problem = json::parse(w->body);
    EXPECT_EQ(problem["code"], "forbidden");
    EXPECT_THAT(problem["detail"].get<std::string>(), HasSubstr("X-CSRF-Token"));
  }
  // Deleting is a write too.
  auto del = Call("DELETE", "/api/v1/sessions/current", {{"Cookie", cookie}});
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 403);

  auto ok = Call("POST", "/api/v1/test-writes", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(json::parse(ok->body)["by"], "clerk");

  // An unknown session cookie is a 401, as an unknown token is.
  auto bad = Call("GET", "/api/v1/me", {{"Cookie", "tb_session=nonsense"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  auto none = Call("GET", "/api/v1/me", {});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
}

TEST_F(WebSessionTest, LogoutEndsTheSessionAndClearsTheCookies) {
  auto login = PageLogin();
  ASSERT_TRUE(login);
  const std::string token = ValueOf(SetCookie(*login, "tb_session"));
  const std::string csrf = json::parse(login->body)["csrf_token"];
  auto out = Call("DELETE", "/api/v1/sessions/current",
                  {{"Cookie", "tb_session=" + token}, {"X-CSRF-Token", csrf}});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204) << out->body;
  const std::string cleared = SetCookie(*out, "tb_session");
  EXPECT_EQ(ValueOf(cleared), "");
  EXPECT_THAT(cleared, HasSubstr("Max-Age=0"));
  EXPECT_THAT(SetCookie(*out, "tb_csrf"), HasSubstr("Max-Age=0"));
  auto me = Call("GET", "/api/v1/me", {{"Cookie", "tb_session=" + token}});
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
}

TEST_F(WebSessionTest, BearerTokensAreUnaffected) {
  auto login = Call("POST", "/api/v1/sessions", {},
                    json({{"username", "clerk"}, {"password", kPassword}}).dump());
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 201);
  EXPECT_EQ(login->get_header_value_count("Set-Cookie"), 0u);
  const json body = json::parse(login->body);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_FALSE(body.contains("csrf_token"));
  const std::string token = body["token"];

  // A bearer write needs no CSRF token (no browser attaches a bearer token by itself), and a
  // stray or stale cookie next to it changes nothing.
  for (const httplib::Headers& h : std::vector<httplib::Headers>{
           {{"Authorization", "Bearer " + token}},
           {{"Authorization", "Bearer " + token}, {"Cookie", "tb_session=stale"}}}) {
    auto w = Call("POST", "/api/v1/test-writes", h);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->status, 200) << w->body;
  }
  // A wrong bearer token is not rescued by a valid cookie either.
  auto page = PageLogin();
  ASSERT_TRUE(page);
  const std::string cookie = "tb_session=" + ValueOf(SetCookie(*page, "tb_session"));
  auto w = Call("GET", "/api/v1/me", {{"Authorization", "Bearer wrong"}, {"Cookie", cookie}});
  ASSERT_TRUE(w);
  EXPECT_EQ(w->status, 401);
  EXPECT_THAT(w->get_header_value("WWW-Authenticate"), HasSubstr("Bearer"));
}

TEST(CookieValueTest, FindsTheNamedCookieAmongOthers) {
  httplib::Request req;
  req.headers.emplace("Cookie", "a=1; tb_session=xyz ;b=\"q\"");
  EXPECT_EQ(CookieValue(req, "tb_session"), "xyz");
  EXPECT_EQ(CookieValue(req, "b"), "q");
  EXPECT_EQ(CookieValue(req, "tb"), "");
  EXPECT_EQ(CookieValue(req, "c"), "");
}

}  // namespace
}  // namespace tongban::api
