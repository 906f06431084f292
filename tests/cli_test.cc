// The `tongban` command end to end: exit codes, messages, serving and graceful shutdown.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include "subprocess.h"

namespace tongban {
namespace {

using tongban::testing::Child;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tongban_cli_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Db() const { return "sqlite:" + (dir_ / "t.db").string(); }
  std::filesystem::path dir_;
};

TEST_F(Cli, VersionAndHelp) {
  auto v = tongban::testing::Run({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.output.find("0.1.0"), std::string::npos);
  auto none = tongban::testing::Run({});
  EXPECT_NE(none.exit_code, 0);
}

TEST_F(Cli, MigrateCreatesTheDatabase) {
  auto r = tongban::testing::Run({"migrate", "--db", Db(), "--log-level", "warn"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("up to date"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "t.db"));
}

TEST_F(Cli, BadDatabaseUrlIsNamed) {
  auto r = tongban::testing::Run({"migrate", "--db", "mysql://x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("must start with sqlite: or postgresql://"), std::string::npos)
      << r.output;
}

TEST_F(Cli, ConfigFileTyposAreRefused) {
  std::ofstream(dir_ / "c.yaml") << "db: " << Db() << "\nthreds: 4\nlisten: nonsense\n";
  auto r = tongban::testing::Run({"migrate", "--config", (dir_ / "c.yaml").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("threds: unknown configuration key"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("listen"), std::string::npos) << r.output;
}

TEST_F(Cli, ServesAndStopsGracefullyOnSigterm) {
  Child server({"serve", "--db", Db(), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(server.WaitFor("serving on http://127.0.0.1:", std::chrono::seconds(30)))
      << server.output();
  ASSERT_TRUE(server.WaitFor("(database", std::chrono::seconds(5)));
  std::smatch m;
  const std::string out = server.output();
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(127\.0\.0\.1:(\d+))")));
  httplib::Client c("127.0.0.1", std::stoi(m[1].str()));
  auto res = c.Get("/api/v1/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  ASSERT_EQ(kill(server.pid(), SIGTERM), 0);
  auto code = server.Wait(std::chrono::seconds(20));
  ASSERT_TRUE(code.has_value()) << "did not stop on SIGTERM: " << server.output();
  EXPECT_EQ(*code, 0);
  EXPECT_NE(server.output().find("stopped"), std::string::npos);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// The issue's budget: `serve --demo` on an empty database answers /health with all its data
// within 15 s on 2 cores. That is the product's budget, and the Release binary serves in 3-4 s
// on this machine. The tests run the sanitizer build, which starts the same demo 3-4x slower
// (9-16 s on this shared machine, bench/RESULTS.md stop 27), so there the bound is twice the
// budget: it still fails on a demo load that doubles, which for the product would be 7-8 s.
constexpr std::chrono::seconds kDemoBudget(15);
constexpr std::chrono::seconds kDemoBound = kSanitized ? 2 * kDemoBudget : kDemoBudget;

TEST_F(Cli, DemoServesWithAllItsDataWithinItsBudget) {
  const auto start = std::chrono::steady_clock::now();
  Child server({"serve", "--demo", "--db", Db(), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(server.WaitFor("(database", kDemoBound)) << server.output();
  std::smatch m;
  const std::string out = server.output();
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(serving on http://127\.0\.0\.1:(\d+))")));
  httplib::Client c("127.0.0.1", std::stoi(m[1].str()));
  auto health = c.Get("/api/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  const std::chrono::duration<double> served = std::chrono::steady_clock::now() - start;
  std::cout << "the demo served /health after " << served.count() << " s (bound "
            << kDemoBound.count() << " s" << (kSanitized ? ", sanitizer build" : "") << ")\n";
  EXPECT_LT(served, kDemoBound);
  auto matters = c.Get("/api/v1/matters?limit=100");
  ASSERT_TRUE(matters);
  EXPECT_EQ(std::count(matters->body.begin(), matters->body.end(), '@'), 78)
      << "one version id (code@version) per demo matter";
  EXPECT_NE(out.find("78 matters published"), std::string::npos) << out;
  ASSERT_EQ(kill(server.pid(), SIGTERM), 0);
  EXPECT_EQ(server.Wait(std::chrono::seconds(20)).value_or(-1), 0);
  // A second start keeps the data and does not load it again.
  Child again({"serve", "--demo", "--db", Db(), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(again.WaitFor("(database", kDemoBound)) << again.output();
  EXPECT_NE(again.output().find("already there"), std::string::npos) << again.output();
  kill(again.pid(), SIGTERM);
  EXPECT_EQ(again.Wait(std::chrono::seconds(20)).value_or(-1), 0);
}

}  // namespace
}  // namespace tongban
