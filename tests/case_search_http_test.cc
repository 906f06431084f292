// Case views and search over HTTP against the demo data set: the demo holds cases in every
// state for every locality; staff search them within their grants only, keyset-paged; the
// applicant sees its own cases with progress, documents and remaining working days.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "app/demo.h"
#include "test_server.h"

namespace tongban {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class CaseSearchHttpTest : public ::testing::Test {
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
  httplib::Result Get(const std::string& path, const std::string& token) {
    return server_->Client().Get(path, {{"Authorization", "Bearer " + token}});
  }
  json GetJson(const std::string& path, const std::string& token, int status = 200) {
    auto res = Get(path, token);
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, status) << path << "\n" << res->body;
    return json::parse(res->body);
  }

  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(CaseSearchHttpTest, TheDemoHoldsEveryStateInEveryLocality) {
  const std::vector<std::string> names = {"xintian", "liuyang", "hengshan", "shifeng", "yunxi"};
  const std::vector<std::string> regions = app::DemoLocalities();
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string clerk = Login({{"username", names[i] + ".window_clerk"}});
    std::set<std::string> states;
    bool extended = false;
    // Every page: 新田县's newest cases are the demo's 178 concluded grant cases (免申即享).
    std::string cursor;
    for (int pages = 0; pages < 20; ++pages) {
      json page = GetJson("/api/v1/cases?limit=100&region=" + regions[i] +
                              (cursor.empty() ? "" : "&cursor=" + cursor),
                          clerk);
      for (const json& item : page["items"]) {
        states.insert(item["state"].get<std::string>());
        // The locality's subtree: its towns' cases too (the demo's back-dated history).
        EXPECT_TRUE(item["region"].get<std::string>().starts_with(regions[i])) << item["region"];
        if (extended) continue;
        auto full = GetJson(item["href"].get<std::string>(), clerk);
        if (full["clock"]["extension_days"] == 10) extended = true;
      }
      if (!page["next_cursor"].is_string()) break;
      cursor = page["next_cursor"].get<std::string>();
    }
    EXPECT_EQ(states, (std::set<std::string>{"submitted", "correction_requested", "under_review",
                                             "suspended", "approved", "denied", "concluded",
                                             "withdrawn", "refused"}))
        << names[i];
    EXPECT_TRUE(extended) << names[i];
  }
}

TEST_F(CaseSearchHttpTest, StaffSearchWithinTheirGrantsAndApplicantsSeeTheirOwn) {
  const std::string clerk = Login({{"username", "xintian.window_clerk"}});
  const std::string other = Login({{"username", "liuyang.window_clerk"}});
  const std::string citizen = Login({{"id_number", "431128196803150214"}});

  // By applicant (the ID number is a query parameter, matched, never echoed).
  json mine = GetJson("/api/v1/cases?applicant=431128196803150214&limit=3", clerk);
  ASSERT_EQ(mine["items"].size(), 3u);
  ASSERT_TRUE(mine["next_cursor"].is_string());
  json rest = GetJson("/api/v1/cases?applicant=431128196803150214&limit=100&cursor=" +
                          mine["next_cursor"].get<std::string>(),
                      clerk);
  EXPECT_EQ(mine["items"].size() + rest["items"].size(), 10u);
  EXPECT_TRUE(rest["next_cursor"].is_null());
  json suspended = GetJson("/api/v1/cases?state=suspended", clerk);
  ASSERT_EQ(suspended["items"].size(), 1u);
  EXPECT_EQ(suspended["items"][0]["state"], "suspended");

  // Another county's clerk sees none of 新田县's cases and may not ask for them.
  json theirs = GetJson("/api/v1/cases?applicant=431128196803150214", other);
  EXPECT_TRUE(theirs["items"].empty());
  GetJson("/api/v1/cases?region=431128", other, 403);
  GetJson("/api/v1/cases", citizen, 403);
  json bad = GetJson(
      "/api/v1/cases?state=lost&overdue=maybe&from=2026-13-01&applicant=4311281968"
      "03150215",
      clerk, 400);
  EXPECT_THAT(bad.dump(), HasSubstr("state"));
  EXPECT_THAT(bad.dump(), HasSubstr("overdue"));
  EXPECT_THAT(bad.dump(), HasSubstr("from"));
  EXPECT_THAT(bad.dump(), Not(HasSubstr("431128196803150215")));

  // The applicant's own cases: progress, documents, remaining working days.
  json own = GetJson("/api/v1/me/cases?limit=100", citizen);
  ASSERT_EQ(own["items"].size(), 10u);
  std::set<std::string> states;
  for (const json& c : own["items"]) {
    states.insert(c["state"].get<std::string>());
    EXPECT_TRUE(c["progress"]["steps"].is_array());
    EXPECT_TRUE(c["remaining_working_days"].is_number());
    if (c["state"] == "concluded") {
      EXPECT_EQ(c["progress"]["steps_done"], 4);
      EXPECT_EQ(c["documents"].size(), 2u);  // 受理通知书, 准予许可决定书
    }
    if (c["state"] == "under_review" && c["clock"]["extension_days"] == 0) {
      EXPECT_EQ(c["progress"]["steps_done"], 2);
      EXPECT_GT(c["remaining_working_days"].get<int>(), 0);
    }
  }
  EXPECT_EQ(states.size(), 9u);
  GetJson("/api/v1/me/cases?limit=0", citizen, 400);
}

}  // namespace
}  // namespace tongban
