// `tongban rate …` against a database the demo application wrote: statistics, listings,
// invitations, and a simulated press of the rating device at the end of a visit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "app/app.h"
#include "subprocess.h"

namespace tongban {
namespace {

using ::testing::HasSubstr;

TEST(RateCli, StatisticsListingsInvitationsAndASimulatedDevice) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tongban_rate_cli_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = "sqlite:" + (dir / "t.db").string();
  std::string running;
  {
    app::Config config;
    config.db_url = db;
    config.demo = true;
    config.signing_key = (dir / "key.pem").string();
    auto app = app::App::Create(config);
    ASSERT_TRUE(app.ok()) << app.error().ToString();
    people::Principal op;
    op.account.id = "operator";
    op.account.kind = people::AccountKind::kStaff;
    people::HeldGrant g;
    g.permissions = {"case.read"};
    op.grants.push_back(g);
    auto page = (*app)->cases().Search(
        op, {.state = cases::CaseState::kUnderReview, .region = "431128", .limit = 1});
    ASSERT_TRUE(page.ok() && !page->items.empty());
    running = page->items[0].number;
  }
  auto stats = testing::Run(
      {"rate", "statistics", "--by", "region", "--json", "--db", db, "--log-level", "warn",
       "--from", TodayInChina(SystemClock::Instance()).ToString()});  // not the demo's history
  ASSERT_EQ(stats.exit_code, 0) << stats.output;
  auto json = nlohmann::json::parse(stats.output.substr(stats.output.find('{')));
  EXPECT_EQ(json["total"]["rated"], 24);
  EXPECT_EQ(json["total"]["bad"], 4);
  EXPECT_EQ(json["rows"].size(), 5u);
  auto table = testing::Run({"rate", "statistics", "--db", db, "--log-level", "warn"});
  EXPECT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output, HasSubstr("431128-rsj"));
  auto bad_by = testing::Run({"rate", "statistics", "--by", "person", "--db", db});
  EXPECT_EQ(bad_by.exit_code, 2) << bad_by.output;
  EXPECT_THAT(bad_by.output, HasSubstr("--by"));

  auto list =
      testing::Run({"rate", "list", "--region", "431128", "--db", db, "--log-level", "warn"});
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_THAT(list.output, HasSubstr("very_satisfied"));
  auto appealed = testing::Run(
      {"rate", "rectifications", "--state", "appealed", "--db", db, "--log-level", "warn"});
  EXPECT_EQ(appealed.exit_code, 0) << appealed.output;
  EXPECT_THAT(appealed.output, HasSubstr("appealed"));
  // The demo's back-dated history holds cases concluded more than 3 days ago and never rated:
  // each is invited once; a second run finds none left.
  auto invite = testing::Run({"rate", "invite-due", "--db", db, "--log-level", "warn"});
  EXPECT_EQ(invite.exit_code, 0) << invite.output;
  EXPECT_THAT(invite.output, HasSubstr(" invitation(s) queued"));
  EXPECT_NE(invite.output.rfind("0 invitation(s) queued", 0), 0u) << invite.output;
  auto again = testing::Run({"rate", "invite-due", "--db", db, "--log-level", "warn"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output.rfind("0 invitation(s) queued", 0), 0u) << again.output;

  auto pressed =
      testing::Run({"rate", "simulate", "--case", running, "--window", "431128-C03", "--level",
                    "very_dissatisfied", "--tag", "等待时间长", "--db", db, "--log-level", "warn"});
  EXPECT_EQ(pressed.exit_code, 0) << pressed.output;
  EXPECT_THAT(pressed.output, HasSubstr("rated very_dissatisfied on the device"));
  EXPECT_THAT(pressed.output, HasSubstr("rectification"));
  auto wrong_tag = testing::Run({"rate", "simulate", "--case", running, "--window", "431128-C04",
                                 "--level", "satisfied", "--tag", "推诿扯皮", "--db", db});
  EXPECT_EQ(wrong_tag.exit_code, 2) << wrong_tag.output;
  EXPECT_THAT(wrong_tag.output, HasSubstr("tags/0"));
  // The rectification limits of the configuration are checked when the service starts.
  const std::string config = (dir / "bad.yaml").string();
  {
    std::ofstream out(config);
    out << "rectification_limits: \"431128:5,4311:7\"\n";
  }
  auto limits = testing::Run({"rate", "invite-due", "--config", config, "--db", db});
  EXPECT_EQ(limits.exit_code, 2) << limits.output;
  EXPECT_THAT(limits.output, HasSubstr("rectification_limits/1"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tongban
