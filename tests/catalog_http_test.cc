// The catalog over HTTP against the demo data set, as a client uses it: paging, filters,
// reading one matter, and editing it through draft -> approved -> published with ETags and
// region/department authorisation.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "test_server.h"

namespace tongban {
namespace {

using nlohmann::json;
using store::Backend;

class CatalogHttp : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    app::Config config;
    config.demo = true;
    server_ = tongban::testing::TestServer::Start(GetParam(), config);
    if (!server_) return;
    ASSERT_TRUE(server_->Run());
  }
  json GetJson(const std::string& path, int expect = 200) {
    auto res = server_->Client().Get(path);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, expect) << path << ": " << res->body;
    return json::parse(res->body);
  }
  std::string Login(const std::string& username) {
    auto res = server_->Client().Post(
        "/api/v1/sessions", json{{"username", username}, {"password", "tongban-demo"}}.dump(),
        "application/json");
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 201) << res->body;
    return json::parse(res->body).value("token", "");
  }
  httplib::Result Send(const std::string& method, const std::string& path, const json& body,
                       const std::string& token, const std::string& if_match = "") {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    if (!if_match.empty()) h.emplace("If-Match", if_match);
    auto c = server_->Client();
    if (method == "PUT") return c.Put(path, h, body.dump(), "application/json");
    return c.Post(path, h, body.dump(), "application/json");
  }
  // The first matter of 新田县 (431128) on the list.
  json XintianMatter() {
    json page = GetJson("/api/v1/matters?region=431128&limit=1");
    return GetJson("/api/v1/matters/" + page["items"][0]["code"].get<std::string>());
  }

  std::unique_ptr<tongban::testing::TestServer> server_;
};

TEST_P(CatalogHttp, PagesThroughEveryMatterOnceWithFiltersKept) {
  std::set<std::string> codes;
  std::string next = "/api/v1/matters?limit=20";
  int pages = 0;
  std::string previous;
  while (!next.empty() && pages < 20) {
    json page = GetJson(next);
    ++pages;
    EXPECT_LE(page["items"].size(), 20u);
    for (const auto& item : page["items"]) {
      const std::string code = item["code"];
      EXPECT_TRUE(codes.insert(code).second) << code << " listed twice";
      EXPECT_LT(previous, code) << "not in code order";
      previous = code;
      const size_t digits = item["region_code"].get<std::string>().size();
      EXPECT_TRUE(digits == 6 || digits == 12) << item["region_code"];
      EXPECT_FALSE(item["department"]["name"].get<std::string>().empty());
    }
    next = page["next"].is_null() ? "" : page["next"].get<std::string>();
  }
  EXPECT_EQ(codes.size(), 78u);  // the demo catalog's implementation items
  EXPECT_EQ(pages, 4);

  // A filtered listing's next link keeps the filter.
  json first = GetJson("/api/v1/matters?limit=5&region=431128");
  ASSERT_FALSE(first["next"].is_null());
  EXPECT_NE(first["next"].get<std::string>().find("region=431128"), std::string::npos);
  int xintian = 0;
  for (std::string n = "/api/v1/matters?limit=100&region=431128"; !n.empty();) {
    json page = GetJson(n);
    for (const auto& item : page["items"]) {
      EXPECT_TRUE(item["region_code"].get<std::string>().starts_with("431128"));
      ++xintian;
    }
    n = page["next"].is_null() ? "" : page["next"].get<std::string>();
  }
  EXPECT_EQ(xintian, 21);
}

TEST_P(CatalogHttp, FiltersByKindListAndMode) {
  const json benefits = GetJson("/api/v1/matters?limit=100&kind=benefit");
  for (const auto& item : benefits["items"]) {
    EXPECT_EQ(item["kind"], "benefit");
  }
  json nearby = GetJson("/api/v1/matters?limit=100&list=nearby&level=village");
  ASSERT_FALSE(nearby["items"].empty());
  for (const auto& item : nearby["items"]) {
    const auto& levels = item["lists"]["nearby"];
    EXPECT_NE(std::find(levels.begin(), levels.end(), "village"), levels.end());
  }
  json proxy = GetJson("/api/v1/matters?limit=100&mode=proxy_acceptance");
  ASSERT_FALSE(proxy["items"].empty());
  for (const auto& item : proxy["items"]) {
    const auto& modes = item["cross_region_modes"];
    EXPECT_NE(std::find(modes.begin(), modes.end(), "proxy_acceptance"), modes.end());
  }
  json bad = GetJson("/api/v1/matters?limit=0&list=everything&as_of=2025-13-01", 400);
  std::set<std::string> fields;
  for (const auto& e : bad["errors"]) fields.insert(e["field"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"limit", "list", "as_of"}));
}

TEST_P(CatalogHttp, ReferenceListsArePublic) {
  EXPECT_EQ(GetJson("/api/v1/departments")["items"].size(), 69u);
  json certs = GetJson("/api/v1/certificates");
  EXPECT_EQ(certs["retained"], 8);
  EXPECT_EQ(certs["cancelled"], 8);
  EXPECT_EQ(GetJson("/api/v1/bundles")["items"].size(), 10u);
  EXPECT_EQ(GetJson("/api/v1/basic-items")["items"].size(), 47u);
  EXPECT_EQ(GetJson("/api/v1/catalog")["implementation_items"].size(), 78u);
}

TEST_P(CatalogHttp, EditsGoThroughDraftApprovalAndPublicationWithEtags) {
  json matter = XintianMatter();
  const std::string code = matter["code"];
  const std::string path = "/api/v1/matters/" + code;
  auto res = server_->Client().Get(path);
  ASSERT_TRUE(res);
  const std::string etag = res->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());

  json edited = matter;  // what GET answered can be sent back as it is
  edited["visits"] = 0;
  const std::string admin = Login("xintian.catalog_admin");

  auto anonymous = Send("POST", "/api/v1/matters", edited, "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto no_if_match = Send("POST", "/api/v1/matters", edited, admin);
  ASSERT_TRUE(no_if_match);
  EXPECT_EQ(no_if_match->status, 428);
  auto created = Send("POST", "/api/v1/matters", edited, admin, etag);
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  json draft = json::parse(created->body);
  EXPECT_EQ(draft["version"]["status"], "draft");
  EXPECT_EQ(draft["version"]["version"], 2);
  const std::string draft_etag = created->get_header_value("ETag");

  // An import never silently overwrites the open draft: 409 naming the item, nothing changed.
  json in_force = GetJson("/api/v1/catalog");
  json stored_item;
  for (const json& item : in_force["implementation_items"]) {
    if (item["code"] == code) stored_item = item;
  }
  ASSERT_FALSE(stored_item.is_null());
  const json file = {{"implementation_items", json::array({stored_item})}};
  auto conflict = Send("POST", "/api/v1/catalog", file, admin);
  ASSERT_TRUE(conflict);
  EXPECT_EQ(conflict->status, 409) << conflict->body;
  const json problem = json::parse(conflict->body);
  ASSERT_EQ(problem["errors"].size(), 1u) << conflict->body;
  EXPECT_EQ(problem["errors"][0]["field"], "implementation_items/0");
  EXPECT_NE(problem["errors"][0]["message"].get<std::string>().find(code + " has an unpublished"),
            std::string::npos)
      << conflict->body;
  auto bad_flag = Send("POST", "/api/v1/catalog?replace_drafts=maybe", file, admin);
  ASSERT_TRUE(bad_flag);
  EXPECT_EQ(bad_flag->status, 400);
  EXPECT_EQ(json::parse(bad_flag->body)["errors"][0]["field"], "replace_drafts");

  // Another region's catalog administrator can neither edit it nor take it over.
  const std::string other = Login("liuyang.catalog_admin");
  auto foreign = Send("PUT", path, edited, other, draft_etag);
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403);
  json moved = edited;
  moved["region"] = "430181";
  auto takeover = Send("POST", "/api/v1/matters", moved, other, draft_etag);
  ASSERT_TRUE(takeover);
  EXPECT_EQ(takeover->status, 403);

  // The public still sees the published version; the draft is not public.
  EXPECT_EQ(GetJson(path)["visits"], matter["visits"]);
  GetJson(path + "?version=2", 401);

  // Stale revisions are refused; the current one goes through.
  edited["visits"] = 1;
  auto stale = Send("PUT", path, edited, admin, etag);
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 412);
  auto updated = Send("PUT", path, edited, admin, draft_etag);
  ASSERT_TRUE(updated);
  ASSERT_EQ(updated->status, 200) << updated->body;

  auto approved =
      Send("POST", path + "/approve", json::object(), admin, updated->get_header_value("ETag"));
  ASSERT_TRUE(approved);
  ASSERT_EQ(approved->status, 200) << approved->body;
  auto bad_date = Send("POST", path + "/publish", json{{"effective_from", "2025-02-30"}}, admin,
                       approved->get_header_value("ETag"));
  ASSERT_TRUE(bad_date);
  EXPECT_EQ(bad_date->status, 400);
  auto published = Send("POST", path + "/publish", json{{"effective_from", "2025-06-01"}}, admin,
                        approved->get_header_value("ETag"));
  ASSERT_TRUE(published);
  ASSERT_EQ(published->status, 200) << published->body;
  EXPECT_EQ(GetJson(path)["visits"], 1);
  // What was in force before the new version's date is unchanged.
  EXPECT_EQ(GetJson(path + "?as_of=2025-03-01")["visits"], matter["visits"]);
}

TEST_P(CatalogHttp, InvalidMattersListEveryProblem) {
  json matter = XintianMatter();
  matter["handling_type"] = "sometimes";
  matter["colour"] = "red";
  matter["scenarios"][0]["materials"][0]["source"] = "nowhere";
  const std::string admin = Login("xintian.catalog_admin");
  auto res = Send("POST", "/api/v1/matters", matter, admin, "\"1\"");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  std::set<std::string> fields;
  const json problem = json::parse(res->body);
  for (const auto& e : problem["errors"]) fields.insert(e["field"].get<std::string>());
  EXPECT_TRUE(fields.contains("handling_type")) << res->body;
  EXPECT_TRUE(fields.contains("colour")) << res->body;
  EXPECT_TRUE(fields.contains("scenarios/0/materials/0/source")) << res->body;

  // A query parameter's problem names the parameter as the client sent it.
  json bad_query = GetJson("/api/v1/matters?q=%FF", 400);
  ASSERT_EQ(bad_query["errors"].size(), 1u) << bad_query.dump();
  EXPECT_EQ(bad_query["errors"][0]["field"], "q");
}

// A bundle (一件事) is its region's: the county's catalog administrator adds and edits its own,
// cannot write one into another region nor take another region's over by its code, and an
// invalid bundle is refused naming its field.
TEST_P(CatalogHttp, BundlesAreWrittenWithinTheirRegion) {
  const std::string admin = Login("xintian.catalog_admin");
  const json mine = {
      {"code", "431128-yjs-xiaochi"},
      {"name", "开办小吃店“一件事”"},
      {"region", "431128"},
      {"matters", {"11431128MB170582X2000141005000001", "11431128MB170582X2000141001000001"}},
      {"process", "bundle_sequence"}};
  auto created = Send("POST", "/api/v1/catalog", {{"bundles", {mine}}}, admin);
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  EXPECT_EQ(json::parse(created->body)["bundles"], 1);
  json bundles = GetJson("/api/v1/bundles")["items"];
  EXPECT_EQ(bundles.size(), 11u);
  json found;
  for (const json& b : bundles) {
    if (b["code"] == "431128-yjs-xiaochi") found = b;
  }
  EXPECT_EQ(found["process"], "bundle_sequence");
  EXPECT_EQ(found["matters"][0], "11431128MB170582X2000141005000001");

  json theirs = mine;
  theirs["region"] = "430181";
  auto elsewhere = Send("POST", "/api/v1/catalog", {{"bundles", {theirs}}}, admin);
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 403) << elsewhere->body;
  json taken = mine;
  taken["code"] = "430181-yjs-qianhu";  // 浏阳市's bundle, claimed for 新田县
  auto takeover = Send("POST", "/api/v1/catalog", {{"bundles", {taken}}}, admin);
  ASSERT_TRUE(takeover);
  EXPECT_EQ(takeover->status, 403) << takeover->body;
  EXPECT_EQ(Send("POST", "/api/v1/catalog", {{"bundles", {mine}}}, Login("liuyang.catalog_admin"))
                ->status,
            403);

  json bad = mine;
  bad["code"] = "小吃店 一件事";
  auto refused = Send("POST", "/api/v1/catalog", {{"bundles", {bad}}}, admin);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400) << refused->body;
  EXPECT_EQ(json::parse(refused->body)["errors"][0]["field"], "bundles/0/code") << refused->body;
  EXPECT_EQ(GetJson("/api/v1/bundles")["items"].size(), 11u);
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogHttp, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban
