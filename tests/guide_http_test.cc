// Search in Chinese and the guide (智能导办) over HTTP against the demo data set, on SQLite and
// PostgreSQL: GET /api/v1/matters/search and POST /api/v1/matters/{code}/guide.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <set>

#include "test_server.h"

namespace tongban {
namespace {

using nlohmann::json;
using store::Backend;

constexpr char kFood[] = "11431128MB170582X2000141005000001";
constexpr char kSubsidy[] = "11431128MB17048517050103021000001";

class GuideHttp : public ::testing::TestWithParam<Backend> {
 protected:
  // One demo server per backend for the whole suite: every test here only reads (anonymous
  // search and guide requests), so none can disturb another, and the demo loads twice, not ten
  // times (this suite's share of CI).
  static void TearDownTestSuite() { tongban::testing::StopSharedDemoServers(); }
  void SetUp() override {
    server_ = tongban::testing::SharedDemoServer(GetParam());
    if (!server_) GTEST_SKIP() << "backend not available";
  }
  json GetJson(const std::string& path, int expect = 200) {
    auto res = server_->Client().Get(path);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, expect) << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }
  httplib::Result Guide(const std::string& code, const json& body, const std::string& query = "") {
    return server_->Client().Post("/api/v1/matters/" + code + "/guide" + query, body.dump(),
                                  "application/json");
  }
  static std::string Q(const std::string& text) {
    return httplib::detail::encode_query_param(text);
  }

  tongban::testing::TestServer* server_ = nullptr;
};

TEST_P(GuideHttp, SearchFindsMattersFromEverydayPhrasing) {
  json page = GetJson("/api/v1/matters/search?q=" + Q("我要开餐馆"));
  ASSERT_GE(page["items"].size(), 2u);
  EXPECT_EQ(page["items"][0]["name"], "食品经营许可");
  EXPECT_GT(page["items"][0]["score"].get<int>(), 0);
  EXPECT_EQ(page["terms"], json::array({"开餐", "餐馆"}));

  page = GetJson("/api/v1/matters/search?q=" + Q("公共场所卫生") + "&region=431128");
  std::set<std::string> names;
  for (const auto& item : page["items"]) {
    names.insert(item["name"].get<std::string>());
    EXPECT_EQ(item["region_code"], "431128");
  }
  EXPECT_TRUE(names.contains("公共场所卫生许可"));

  EXPECT_TRUE(GetJson("/api/v1/matters/search?q=" + Q("宇宙飞船"))["items"].empty());

  // Pages keep the query and the filters.
  page = GetJson("/api/v1/matters/search?limit=1&q=" + Q("许可") + "&kind=licensing");
  ASSERT_EQ(page["items"].size(), 1u);
  const std::string next = page["next"];
  EXPECT_NE(next.find("kind=licensing"), std::string::npos);
  json second = GetJson(next);
  ASSERT_EQ(second["items"].size(), 1u);
  EXPECT_NE(second["items"][0]["code"], page["items"][0]["code"]);
}

TEST_P(GuideHttp, BadSearchesNameTheirParameters) {
  json problem = GetJson("/api/v1/matters/search", 400);
  EXPECT_EQ(problem["errors"][0]["field"], "q");
  problem = GetJson("/api/v1/matters/search?q=" + Q("，") + "&limit=0&kind=x", 400);
  std::set<std::string> fields;
  for (const auto& e : problem["errors"]) fields.insert(e["field"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"limit", "kind"}));
  problem = GetJson("/api/v1/matters/search?q=" + Q("，"), 400);
  EXPECT_EQ(problem["errors"][0]["field"], "q");
}

TEST_P(GuideHttp, TheGuideAsksUntilTheScenarioIsChosen) {
  auto res = Guide(kFood, json::object());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json step = json::parse(res->body);
  EXPECT_EQ(step["question"]["id"], "purpose");
  EXPECT_EQ(step["question"]["options"].size(), 4u);
  EXPECT_TRUE(step["scenario"].is_null());
  EXPECT_EQ(step["matter"]["name"], "食品经营许可");

  res = Guide(kFood, {{"answers", {{"purpose", "first"}, {"operator_type", "restaurant"}}}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  step = json::parse(res->body);
  EXPECT_TRUE(step["question"].is_null());
  EXPECT_EQ(step["scenario"]["code"], "new");
  EXPECT_EQ(step["answered"].size(), 2u);
  bool licence = false;
  for (const auto& m : step["scenario"]["materials"]) {
    if (m["name"] == "营业执照") {
      licence = true;
      EXPECT_EQ(m["source"], "licence");
      EXPECT_EQ(m["licence_type"], "营业执照");
    }
  }
  EXPECT_TRUE(licence);
  EXPECT_FALSE(step["scenario"]["form"].empty());

  // The decision-table guide of the disability subsidies.
  res = Guide(kSubsidy, {{"answers", {{"purpose", "change"}, {"has_card", "yes"}}}});
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["scenario"]["code"], "change");
  res = Guide(kSubsidy, {{"answers", {{"purpose", "apply"}, {"has_card", "no"}}}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 422) << res->body;
}

TEST_P(GuideHttp, TheChecklistPrints) {
  const json body = {{"answers", {{"purpose", "change"}}}};
  auto text = Guide(kFood, body, "?format=text");
  ASSERT_TRUE(text);
  ASSERT_EQ(text->status, 200) << text->body;
  EXPECT_NE(text->get_header_value("Content-Type").find("text/plain"), std::string::npos);
  EXPECT_NE(text->body.find("办理情形：变更"), std::string::npos) << text->body;
  EXPECT_NE(text->body.find("来源：调用（电子证照：食品经营许可证）"), std::string::npos);
  auto html = Guide(kFood, body, "?format=html");
  ASSERT_TRUE(html);
  EXPECT_NE(html->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(html->body.find("<h2>办理情形：变更</h2>"), std::string::npos);
}

TEST_P(GuideHttp, BadGuideRequestsNameTheirFields) {
  auto res = Guide(kFood, {{"answers", {{"purpose", 3}}}, {"colour", "red"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  std::set<std::string> fields;
  const json problem = json::parse(res->body);
  for (const auto& e : problem["errors"]) fields.insert(e["field"]);
  EXPECT_EQ(fields, (std::set<std::string>{"answers/purpose", "colour"}));

  res = Guide(kFood, {{"answers", {{"purpose", "party"}}}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["errors"][0]["field"], "answers/purpose");

  res = Guide("NO-SUCH-MATTER", json::object());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  res = Guide(kFood, json::object(), "?format=pdf");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

INSTANTIATE_TEST_SUITE_P(Backends, GuideHttp, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban
