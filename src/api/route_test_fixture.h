// The server-and-login fixture the route tests share: a migrated SQLite database, the people
// service (roles seeded), a server on port 0 with the people routes and the test's own, an HTTP
// client, staff accounts logged in for real, and requests answered as status + JSON.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/people_routes.h"
#include "api/server.h"
#include "people/service.h"
#include "people/sms.h"
#include "store/testing.h"

namespace tongban::api {

class RouteTestFixture : public ::testing::Test {
 protected:
  static constexpr char kPassword[] = "s3cret-pass";

  struct Answer {
    int status = 0;
    nlohmann::json body;
    std::string text;
    std::string type;  // Content-Type
  };

  // A fresh SQLite database migrated with `sets` (in order); db_ is then open.
  void OpenDatabase(const std::vector<store::MigrationSet>& sets) {
    temp_ = store::testing::TempDatabase::Create(store::Backend::kSqlite);
    ASSERT_TRUE(temp_);
    db_ = temp_->Open();
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    ASSERT_TRUE(db_->Migrate(ptrs).ok());
  }

  // The people service on `clock` with its roles seeded; cheap password hashing unless the test
  // logs in with accounts whose hashes were written with the default options (the demo people).
  void CreatePeople(const Clock& clock, people::PeopleOptions options = Cheap()) {
    people_ = *people::PeopleService::Create(*db_, sms_, clock, options);
    ASSERT_TRUE(people_->SeedRoles().ok());
    auth_ = std::make_unique<Auth>(*people_);
  }

  // Starts the server on port 0 with the people routes and those `routes` registers.
  void StartServer(const std::function<void(Server&)>& routes) {
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<Server>(options);
    RegisterPeopleRoutes(*server_, *people_, *auth_, {.sms_outbox = &sms_});
    routes(*server_);
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok());
    thread_ = std::thread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  // GET, PUT or POST (anything else) with a JSON body (an empty object when null).
  Answer Send(const std::string& method, const std::string& path, const nlohmann::json& body,
              const std::string& token, httplib::Headers headers = {}) {
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    const std::string text = (body.is_null() ? nlohmann::json::object() : body).dump();
    httplib::Result r = method == "GET"   ? client_->Get(path, headers)
                        : method == "PUT" ? client_->Put(path, headers, text, "application/json")
                                          : client_->Post(path, headers, text, "application/json");
    Answer a;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no answer";
      return a;
    }
    a.status = r->status;
    a.text = r->body;
    a.type = r->get_header_value("Content-Type");
    a.body = nlohmann::json::parse(r->body, nullptr, false);
    return a;
  }
  Answer Get(const std::string& path, const std::string& token) {
    return Send("GET", path, nullptr, token);
  }

  // POST /sessions with `credentials`; the token, or "" (a test failure) when refused.
  std::string Login(const nlohmann::json& credentials) {
    Answer a = Send("POST", "/api/v1/sessions", credentials, "");
    EXPECT_EQ(a.status, 201) << a.body.dump();
    return a.body.value("token", "");
  }

  // A staff account with one grant (no `department`: the scope's default, every department of
  // the region), logged in.
  std::string Staff(const std::string& username, const std::string& role, const std::string& region,
                    const std::string& department = "") {
    people::Scope scope;
    scope.region = region;
    if (!department.empty()) scope.department = department;
    auto a = people_->BootstrapStaffAccount(
        {.username = username, .name = "测试", .password = kPassword, .region = region},
        {{.role = role, .scope = scope}});
    EXPECT_TRUE(a.ok()) << a.error().ToString();
    return Login({{"username", username}, {"password", kPassword}});
  }

  static people::PeopleOptions Cheap() {
    people::PeopleOptions po;
    po.password = people::PasswordOptions::Cheap();
    return po;
  }

  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace tongban::api
