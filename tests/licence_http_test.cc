// E-licences over HTTP against the demo data set: issue with a token and within scope, the
// public verification page and API (no login) with the reason for an altered or revoked
// licence, and the PDF; holders read their own licences (GET /api/v1/me/licences, the PDF and
// the QR code) and nobody else's.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "test_server.h"

namespace tongban {
namespace {

using nlohmann::json;

class LicenceHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app::Config config;
    config.demo = true;
    config.public_url = "https://zwfw.example.cn";
    server_ = testing::TestServer::Start(store::Backend::kSqlite, config);
    ASSERT_TRUE(server_ && server_->Run());
  }

  std::string Login(const std::string& username, const char* key = "username") {
    auto c = server_->Client();
    auto res =
        c.Post("/api/v1/sessions", json{{key, username}, {"password", "tongban-demo"}}.dump(),
               "application/json");
    EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
    return res ? json::parse(res->body).value("token", "") : "";
  }
  httplib::Result Post(const std::string& path, const json& body, const std::string& token) {
    auto c = server_->Client();
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return c.Post(path, h, body.dump(), "application/json");
  }
  httplib::Result Get(const std::string& path, const std::string& token = "") {
    auto c = server_->Client();
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return c.Get(path, h);
  }

  static json BusinessLicence(const std::string& issuer) {
    return {{"type_code", "11100000000013338W011"},
            {"holder_id", "91431128MB1711648A"},
            {"holder_name", "新田县自来水有限公司"},
            {"issuer", issuer},
            {"data",
             {{"name", "新田县自来水有限公司"},
              {"kind", "有限责任公司"},
              {"legal_representative", "张三"},
              {"established", "2010-05-04"},
              {"address", "新田县龙泉镇"},
              {"scope", "自来水生产与供应"}}}};
  }

  std::unique_ptr<testing::TestServer> server_;
};

TEST_F(LicenceHttpTest, IssueVerifyRevokeAndPrint) {
  auto types = Get("/api/v1/licence-types");
  ASSERT_TRUE(types);
  EXPECT_EQ(json::parse(types->body)["items"].size(), 11u);

  const std::string token = Login("xintian.certificate_issuer");
  auto unauthenticated = Post("/api/v1/licences", BusinessLicence("431128-scjgj"), "");
  ASSERT_TRUE(unauthenticated);
  EXPECT_EQ(unauthenticated->status, 401);
  // 浏阳's department is outside the account's region.
  auto outside = Post("/api/v1/licences", BusinessLicence("430181-scjgj"), token);
  ASSERT_TRUE(outside);
  EXPECT_EQ(outside->status, 403) << outside->body;
  json bad = BusinessLicence("431128-scjgj");
  bad["data"].erase("scope");
  auto invalid = Post("/api/v1/licences", bad, token);
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 400);
  EXPECT_NE(invalid->body.find("data.scope"), std::string::npos) << invalid->body;

  auto issued = Post("/api/v1/licences", BusinessLicence("431128-scjgj"), token);
  ASSERT_TRUE(issued);
  ASSERT_EQ(issued->status, 201) << issued->body;
  const json licence = json::parse(issued->body);
  const std::string id = licence["id"];

  // The public page, no login.
  auto page = Get("/verify/" + id);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<strong>有效</strong>"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("新田县市场监督管理局"), std::string::npos);

  // A presented licence, altered.
  json presented = licence["licence"];
  auto ok = Post("/api/v1/licences/verify", presented, "");
  ASSERT_TRUE(ok);
  EXPECT_EQ(json::parse(ok->body)["outcome"], "valid") << ok->body;
  presented["document"]["holder"]["name"] = "别的公司";
  auto altered = Post("/api/v1/licences/verify", presented, "");
  ASSERT_TRUE(altered);
  const json a = json::parse(altered->body);
  EXPECT_EQ(a["outcome"], "altered");
  EXPECT_EQ(a["altered_fields"], json::array({"holder.name"}));

  // The PDF needs licence.read.
  EXPECT_EQ(Get("/api/v1/licences/" + id + "/pdf")->status, 401);
  auto pdf = Get("/api/v1/licences/" + id + "/pdf", token);
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->status, 200);
  EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");

  // Revoke with a reason; the page then says why.
  auto no_reason = Post("/api/v1/licences/" + id + "/revoke", json::object(), token);
  ASSERT_TRUE(no_reason);
  EXPECT_EQ(no_reason->status, 400);
  // A reason that is not text, or an unknown field, is a 400 naming it (it was a 500).
  for (const json& bad : {json{{"reason", 5}}, json{{"reason", "x"}, {"colour", "red"}}}) {
    auto refused = Post("/api/v1/licences/" + id + "/revoke", bad, token);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << refused->body;
    EXPECT_NE(refused->body.find(bad.contains("colour") ? "colour" : "reason"), std::string::npos)
        << refused->body;
  }
  auto bad_changes =
      Post("/api/v1/licences/" + id + "/reissue", {{"changes", "all"}, {"reason", "x"}}, token);
  ASSERT_TRUE(bad_changes);
  EXPECT_EQ(bad_changes->status, 400) << bad_changes->body;
  auto revoked = Post("/api/v1/licences/" + id + "/revoke", {{"reason", "企业申请注销"}}, token);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 200) << revoked->body;
  page = Get("/verify/" + id);
  EXPECT_NE(page->body.find("<strong>无效</strong>"), std::string::npos);
  EXPECT_NE(page->body.find("企业申请注销"), std::string::npos);
  EXPECT_EQ(Get("/verify/1.2.156.3005.2.nothing")->status, 404);
}

TEST_F(LicenceHttpTest, HoldersReadTheirOwnLicences) {
  // 新田县富硒农产品有限公司: 邓桂英 represents it, 李志强 is its agent; 周德华 has nothing to do
  // with it.
  const std::string issuer = Login("xintian.certificate_issuer");
  json licence = BusinessLicence("431128-scjgj");
  licence["holder_id"] = "91431128MA4L0A019K";
  licence["holder_name"] = "新田县富硒农产品有限公司";
  licence["data"]["name"] = "新田县富硒农产品有限公司";
  auto issued = Post("/api/v1/licences", licence, issuer);
  ASSERT_TRUE(issued);
  ASSERT_EQ(issued->status, 201) << issued->body;
  const std::string id = json::parse(issued->body)["id"];

  EXPECT_EQ(Get("/api/v1/me/licences")->status, 401);
  for (const char* holder : {"431128199001010379", "431128196803150214"}) {
    const std::string token = Login(holder, "id_number");
    auto mine = Get("/api/v1/me/licences", token);
    ASSERT_TRUE(mine);
    ASSERT_EQ(mine->status, 200) << mine->body;
    // This one and what the demo gave the enterprise (src/app/demo_sources.cc: 营业执照,
    // 不动产权证书, 从业人员健康合格证明); its legal representative 邓桂英 also holds her own
    // 居民身份证, her agent nothing of his own.
    const json all = json::parse(mine->body)["items"];
    json items = json::array();
    std::multiset<std::string> types;
    for (const json& item : all) {
      if (item["id"] == id) items.push_back(item);
      types.insert(item["type_name"].get<std::string>());
    }
    std::multiset<std::string> expected = {"营业执照", "营业执照", "不动产权证书",
                                           "从业人员健康合格证明"};
    if (std::string(holder) == "431128196803150214") expected.insert("居民身份证");
    EXPECT_EQ(types, expected) << holder << ": " << mine->body;
    ASSERT_EQ(items.size(), 1u) << holder << ": " << mine->body;
    EXPECT_EQ(items[0]["type_name"], "营业执照");
    EXPECT_EQ(items[0]["verification_url"], "https://zwfw.example.cn/verify/" + id);
    EXPECT_EQ(items[0]["pdf_href"], "/api/v1/licences/" + id + "/pdf");
    EXPECT_FALSE(items[0].contains("licence"));  // the signed document is the register's read
    auto pdf = Get("/api/v1/licences/" + id + "/pdf", token);
    ASSERT_TRUE(pdf);
    EXPECT_EQ(pdf->status, 200);
    EXPECT_EQ(pdf->body.substr(0, 5), "%PDF-");
    auto qr = Get("/api/v1/licences/" + id + "/qrcode", token);
    ASSERT_TRUE(qr);
    EXPECT_EQ(qr->status, 200);
    EXPECT_EQ(qr->get_header_value("Content-Type"), "image/svg+xml");
    EXPECT_EQ(qr->body.substr(0, 4), "<svg");
    EXPECT_NE(qr->body.find("<path d=\"M"), std::string::npos);
  }

  // Somebody else: not this licence (周德华 holds only the demo's e-certificates of his own
  // applications), and the PDF, the QR code and the register's copy refused.
  const std::string other = Login("432930195507020150", "id_number");
  auto none = Get("/api/v1/me/licences", other);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 200);
  const json others = json::parse(none->body);
  for (const json& item : others["items"]) {
    EXPECT_NE(item["id"], id);
    EXPECT_EQ(item["holder_id"], "432930195507020150") << item.dump();
  }
  EXPECT_EQ(Get("/api/v1/licences/" + id + "/pdf", other)->status, 403);
  EXPECT_EQ(Get("/api/v1/licences/" + id + "/qrcode", other)->status, 403);
  EXPECT_EQ(Get("/api/v1/licences/" + id, other)->status, 403);
  // Staff hold no licences of their own; the issuer still reads the register with licence.read.
  auto staff = Get("/api/v1/me/licences", issuer);
  ASSERT_TRUE(staff);
  EXPECT_TRUE(json::parse(staff->body)["items"].empty());
  EXPECT_EQ(Get("/api/v1/licences/" + id + "/qrcode", issuer)->status, 200);
}

}  // namespace
}  // namespace tongban
