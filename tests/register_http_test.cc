// The registers over HTTP against the demo data set (serve --demo loads the demo registers):
// find by ID number through the blind index (masked), full reads with a purpose (refused and
// traced without), scope, history, entities; forms that fill themselves; and the kiosk flow:
// card read -> search -> pre-filled form -> commitment -> submission -> licence and its PDF.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "devices/id_card_reader.h"
#include "registers/columns.h"
#include "registers/rules.h"
#include "test_server.h"

namespace tongban {
namespace {

using nlohmann::json;

constexpr const char* kHygieneMatter = "11431128MB17009738000172003000001";
constexpr const char* kCitizen = "431128196803150214";  // 邓桂英, demo citizen of 新田县

class RegisterHttpTest : public ::testing::Test {
 protected:
  // One demo server for the tests that change nothing another test reads (the demo loads once
  // for them: this suite's share of CI); a test that does (a death, a deregistration, a role
  // grant) is a RegisterHttpFreshTest with a demo of its own.
  static void TearDownTestSuite() { testing::StopSharedDemoServers(); }
  void SetUp() override {
    server_ = testing::SharedDemoServer(store::Backend::kSqlite);
    ASSERT_NE(server_, nullptr);
  }

  std::string Login(const json& credentials) {
    auto c = server_->Client();
    auto res = c.Post("/api/v1/sessions", credentials.dump(), "application/json");
    EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
    return res ? json::parse(res->body).value("token", "") : "";
  }
  std::string Staff(const std::string& username) {
    return Login({{"username", username}, {"password", "tongban-demo"}});
  }
  struct Answer {
    int status = 0;
    json body;
    std::string raw;
  };
  Answer Send(const std::string& method, const std::string& path, const std::string& token,
              const json* body = nullptr) {
    auto c = server_->Client();
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    httplib::Result r = method == "GET"     ? c.Get(path, h)
                        : method == "PATCH" ? c.Patch(path, h, body->dump(), "application/json")
                        : body == nullptr   ? c.Post(path, h, "", "application/json")
                                            : c.Post(path, h, body->dump(), "application/json");
    Answer a;
    if (!r) return a;
    a.status = r->status;
    a.raw = r->body;
    a.body = json::parse(r->body, nullptr, false);
    return a;
  }
  Answer Get(const std::string& path, const std::string& token) { return Send("GET", path, token); }
  Answer Post(const std::string& path, const json& body, const std::string& token) {
    return Send("POST", path, token, &body);
  }
  // The demo's certificate issuer signs for 市场监管局; the security admin lets `issuer` sign
  // for 卫健局 (431128-wjj) too.
  void LetIssueForHealthCommission(const std::string& issuer) {
    const std::string issuer_id = Get("/api/v1/me", issuer).body["account"]["id"];
    Answer granted = Post("/api/v1/accounts/" + issuer_id + "/roles",
                          {{"role", "certificate_issuer"},
                           {"scope", {{"region", "431128"}, {"department", "431128-wjj"}}}},
                          Staff("xintian.security_admin"));
    ASSERT_TRUE(granted.status == 200 || granted.status == 201) << granted.raw;
  }
  // The trace events of `stream` with `action`.
  int TraceCount(const std::string& action) {
    int n = 0;
    auto s = server_->app().db().Transaction(store::TxKind::kRead, [&](soci::session& sql) {
      sql << "SELECT COUNT(*) FROM trace_event WHERE action = :a", soci::use(action), soci::into(n);
      return Ok();
    });
    EXPECT_TRUE(s.ok());
    return n;
  }

  testing::TestServer* server_ = nullptr;
};

class RegisterHttpFreshTest : public RegisterHttpTest {
 protected:
  void SetUp() override {
    app::Config config;
    config.demo = true;
    own_ = testing::TestServer::Start(store::Backend::kSqlite, config);
    ASSERT_TRUE(own_ && own_->Run());
    server_ = own_.get();
  }
  std::unique_ptr<testing::TestServer> own_;
};

TEST_F(RegisterHttpTest, FindsMaskedReadsInClearOnlyWithAPurposeAndKeepsToTheScope) {
  const std::string admin = Staff("xintian.register_admin");
  // The demo register holds the demo citizen, found through the blind index, masked.
  Answer found = Get(std::string("/api/v1/persons?id_number=") + kCitizen, admin);
  ASSERT_EQ(found.status, 200) << found.raw;
  ASSERT_EQ(found.body["items"].size(), 1u);
  const json person = found.body["items"][0];
  EXPECT_EQ(person["id_number"], "4311**********0214");
  EXPECT_EQ(person["name"], "邓桂英");
  EXPECT_EQ(person["phone"], "138****0001");
  EXPECT_TRUE(person["masked"].get<bool>());
  const std::string id = person["id"];
  EXPECT_EQ(Get("/api/v1/persons?id_number=431128196803150215", admin).body["items"].size(), 0u);

  // A full read needs a purpose: refused (and traced) without one, in clear with one.
  const int refused_before = TraceCount("register.person.read_full_refused");
  const int read_before = TraceCount("register.person.read_full");  // the demo's own reads
  Answer no_purpose = Post("/api/v1/persons/" + id + "/full-read", json::object(), admin);
  EXPECT_EQ(no_purpose.status, 400) << no_purpose.raw;
  EXPECT_EQ(TraceCount("register.person.read_full_refused"), refused_before + 1);
  Answer full =
      Post("/api/v1/persons/" + id + "/full-read",
           {{"purpose", {{"code", "verification"}, {"text", "核查低保申请人户籍信息"}}}}, admin);
  ASSERT_EQ(full.status, 200) << full.raw;
  EXPECT_EQ(full.body["id_number"], kCitizen);
  EXPECT_EQ(full.body["phone"], "13800000001");
  EXPECT_FALSE(full.body["masked"].get<bool>());
  EXPECT_EQ(TraceCount("register.person.read_full"), read_before + 1);

  // A clerk may read masked but not in clear.
  const std::string clerk = Staff("xintian.window_clerk");
  EXPECT_EQ(Get("/api/v1/persons/" + id, clerk).status, 200);
  EXPECT_EQ(Post("/api/v1/persons/" + id + "/full-read",
                 {{"purpose", {{"code", "verification"}, {"text", "核查户籍信息"}}}}, clerk)
                .status,
            403);
  // Another locality's register admin is outside the scope: refused and traced.
  const std::string other = Staff("liuyang.register_admin");
  const int read_refused = TraceCount("register.person.read_refused");
  EXPECT_EQ(Get(std::string("/api/v1/persons?id_number=") + kCitizen, other).status, 403);
  EXPECT_EQ(Get("/api/v1/persons/" + id, other).status, 403);
  EXPECT_EQ(TraceCount("register.person.read_refused"), read_refused + 2);
  EXPECT_EQ(Get("/api/v1/persons/" + id, "").status, 401);

  // Lists are masked and paged; history names who created the record.
  Answer list = Get("/api/v1/persons?region=431128&limit=5", admin);
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["items"].size(), 5u);
  for (const auto& p : list.body["items"]) {
    EXPECT_NE(p["id_number"].get<std::string>().find("**********"), std::string::npos);
  }
  EXPECT_TRUE(list.body["next"].is_string());
  Answer history = Get("/api/v1/persons/" + id + "/history", admin);
  ASSERT_EQ(history.status, 200) << history.raw;
  ASSERT_GE(history.body["items"].size(), 1u);
  EXPECT_EQ(history.body["items"][0]["action"], "created");

  // The entity register the same way.
  Answer entity = Get("/api/v1/entities?uscc=91431128MA4L0A019K", admin);
  ASSERT_EQ(entity.status, 200) << entity.raw;
  ASSERT_EQ(entity.body["items"].size(), 1u);
  EXPECT_EQ(entity.body["items"][0]["name"], "新田县富硒农产品有限公司");
  EXPECT_EQ(entity.body["items"][0]["legal_representative"], "邓桂英");
  EXPECT_EQ(Get("/api/v1/entities/91431128MA4L0A019K/history", admin).status, 200);
  EXPECT_EQ(Get("/api/v1/entities/91431128MA4L0A019K", other).status, 403);
}

// The two subsidies of 国发〔2015〕52号 over the demo register: exactly these persons qualify
// (expected lists computed from data/demo/registers/persons.csv and the demo citizens), beside
// the generated persons of the article's funnel in 新田县 (src/benefits/demo_funnel.h), who
// make 431128's eligible persons the article's 420 and 500 with the demo's own.
TEST_F(RegisterHttpTest, TheTwoSubsidiesSelectTheirPersonsOfTheDemoRegister) {
  registers::Registers& reg = server_->app().registers();
  auto columns = registers::LoadPersonColumns(reg, "", *Date::Parse("2026-11-26"));
  ASSERT_TRUE(columns.ok()) << columns.error().ToString();
  // 300 generated + 10 demo citizens, and the article's county: 12,000 with those of 431128.
  const int region_col = columns->reg.Find("household_region");
  ASSERT_GE(region_col, 0);
  size_t in_county = 0;
  std::map<std::string, bool> county_person;  // register id -> lives in 431128
  for (size_t row = 0; row < columns->reg.rows(); ++row) {
    const bool county = columns->reg.Cell(region_col, row).string().starts_with("431128");
    county_person[columns->person_ids[row]] = county;
    in_county += county ? 1 : 0;
  }
  EXPECT_EQ(in_county, 12000u);
  EXPECT_EQ(columns->reg.rows(), 310u + 12000u - 63u);  // 63 of the 310 live in 431128
  people::Principal all;
  all.account.id = "test";
  people::HeldGrant g;
  g.grant.scope.region = "*";
  g.permissions = {"register.read"};
  all.grants.push_back(g);
  auto ids_of = [&](const std::vector<std::string>& id_numbers) {
    std::set<std::string> out;
    for (const auto& n : id_numbers) {
      auto found = reg.FindByIdNumber(all, n);
      EXPECT_TRUE(found.ok() && found->size() == 1) << n;
      if (found.ok() && !found->empty()) out.insert(found->front().id);
    }
    return out;
  };
  const std::map<std::string, std::set<std::string>> expected = {
      {"disability_living_subsidy", ids_of({"432930195507020150", "430603197008180194"})},
      {"severe_disability_care_subsidy",
       ids_of({"432930195507020150", "430204193001140014", "430423193001170002",
               "430204193002060016", "430423193002090004", "430603193002110015",
               "430423193002130002", "430181193002160014", "430204193002230003"})}};
  auto rules = registers::BuiltinRegisterRules();
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 2u);
  for (const auto& rule : *rules) {
    auto compiled = feel::CompileColumnar(rule.feel, columns->reg);
    ASSERT_TRUE(compiled.ok()) << rule.name;
    std::set<std::string> selected;
    for (uint32_t row : compiled->Select(2)) selected.insert(columns->person_ids[row]);
    const std::set<std::string>& demo = expected.at(rule.name);
    EXPECT_TRUE(std::includes(selected.begin(), selected.end(), demo.begin(), demo.end()))
        << rule.name;
    size_t selected_in_county = 0;
    for (const auto& id : selected) selected_in_county += county_person[id] ? 1 : 0;
    EXPECT_EQ(selected_in_county, rule.name == "disability_living_subsidy" ? 420u : 500u)
        << rule.name;
    size_t demo_outside = 0;
    for (const auto& id : demo) demo_outside += county_person[id] ? 0 : 1;
    EXPECT_EQ(selected.size() - selected_in_county, demo_outside) << rule.name;
  }
}

// The demo's card slot: a card laid on a terminal's simulated reader over HTTP (as the kiosk's
// browser journey does) is what the reader then reads, until taken off.
TEST_F(RegisterHttpTest, DemoCardSlotLaysACardOnTheSimulatedReader) {
  const std::string citizen = Login({{"id_number", kCitizen}, {"password", "tongban-demo"}});
  const json terminal = {{"terminal", "431128-kiosk-02"}};
  EXPECT_EQ(Post("/api/v1/id-card-reads", terminal, citizen).status, 404);
  auto c = server_->Client();
  auto bad = c.Put("/api/v1/dev/id-card-readers/431128-kiosk-02",
                   json{{"id_number", "431128196803150215"}}.dump(), "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  const json problem = json::parse(bad->body);
  std::set<std::string> fields;
  for (const auto& e : problem["errors"]) fields.insert(e["field"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"id_number", "name"})) << bad->body;
  auto laid =
      c.Put("/api/v1/dev/id-card-readers/431128-kiosk-02",
            json{{"id_number", kCitizen}, {"name", "邓桂英"}, {"address", "新田县龙泉镇"}}.dump(),
            "application/json");
  ASSERT_TRUE(laid);
  ASSERT_EQ(laid->status, 200) << laid->body;
  Answer card = Post("/api/v1/id-card-reads", terminal, citizen);
  ASSERT_EQ(card.status, 200) << card.raw;
  EXPECT_EQ(card.body["card"]["id_number"], kCitizen);
  EXPECT_EQ(card.body["card"]["name"], "邓桂英");
  EXPECT_EQ(card.body["card"]["birth_date"], "1968-03-15");
  EXPECT_EQ(card.body["card"]["issuer"], "新田县公安局");
  auto removed = c.Delete("/api/v1/dev/id-card-readers/431128-kiosk-02");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 204);
  EXPECT_EQ(Post("/api/v1/id-card-reads", terminal, citizen).status, 404);
}

TEST_F(RegisterHttpTest, TheKioskFlowFromCardToPrintedLicence) {
  auto* reader = server_->app().id_reader();
  ASSERT_NE(reader, nullptr);
  const std::string citizen = Login({{"id_number", kCitizen}, {"password", "tongban-demo"}});
  ASSERT_FALSE(citizen.empty());

  // 1. The card: none on the reader, then unreadable, then read.
  json terminal = {{"terminal", "431128-kiosk-01"}};
  EXPECT_EQ(Post("/api/v1/id-card-reads", terminal, citizen).status, 404);
  reader->Place("431128-kiosk-01", devices::CardFor(kCitizen, "邓桂英", Sex::kMale,
                                                    *Date::Parse("1968-03-15"), "新田县龙泉镇"));
  reader->SetFault("431128-kiosk-01", devices::SimulatedIdCardReader::Fault::kUnreadable);
  EXPECT_EQ(Post("/api/v1/id-card-reads", terminal, citizen).status, 503);
  reader->SetFault("431128-kiosk-01", devices::SimulatedIdCardReader::Fault::kNone);
  Answer card = Post("/api/v1/id-card-reads", terminal, citizen);
  ASSERT_EQ(card.status, 200) << card.raw;
  EXPECT_EQ(card.body["card"]["id_number"], kCitizen);
  EXPECT_EQ(card.body["card"]["issuer"], "新田县公安局");

  // 2. The matter, found by search.
  Answer search = Get("/api/v1/matters/search?q=公共场所卫生", citizen);
  ASSERT_EQ(search.status, 200) << search.raw;
  ASSERT_FALSE(search.body["items"].empty());

  // 3. The form arrives pre-filled from the citizen's own record, the enterprise and the
  // business licence (营业执照) the demo enterprise holds.
  const std::string issuer = Staff("xintian.certificate_issuer");
  const std::string form_path =
      std::string("/api/v1/matters/") + kHygieneMatter + "/scenarios/new/form";
  Answer form = Get(form_path + "?uscc=91431128MA4L0A019K", citizen);
  ASSERT_EQ(form.status, 200) << form.raw;
  EXPECT_EQ(form.body["applicant"]["name"], "邓桂英");
  std::map<std::string, json> fields;
  for (const auto& f : form.body["fields"]) fields[f["name"]] = f;
  EXPECT_EQ(fields["venue_name"]["value"], "新田县富硒农产品有限公司");
  EXPECT_EQ(fields["venue_name"]["source"], "entity");
  EXPECT_EQ(fields["legal_representative"]["value"], "邓桂英");
  EXPECT_EQ(fields["legal_representative"]["source"], "entity");
  EXPECT_EQ(fields["venue_address"]["value"], "新田县龙泉镇富硒大道8号");
  EXPECT_EQ(fields["venue_address"]["source"], "licence:营业执照");
  EXPECT_EQ(fields["contact_phone"]["value"], "13800000001");
  EXPECT_EQ(fields["contact_phone"]["source"], "person");
  EXPECT_EQ(fields["by_agent"]["value"], false);  // 邓桂英 is its legal representative
  EXPECT_EQ(fields["by_agent"]["source"], "applicant");
  EXPECT_TRUE(fields["area_m2"]["value"].is_null());
  EXPECT_EQ(fields["area_m2"]["source"], "");
  EXPECT_EQ(form.body["prefilled"].get<int>(), 5);
  // Someone else's record is not the citizen's to read.
  EXPECT_EQ(Get(form_path + "?id_number=430181198504200648", citizen).status, 403);

  // 4. Validations as the submission runs them.
  json values = json::object();
  for (const auto& [name, f] : fields) {
    if (!f["value"].is_null()) values[name] = f["value"];
  }
  values["venue_kind"] = "宾馆";
  values["area_m2"] = 0;
  values["staff_count"] = 6;
  values["has_central_ac"] = false;
  values["premises_owned"] = true;
  Answer bad = Post(form_path + "/check", {{"form", values}}, citizen);
  ASSERT_EQ(bad.status, 200) << bad.raw;
  EXPECT_FALSE(bad.body["valid"].get<bool>());
  ASSERT_EQ(bad.body["errors"].size(), 1u);
  EXPECT_EQ(bad.body["errors"][0]["field"], "area_m2");
  values["area_m2"] = 120.5;
  Answer good = Post(form_path + "/check", {{"form", values}}, citizen);
  EXPECT_TRUE(good.body["valid"].get<bool>()) << good.raw;

  // 5. Submitted at the kiosk, the commitments (告知承诺) signed instead of those materials.
  json materials = json::array();
  for (const char* name :
       {"公共场所卫生许可申请表", "公共场所地址方位示意图、平面图和卫生设施平面布局图",
        "公共场所卫生管理制度和卫生管理组织（人员）名单", "公共场所卫生检测或者评价报告"}) {
    materials.push_back({{"name", name}, {"state", "proof_waived"}});
  }
  materials.push_back({{"name", "营业执照"},
                       {"state", "provided"},
                       {"origin", "register"},
                       {"reference", "entity/91431128MA4L0A019K"}});
  json application = {
      {"matter", kHygieneMatter}, {"channel", "kiosk"}, {"form", values}, {"materials", materials}};
  Answer submitted = Post("/api/v1/cases", application, citizen);
  ASSERT_EQ(submitted.status, 201) << submitted.raw;
  const std::string number = submitted.body["number"];
  EXPECT_FALSE(number.empty());

  // 6. The instant matter's licence issued on the spot and its PDF printed. The demo's
  // certificate issuer signs for 市场监管局; the security admin lets them sign for 卫健局 too.
  ASSERT_NO_FATAL_FAILURE(LetIssueForHealthCommission(issuer));
  Answer licence = Post("/api/v1/licences",
                        {{"type_code", "11100000000013338W013"},
                         {"holder_id", "91431128MA4L0A019K"},
                         {"holder_name", values["venue_name"]},
                         {"issuer", "431128-wjj"},
                         {"data",
                          {{"unit", values["venue_name"]},
                           {"legal_representative", values["legal_representative"]},
                           {"address", "新田县龙泉镇"},
                           {"items", values["venue_kind"]},
                           {"area_m2", values["area_m2"]}}}},
                        issuer);
  ASSERT_EQ(licence.status, 201) << licence.raw;
  auto c = server_->Client();
  auto pdf = c.Get("/api/v1/licences/" + licence.body["id"].get<std::string>() + "/pdf",
                   {{"Authorization", "Bearer " + issuer}});
  ASSERT_TRUE(pdf);
  EXPECT_EQ(pdf->status, 200);
  EXPECT_TRUE(pdf->body.starts_with("%PDF-"));
}

// The registers change through the API (a death recorded, an enterprise deregistered): by the
// version read, within the writer's scope, each change in the history; and the registers then
// stop an application that they contradict, with the reason.
TEST_F(RegisterHttpFreshTest,
       ChangesAreVersionedScopedInTheHistoryAndStopContradictedApplications) {
  const std::string admin = Staff("xintian.register_admin");
  const std::string id_number = "431128199001010379";  // 李志强, 新田县
  Answer found = Get("/api/v1/persons?id_number=" + id_number, admin);
  ASSERT_EQ(found.status, 200) << found.raw;
  ASSERT_EQ(found.body["items"].size(), 1u);
  const std::string id = found.body["items"][0]["id"];
  const int64_t version = found.body["items"][0]["version"];
  const std::string path = "/api/v1/persons/" + id;

  json bad = {{"version", version}, {"status", "gone"}, {"colour", "red"}};
  Answer refused = Send("PATCH", path, admin, &bad);
  EXPECT_EQ(refused.status, 400) << refused.raw;
  EXPECT_NE(refused.raw.find("status"), std::string::npos) << refused.raw;
  EXPECT_NE(refused.raw.find("colour"), std::string::npos) << refused.raw;
  json died = {{"version", version}, {"status", "deceased"}};
  EXPECT_EQ(Send("PATCH", path, Staff("liuyang.register_admin"), &died).status, 403);
  Answer changed = Send("PATCH", path, admin, &died);
  ASSERT_EQ(changed.status, 200) << changed.raw;
  EXPECT_EQ(changed.body["status"], "deceased");
  EXPECT_EQ(changed.body["version"], version + 1);
  EXPECT_EQ(Send("PATCH", path, admin, &died).status, 412);  // the version read is stale
  Answer history = Get(path + "/history", admin);
  ASSERT_EQ(history.status, 200) << history.raw;
  ASSERT_FALSE(history.body["items"].empty());
  bool recorded = false;
  for (const auto& h : history.body["items"]) {
    if (h["version"] == version + 1) {
      recorded = h["old_values"]["status"] == "alive" && h["changed_by"] != "";
    }
  }
  EXPECT_TRUE(recorded) << history.raw;

  // His application is stopped at submission with the reason.
  const std::string he = Login({{"id_number", id_number}, {"password", "tongban-demo"}});
  Answer stopped = Post("/api/v1/cases",
                        {{"matter", "11431128MB17038839200113007000001"},
                         {"channel", "online"},
                         {"form", {{"employment_status", "失业"}}}},
                        he);
  EXPECT_EQ(stopped.status / 100, 4) << stopped.raw;
  EXPECT_NE(stopped.raw.find("deceased"), std::string::npos) << stopped.raw;

  // An enterprise deregistered: its applications stop too.
  Answer entity = Get("/api/v1/entities/91431128MA4L0A019K", admin);
  ASSERT_EQ(entity.status, 200) << entity.raw;
  json closed = {{"version", entity.body["version"]}, {"status", "cancelled"}};
  Answer deregistered = Send("PATCH", "/api/v1/entities/91431128MA4L0A019K", admin, &closed);
  ASSERT_EQ(deregistered.status, 200) << deregistered.raw;
  EXPECT_EQ(deregistered.body["status"], "cancelled");
}

// An enterprise matter's form fills every field the registers and licences can give, for each
// scenario and whoever applies: the legal representative, an authorised agent, a clerk.
TEST_F(RegisterHttpFreshTest, AnEnterpriseFormFillsEveryFieldTheRegistersCanGive) {
  const std::string form_path = std::string("/api/v1/matters/") + kHygieneMatter +
                                "/scenarios/new/form?uscc=91431128MA4L0A019K";
  auto by_name = [](const Answer& a) {
    std::map<std::string, json> out;
    for (const auto& f : a.body["fields"]) out[f["name"]] = f;
    return out;
  };
  // The legal representative: everything but what only the venue knows (its kind, area, staff,
  // air conditioning, premises).
  Answer rep = Get(form_path, Login({{"id_number", kCitizen}, {"password", "tongban-demo"}}));
  ASSERT_EQ(rep.status, 200) << rep.raw;
  auto fields = by_name(rep);
  EXPECT_EQ(fields["venue_name"]["value"], "新田县富硒农产品有限公司");
  EXPECT_EQ(fields["legal_representative"]["value"], "邓桂英");
  EXPECT_EQ(fields["venue_address"]["value"], "新田县龙泉镇富硒大道8号");
  EXPECT_EQ(fields["venue_address"]["source"], "licence:营业执照");
  EXPECT_EQ(fields["contact_phone"]["value"], "13800000001");
  EXPECT_EQ(fields["by_agent"]["value"], false);
  EXPECT_EQ(rep.body["prefilled"].get<int>(), 5) << rep.raw;
  for (const char* open :
       {"venue_kind", "area_m2", "staff_count", "has_central_ac", "premises_owned"}) {
    EXPECT_TRUE(fields[open]["value"].is_null()) << open;
  }

  // Its authorised agent (李志强): the enterprise's fields, the agent's own phone, by an agent.
  Answer agent =
      Get(form_path, Login({{"id_number", "431128199001010379"}, {"password", "tongban-demo"}}));
  ASSERT_EQ(agent.status, 200) << agent.raw;
  fields = by_name(agent);
  EXPECT_EQ(fields["venue_address"]["value"], "新田县龙泉镇富硒大道8号");
  EXPECT_EQ(fields["legal_representative"]["value"], "邓桂英");
  EXPECT_EQ(fields["contact_phone"]["value"], "13800000003");
  EXPECT_EQ(fields["by_agent"]["value"], true);
  EXPECT_EQ(agent.body["prefilled"].get<int>(), 5) << agent.raw;

  // A window clerk reading the entity register: the enterprise's fields; who applies is for the
  // clerk to say.
  Answer clerk = Get(form_path, Staff("xintian.window_clerk"));
  ASSERT_EQ(clerk.status, 200) << clerk.raw;
  fields = by_name(clerk);
  EXPECT_EQ(fields["venue_name"]["value"], "新田县富硒农产品有限公司");
  EXPECT_EQ(fields["venue_address"]["value"], "新田县龙泉镇富硒大道8号");
  EXPECT_TRUE(fields["by_agent"]["value"].is_null());

  // Renewal: the number of the hygiene licence it holds comes from the licence register.
  const std::string issuer = Staff("xintian.certificate_issuer");
  ASSERT_NO_FATAL_FAILURE(LetIssueForHealthCommission(issuer));
  Answer hygiene = Post("/api/v1/licences",
                        {{"type_code", "11100000000013338W013"},
                         {"holder_id", "91431128MA4L0A019K"},
                         {"holder_name", "新田县富硒农产品有限公司"},
                         {"issuer", "431128-wjj"},
                         {"data",
                          {{"unit", "新田县富硒农产品有限公司"},
                           {"legal_representative", "邓桂英"},
                           {"address", "新田县龙泉镇富硒大道8号"},
                           {"items", "宾馆"}}}},
                        issuer);
  ASSERT_EQ(hygiene.status, 201) << hygiene.raw;
  Answer renewal = Get(std::string("/api/v1/matters/") + kHygieneMatter +
                           "/scenarios/renewal/form?uscc=91431128MA4L0A019K",
                       Login({{"id_number", kCitizen}, {"password", "tongban-demo"}}));
  ASSERT_EQ(renewal.status, 200) << renewal.raw;
  fields = by_name(renewal);
  EXPECT_EQ(fields["licence_no"]["value"], hygiene.body["id"]);
  EXPECT_EQ(fields["licence_no"]["source"], "licence:公共场所卫生许可证");
  EXPECT_EQ(fields["by_agent"]["value"], false);
}

}  // namespace
}  // namespace tongban
