// A server killed with SIGKILL in the middle of a burst of submissions loses nothing it
// acknowledged and duplicates nothing: after a restart every acknowledged (2xx) case is there
// once, retrying every submission with its Idempotency-Key returns the same case, and the
// trace still verifies. Runs the built binary as an operator runs it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "subprocess.h"

namespace tongban {
namespace {

using nlohmann::json;
using testing::Child;

constexpr char kCitizen[] = "431128196803150214";
constexpr int kDemoCasesOfCitizen = 10;

const json& Application() {
  static const json body = {{"matter", "11431128MB17038839200113007000001"},
                            {"channel", "online"},
                            {"form", {{"employment_status", "失业"}}},
                            {"materials",
                             {{{"name", "申请人居民身份证"},
                               {"state", "provided"},
                               {"origin", "licence"},
                               {"reference", "e-licence-001"}}}}};
  return body;
}

// Starts `tongban serve` and returns its port (0 when it did not come up).
int Serve(Child& server) {
  if (!server.WaitFor("tongban serving on http://", std::chrono::seconds(120))) return 0;
  std::smatch m;
  const std::string out = server.output();
  if (!std::regex_search(out, m, std::regex(R"(serving on http://[0-9.]+:(\d+))"))) return 0;
  return std::stoi(m[1].str());
}

std::string Login(int port) {
  httplib::Client c("127.0.0.1", port);
  auto res =
      c.Post("/api/v1/sessions", json{{"id_number", kCitizen}, {"password", "tongban-demo"}}.dump(),
             "application/json");
  EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
  return res ? json::parse(res->body).value("token", "") : "";
}

httplib::Result Submit(httplib::Client& c, const std::string& token, const std::string& key) {
  return c.Post("/api/v1/cases", {{"Authorization", "Bearer " + token}, {"Idempotency-Key", key}},
                Application().dump(), "application/json");
}

TEST(CaseKillTest, AcknowledgedCasesSurviveSigkillExactlyOnce) {
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("tongban_case_kill_{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string db = "sqlite:" + (dir / "kill.db").string();
  const std::vector<std::string> args = {"serve",    "--demo",      "--db",        db,
                                         "--listen", "127.0.0.1:0", "--log-level", "info"};

  std::mutex mu;
  std::map<std::string, std::string> acknowledged;  // key -> case number
  std::set<std::string> attempted;
  {
    Child server(args);
    ASSERT_TRUE(server.started());
    const int port = Serve(server);
    ASSERT_NE(port, 0) << server.output();
    const std::string token = Login(port);
    ASSERT_FALSE(token.empty());

    constexpr int kThreads = 8;
    std::atomic<int> acks{0};
    std::atomic<bool> down{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(10);
        for (int i = 0; i < 500 && !down.load(); ++i) {
          const std::string key = fmt::format("kill-{}-{}", t, i);
          {
            std::lock_guard lock(mu);
            attempted.insert(key);
          }
          auto res = Submit(c, token, key);
          if (!res) break;  // the server is gone: this one is unacknowledged
          if (res->status == 201 || res->status == 200) {
            std::lock_guard lock(mu);
            acknowledged[key] = json::parse(res->body)["number"].get<std::string>();
            ++acks;
          } else {
            ADD_FAILURE() << res->status << " " << res->body;
            break;
          }
        }
      });
    }
    // SIGKILL mid-burst: once some submissions were acknowledged and others are in flight.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (acks.load() < 60 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    ASSERT_EQ(::kill(server.pid(), SIGKILL), 0);
    down.store(true);
    for (auto& th : threads) th.join();
    EXPECT_FALSE(server.Wait(std::chrono::seconds(10)).has_value());  // killed, no exit code
  }
  ASSERT_GE(acknowledged.size(), 60u);
  ASSERT_GT(attempted.size(), acknowledged.size());  // some were cut off

  {
    Child server(args);
    const int port = Serve(server);
    ASSERT_NE(port, 0) << server.output();
    const std::string token = Login(port);
    httplib::Client c("127.0.0.1", port);
    // Every acknowledged case is there, and a retry with its key returns it (200, same number).
    for (const auto& [key, number] : acknowledged) {
      auto got = c.Get("/api/v1/cases/" + number, {{"Authorization", "Bearer " + token}});
      ASSERT_TRUE(got);
      EXPECT_EQ(got->status, 200) << number;
      auto again = Submit(c, token, key);
      ASSERT_TRUE(again);
      EXPECT_EQ(again->status, 200) << key << " " << again->body;
      EXPECT_EQ(json::parse(again->body)["number"], number);
    }
    // The cut-off ones: retried with the same key, each makes (or finds) exactly one case.
    std::set<std::string> numbers;
    for (const auto& [key, number] : acknowledged) numbers.insert(number);
    for (const std::string& key : attempted) {
      if (acknowledged.count(key)) continue;
      auto res = Submit(c, token, key);
      ASSERT_TRUE(res);
      ASSERT_TRUE(res->status == 200 || res->status == 201) << res->body;
      EXPECT_TRUE(numbers.insert(json::parse(res->body)["number"].get<std::string>()).second);
      // And once more: the same case again.
      auto replay = Submit(c, token, key);
      ASSERT_TRUE(replay);
      EXPECT_EQ(replay->status, 200);
    }
    // The applicant's cases: the demo's and exactly one per key, no more.
    size_t total = 0;
    std::string cursor;
    do {
      auto page = c.Get("/api/v1/me/cases?limit=100&cursor=" + cursor,
                        {{"Authorization", "Bearer " + token}});
      ASSERT_TRUE(page && page->status == 200);
      json j = json::parse(page->body);
      total += j["items"].size();
      cursor = j["next_cursor"].is_string() ? j["next_cursor"].get<std::string>() : "";
    } while (!cursor.empty());
    EXPECT_EQ(total, attempted.size() + kDemoCasesOfCitizen);
    EXPECT_EQ(numbers.size(), attempted.size());
    ::kill(server.pid(), SIGTERM);
    EXPECT_EQ(server.Wait(std::chrono::seconds(30)), 0) << server.output();
  }
  auto verified = testing::Run({"audit", "verify", "--db", db});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tongban
