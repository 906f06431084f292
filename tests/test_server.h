// Starts the whole application (app::App) on port 0 with a fresh database, for HTTP tests.
#pragma once

#include <httplib.h>

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <thread>

#include "app/app.h"
#include "store/testing.h"

namespace tongban::testing {

class TestServer {
 public:
  // Returns nullptr (test failed or skipped) when the database or server cannot start.
  static std::unique_ptr<TestServer> Start(store::Backend backend,
                                           app::Config config = app::Config{}) {
    std::unique_ptr<TestServer> t(new TestServer());
    t->temp_ = store::testing::TempDatabase::Create(backend);
    if (!t->temp_) return nullptr;
    config.db_url = backend == store::Backend::kSqlite ? "sqlite:" + t->temp_->url().target
                                                       : t->temp_->url().target;
    config.server.host = "127.0.0.1";
    config.server.port = 0;
    config.server.threads = 4;
    if (config.signing_key.empty()) {
      // Never the default path in the working directory: each test server has its own key.
      t->key_path_ = std::filesystem::temp_directory_path() /
                     fmt::format("tongban_test_key_{}_{}.pem", getpid(), ++Counter());
      config.signing_key = t->key_path_.string();
    }
    auto app = app::App::Create(config);
    if (!app.ok()) {
      ADD_FAILURE() << app.error().ToString();
      return nullptr;
    }
    t->app_ = std::move(app).value();
    return t;
  }
  // Binds and serves in a background thread; call after registering any test-only routes.
  bool Run() {
    auto port = app_->server().Bind();
    if (!port.ok()) {
      ADD_FAILURE() << port.error().ToString();
      return false;
    }
    port_ = *port;
    thread_ = std::thread([this] { app_->server().Serve(); });
    return true;
  }
  ~TestServer() {
    if (app_) app_->server().Stop();
    if (thread_.joinable()) thread_.join();
    app_.reset();
    if (!key_path_.empty()) std::filesystem::remove(key_path_);
  }
  int port() const { return port_; }
  app::App& app() { return *app_; }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5);
    c.set_read_timeout(10);
    return c;
  }

 private:
  TestServer() = default;
  static int& Counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path key_path_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<app::App> app_;
  std::thread thread_;
  int port_ = 0;
};

// A demo server shared by the tests of one suite, one per backend, started by the first test
// that asks: for suites whose tests read, or write data no other test of the suite reads (the
// demo then loads once per backend, not once per test). nullptr when it cannot start (the
// failure is reported). The suite's TearDownTestSuite calls StopSharedDemoServers().
inline std::map<store::Backend, std::unique_ptr<TestServer>>& SharedDemoServers() {
  static std::map<store::Backend, std::unique_ptr<TestServer>> servers;
  return servers;
}
inline TestServer* SharedDemoServer(store::Backend backend) {
  std::unique_ptr<TestServer>& shared = SharedDemoServers()[backend];
  if (!shared) {
    app::Config config;
    config.demo = true;
    shared = TestServer::Start(backend, config);
    if (shared && !shared->Run()) shared.reset();
  }
  return shared.get();
}
inline void StopSharedDemoServers() { SharedDemoServers().clear(); }

}  // namespace tongban::testing
