// Every figure the article reports, computed from the demo (`serve --demo`, with its history of
// the past six months) by one request each: the KPI report of 新田县 over that half year
// (GET /api/v1/kpi/reports, one figure per name; docs/kpi.md lists figure -> name). Each must have
// a value, agree with its own numerator and denominator, and agree with the demo's rows counted
// directly in the database -- never with numbers written here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "test_server.h"

namespace tongban {
namespace {

using nlohmann::json;

class ArticleFiguresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app::Config config;
    config.demo = true;
    server_ = testing::TestServer::Start(store::Backend::kSqlite, config);
    ASSERT_TRUE(server_ && server_->Run());
    json login = {{"username", "xintian.supervisor"}, {"password", "tongban-demo"}};
    auto res = server_->Client().Post("/api/v1/sessions", login.dump(), "application/json");
    ASSERT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
    token_ = json::parse(res->body).value("token", "");
    today_ = TodayInChina(SystemClock::Instance());
    from_ = today_.AddDays(-200);
  }

  // The report of 新田县 from `from_` to today; its figures by name (the unlabelled one).
  json Report() {
    httplib::Headers headers{{"Authorization", "Bearer " + token_}};
    auto res = server_->Client().Get(
        "/api/v1/kpi/reports?region=431128&period=" + from_.ToString() + ".." + today_.ToString(),
        headers);
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
    json out = json::object();
    if (!res || res->status != 200) return out;
    const json body = json::parse(res->body);
    for (const json& f : body["figures"]) {
      if (!f.contains("labels")) out[f["name"].get<std::string>()] = f;
    }
    return out;
  }

  int64_t Count(const std::string& text) {
    auto n = server_->app().db().Transaction<int64_t>(store::TxKind::kRead,
                                                      [&](soci::session& sql) -> Result<int64_t> {
                                                        long long v = 0;
                                                        sql << text, soci::into(v);
                                                        return v;
                                                      });
    EXPECT_TRUE(n.ok()) << n.error().ToString();
    return n.ok() ? *n : -1;
  }

  std::unique_ptr<testing::TestServer> server_;
  std::string token_;
  Date today_, from_;
};

TEST_F(ArticleFiguresTest, EveryFigureOfTheArticleComesFromTheDemo) {
  const json r = Report();
  // The article's figures, each by its name in the report.
  for (const char* name : {"applications",
                           "concluded",
                           "conclusion_rate",
                           "on_time_rate",
                           "average_working_days",
                           "p90_working_days",
                           "case_compression_rate",
                           "compression_rate",
                           "average_materials_per_matter",
                           "average_materials_not_from_applicant",
                           "online_share",
                           "cross_region",
                           "ratings",
                           "good_ratings",
                           "good_rating_rate",
                           "rectification_rate",
                           "named_bad_callback_rate",
                           "demands_received",
                           "demands_closed",
                           "demand_closure_rate",
                           "warnings_issued",
                           "yellow_cards",
                           "red_cards",
                           "matters"}) {
    ASSERT_TRUE(r.contains(name)) << name << " is not in the report";
    EXPECT_FALSE(r[name]["value"].is_null()) << name << " has no value";
    if (r[name].contains("denominator")) {
      EXPECT_GT(r[name]["denominator"].get<int64_t>(), 0) << name;
    }
  }
  auto value = [&](const char* name) { return r[name]["value"].get<int64_t>(); };
  auto num = [&](const char* name) { return r[name]["numerator"].get<int64_t>(); };
  auto den = [&](const char* name) { return r[name]["denominator"].get<int64_t>(); };

  // 办结率 (99.53 %): concluded over applications, both from the demo's cases.
  EXPECT_EQ(num("conclusion_rate"), value("concluded"));
  EXPECT_EQ(den("conclusion_rate"), value("applications"));
  const std::string in_period = fmt::format(
      "received_on >= '{}' AND received_on <= '{}' AND region_code LIKE '431128%' "
      "AND NOT EXISTS (SELECT 1 FROM walkthrough_case w WHERE w.case_id = id)",
      from_.ToString(), today_.ToString());
  EXPECT_EQ(value("applications"), Count("SELECT COUNT(*) FROM case_record WHERE " + in_period));
  EXPECT_GT(value("concluded"), 0);
  EXPECT_LT(value("concluded"), value("applications"));  // refused, withdrawn, open ones
  // On time: the history has late ones, so the rate is below 100 %.
  EXPECT_LT(num("on_time_rate"), den("on_time_rate"));
  EXPECT_GT(num("on_time_rate"), 0);
  // Ratings (138,932, 99.99 % good): the demo's, counted directly.
  EXPECT_EQ(value("ratings"),
            Count(fmt::format("SELECT COUNT(*) FROM evaluation WHERE voided = 0 AND region_code "
                              "LIKE '431128%' AND created_at >= {}",
                              std::chrono::duration_cast<std::chrono::milliseconds>(
                                  StartOfDayInChina(from_).time_since_epoch())
                                  .count())));
  EXPECT_EQ(num("good_rating_rate"), value("good_ratings"));
  EXPECT_EQ(den("good_rating_rate"), value("ratings"));
  EXPECT_LT(value("good_ratings"), value("ratings"));  // a few bad ones, rectified
  EXPECT_GT(num("rectification_rate"), 0);
  // Demands (479, 446 closed).
  EXPECT_EQ(value("demands_received"),
            Count("SELECT COUNT(*) FROM demand WHERE region LIKE '431128%'"));
  EXPECT_EQ(num("demand_closure_rate"), value("demands_closed"));
  EXPECT_GT(value("demands_closed"), 0);
  // Cards: the history's cases still under review past their due day.
  EXPECT_EQ(value("yellow_cards"),
            Count("SELECT COUNT(*) FROM supervision_card WHERE level = 'yellow' AND region_code "
                  "LIKE '431128%'"));
  EXPECT_GT(value("yellow_cards"), 0);
  // Materials 5.9 -> 3.1 and the compression of the limits: over the matters in force.
  EXPECT_GT(den("average_materials_per_matter"), 0);
  EXPECT_EQ(den("average_materials_per_matter"), value("matters"));
  EXPECT_GT(den("compression_rate"), 0);
}

}  // namespace
}  // namespace tongban
