// Material sources over HTTP against the demo data set, on SQLite and PostgreSQL: every source
// occurs in `serve --demo` (周德华's applications), the 民政局's inbox answers a certificate
// request with a sealed e-certificate, what an application would resolve to, and the report of
// materials no longer carried.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

#include "test_server.h"

namespace tongban {
namespace {

using nlohmann::json;
using store::Backend;

constexpr char kCitizen[] = "432930195507020150";
constexpr char kTwoSubsidies[] = "11431128MB17048517050103021000001";

class SourcesHttp : public ::testing::TestWithParam<Backend> {
 protected:
  // One demo server per backend for the suite (the demo loads twice, not six times: this
  // suite's share of CI). The tests touch disjoint data: 周德华's cases and sources are only
  // read, the one write answers 黄丽's certificate request, which no other test reads.
  static void TearDownTestSuite() { tongban::testing::StopSharedDemoServers(); }
  void SetUp() override {
    server_ = tongban::testing::SharedDemoServer(GetParam());
    if (!server_) GTEST_SKIP() << "backend not available";
  }
  std::string Login(const json& credentials) {
    json body = credentials;
    body["password"] = "tongban-demo";
    auto res = server_->Client().Post("/api/v1/sessions", body.dump(), "application/json");
    EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
    return res ? json::parse(res->body).value("token", "") : "";
  }
  json Call(const std::string& method, const std::string& path, const std::string& token,
            const json& body, int expect) {
    httplib::Headers h{{"Authorization", "Bearer " + token}};
    auto c = server_->Client();
    auto res = method == "GET" ? c.Get(path, h) : c.Post(path, h, body.dump(), "application/json");
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, expect) << method << " " << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }

  tongban::testing::TestServer* server_ = nullptr;
};

TEST_P(SourcesHttp, EverySourceOccursInTheDemo) {
  if (!server_) GTEST_SKIP() << "backend not available";
  const std::string citizen = Login({{"id_number", kCitizen}});
  json mine = Call("GET", "/api/v1/me/cases?limit=50", citizen, {}, 200);
  std::set<std::string> sources;
  int requests = 0;
  for (const json& c : mine["items"]) {
    json s = Call("GET", "/api/v1/cases/" + c["number"].get<std::string>() + "/sources", citizen,
                  {}, 200);
    for (const json& m : s["materials"]) sources.insert(m["source"].get<std::string>());
    requests += static_cast<int>(s["certificate_requests"].size());
    if (!s["materials"].empty()) {
      EXPECT_EQ(s["jurisdiction"]["outcome"], "competent");
    }
  }
  EXPECT_EQ(sources, (std::set<std::string>{"applicant", "licence", "reuse", "certificate_request",
                                            "commitment", "waived"}));
  EXPECT_EQ(requests, 2);

  // The 民政局's inbox: one request still open, answered with a sealed e-certificate.
  const std::string issuer = Login({{"username", "xintian.certificate_issuer"}});
  json inbox = Call("GET", "/api/v1/certificate-requests?department=431128-mzj", issuer, {}, 200);
  ASSERT_EQ(inbox["items"].size(), 1u);
  const std::string id = inbox["items"][0]["id"];
  Call("GET", "/api/v1/certificate-requests?department=431128-mzj", citizen, {}, 403);
  json bad = Call("POST", "/api/v1/certificate-requests/" + id + "/answer", issuer,
                  {{"data", {{"colour", "red"}}}}, 400);
  EXPECT_FALSE(bad["errors"].empty());
  json answered = Call("POST", "/api/v1/certificate-requests/" + id + "/answer", issuer,
                       {{"data", {{"household_head", "周德华"}, {"since", "2024-03-01"}}}}, 200);
  EXPECT_EQ(answered["state"], "answered");
  json verified =
      Call("GET", "/api/v1/licences/" + answered["licence_id"].get<std::string>() + "/verification",
           issuer, {}, 200);
  EXPECT_EQ(verified["valid"], true) << verified.dump();
  EXPECT_TRUE(
      Call("GET", "/api/v1/certificate-requests?department=431128-mzj", issuer, {}, 200)["items"]
          .empty());

  // What a new application would resolve to, with 授权用证.
  json preview = Call(
      "POST", std::string("/api/v1/matters/") + kTwoSubsidies + "/scenarios/apply/sources", citizen,
      {{"authorised_licences", {"残疾人证"}}, {"form", {{"subsidy_type", "重度残疾人护理补贴"}}}},
      200);
  EXPECT_EQ(preview["jurisdiction"]["outcome"], "competent");
  EXPECT_EQ(preview["materials"][0]["name"], "残疾人证");
  EXPECT_EQ(preview["materials"][0]["source"], "licence");
  EXPECT_EQ(preview["materials"][0]["carried"], false);
  Call("POST", "/api/v1/matters/nope/scenarios/apply/sources", citizen, json::object(), 404);

  // The report: report.read only.
  Call("GET", "/api/v1/reports/material-sources", citizen, {}, 403);
  const std::string supervisor = Login({{"username", "xintian.supervisor"}});
  json report = Call("GET", "/api/v1/reports/material-sources?region=431128", supervisor, {}, 200);
  EXPECT_GE(report["total"]["cases"].get<int>(), 5);
  EXPECT_GT(report["total"]["not_carried"].get<int>(), 0);
  EXPECT_GT(report["catalog"]["required"].get<int>(), report["catalog"]["not_carried"].get<int>());
  EXPECT_GT(report["catalog"]["by_source"]["licence"].get<int>(), 0);
  Call("GET", "/api/v1/reports/material-sources?from=2026-13-01", supervisor, {}, 400);
}

// 在线开具 from a village committee: serve --demo leaves 黄丽's 宅基地 application (龙珠村, taken
// at the window) with its 农村集体经济组织成员身份证明 requested from 龙珠村's 村民委员会; only a
// grant for that committee reaches its inbox, and its answer is a sealed e-certificate in the case.
TEST_P(SourcesHttp, AVillageCommitteeAnswersFromItsInbox) {
  if (!server_) GTEST_SKIP() << "backend not available";
  const std::string committee = "431128101200-cwh";
  const std::string issuer = Login({{"username", "xintian.certificate_issuer"}});
  const std::string path = "/api/v1/certificate-requests?department=" + committee;
  json inbox = Call("GET", path, issuer, {}, 200);
  ASSERT_EQ(inbox["items"].size(), 1u) << inbox.dump();
  const json request = inbox["items"][0];
  EXPECT_EQ(request["department"], committee);
  EXPECT_EQ(request["material"], "农村集体经济组织成员身份证明");
  EXPECT_EQ(request["applicant_name"], "黄丽");
  EXPECT_EQ(request["state"], "requested");
  Call("GET", path, Login({{"username", "liuyang.certificate_issuer"}}), {}, 403);
  Call("GET", path, Login({{"id_number", kCitizen}}), {}, 403);
  const std::string answer = "/api/v1/certificate-requests/" + request["id"].get<std::string>();
  json bad = Call("POST", answer + "/answer", issuer, {{"data", json::object()}}, 400);
  EXPECT_EQ(bad["errors"][0]["field"], "data.organisation") << bad.dump();
  json answered = Call("POST", answer + "/answer", issuer,
                       {{"data", {{"organisation", "龙珠村股份经济合作社"}}}}, 200);
  EXPECT_EQ(answered["state"], "answered");
  const std::string licence = answered["licence_id"];
  json verified = Call("GET", "/api/v1/licences/" + licence + "/verification", issuer, {}, 200);
  EXPECT_EQ(verified["valid"], true) << verified.dump();
  EXPECT_TRUE(Call("GET", path, issuer, {}, 200)["items"].empty());
  // The e-certificate stands in the case for the material, signed by the committee.
  const std::string clerk = Login({{"username", "xintian.window_clerk"}});
  const std::string number = request["case_number"];
  json sources = Call("GET", "/api/v1/cases/" + number + "/sources", clerk, {}, 200);
  bool found = false;
  for (const json& m : sources["materials"]) {
    if (m["name"] != "农村集体经济组织成员身份证明") continue;
    found = true;
    EXPECT_EQ(m["source"], "certificate_request");
    EXPECT_EQ(m["reference"], licence);
    EXPECT_EQ(m["carried"], false);
  }
  EXPECT_TRUE(found) << sources.dump();
  json shown = Call("GET", "/api/v1/licences/" + licence, issuer, {}, 200);
  EXPECT_EQ(shown["issuer"]["code"], committee) << shown.dump();
  EXPECT_EQ(shown["holder_id"], "43112819300219001X");
}

// 智能导办 in one answer: once the guide selects the scenario it carries the form (pre-filled for
// the signed-in applicant, blank anonymous) and each material's source for that applicant.
TEST_P(SourcesHttp, TheGuideAnswersWithTheFormAndTheSourcesAtOnce) {
  if (!server_) GTEST_SKIP() << "backend not available";
  const json answers = {{"answers", {{"purpose", "apply"}, {"has_card", "yes"}}}};
  const std::string path = std::string("/api/v1/matters/") + kTwoSubsidies + "/guide";
  auto anonymous = server_->Client().Post(path, answers.dump(), "application/json");
  ASSERT_TRUE(anonymous);
  ASSERT_EQ(anonymous->status, 200) << anonymous->body;
  json step = json::parse(anonymous->body);
  EXPECT_EQ(step["scenario"]["code"], "apply");
  ASSERT_FALSE(step["form"]["fields"].empty());
  EXPECT_EQ(step["form"]["prefilled"], 0);
  for (const json& f : step["form"]["fields"]) EXPECT_TRUE(f["value"].is_null()) << f.dump();
  EXPECT_TRUE(step["sources"].is_null());

  const std::string citizen = Login({{"id_number", kCitizen}});
  step = Call("POST", path, citizen, answers, 200);
  EXPECT_GT(step["form"]["prefilled"].get<int>(), 0) << step["form"].dump();
  EXPECT_EQ(step["form"]["applicant"]["name"], "周德华");
  // His disability certificate (level 2, physical) comes from the person register, in the
  // form's own words; what no register holds (subsidy, bank account) stays for him to fill.
  std::map<std::string, json> value;
  for (const json& f : step["form"]["fields"]) value[f["name"].get<std::string>()] = f["value"];
  EXPECT_EQ(value["disability_card_no"], std::string(kCitizen) + "42") << step["form"].dump();
  EXPECT_EQ(value["disability_level"], "二级") << step["form"].dump();
  EXPECT_EQ(value["disability_category"], "肢体") << step["form"].dump();
  EXPECT_TRUE(value["subsidy_type"].is_null()) << step["form"].dump();
  EXPECT_TRUE(value["bank_account"].is_null()) << step["form"].dump();
  EXPECT_EQ(step["form"]["prefilled"], 5) << step["form"].dump();
  ASSERT_TRUE(step["sources"].is_object()) << step.dump();
  EXPECT_EQ(step["sources"]["jurisdiction"]["outcome"], "competent");
  // Resolved for this applicant: 周德华 holds a 残疾人证 e-licence, not authorised for use here.
  bool card = false;
  for (const json& m : step["sources"]["materials"]) {
    if (m["name"] != "残疾人证") continue;
    card = true;
    EXPECT_EQ(m["catalog_source"], "licence");
    EXPECT_NE(m["detail"].get<std::string>().find("未授权调用"), std::string::npos) << m.dump();
  }
  EXPECT_TRUE(card) << step["sources"].dump();
  // A bad token is refused, not treated as anonymous.
  Call("POST", path, "not-a-token", answers, 401);
}

INSTANTIATE_TEST_SUITE_P(Backends, SourcesHttp, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban
