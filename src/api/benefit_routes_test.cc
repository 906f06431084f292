// The benefit routes over a real server on port 0, with real logins: publish a policy (and a
// refused one), run a match, read its results as JSON and CSV, notify, consent, the funnel.
#include "api/benefit_routes.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/people_routes.h"
#include "people/clock.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "registers/testing.h"
#include "store/testing.h"
#include "trace/trace.h"

namespace tongban::api {
namespace {

using nlohmann::json;

constexpr char kPassword[] = "s3cret-pass";

std::string PolicyYaml(int version, std::string_view rule) {
  return fmt::format(R"(name: living
version: {}
title: 困难残疾人生活补贴
matter: "11431128MB17048517050103021000001"
legal_basis: 国发〔2015〕52号
eligibility: '{}'
amount: "8000"
cycle: monthly
region: "431128"
valid_from: 2026-01-01
mode: consent_required
channels: [portal]
)",
                     version, rule);
}

class BenefitRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(store::Backend::kSqlite);
    ASSERT_TRUE(temp_);
    db_ = temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(*regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*registers::Migrations());
    sets.push_back(*benefits::Migrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    ASSERT_TRUE(db_->Migrate(ptrs).ok());
    people::PeopleOptions po;
    po.password = people::PasswordOptions::Cheap();
    people_ = *people::PeopleService::Create(*db_, sms_, clock_, po);
    ASSERT_TRUE(people_->SeedRoles().ok());
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    registers_ = *registers::Registers::Create(
        *db_, *registers::FieldCipher::Create(registers::testing::FixedKeys()), *trace_, clock_);
    benefits_ = *benefits::Benefits::Create(*db_, *registers_, clock_, &sms_);
    auth_ = std::make_unique<Auth>(*people_);
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<Server>(options);
    RegisterPeopleRoutes(*server_, *people_, *auth_, {.sms_outbox = &sms_});
    RegisterBenefitRoutes(*server_, *benefits_, *auth_);
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok());
    thread_ = std::thread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    officer_ = Staff("xintian.policy", "policy_officer");
    clerk_ = Staff("xintian.clerk", "window_clerk");
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  struct Answer {
    int status = 0;
    json body;
    std::string text;
  };
  Answer Send(const std::string& method, const std::string& path, const json& body,
              const std::string& token) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    httplib::Result r =
        method == "GET"
            ? client_->Get(path, headers)
            : client_->Post(path, headers, (body.is_null() ? json::object() : body).dump(),
                            "application/json");
    Answer a;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no answer";
      return a;
    }
    a.status = r->status;
    a.text = r->body;
    a.body = json::parse(r->body, nullptr, false);
    return a;
  }
  std::string Staff(const std::string& username, const std::string& role) {
    auto a = people_->BootstrapStaffAccount(
        {.username = username, .name = "测试", .password = kPassword, .region = "431128"},
        {{.role = role, .scope = {.region = "431128"}}});
    EXPECT_TRUE(a.ok()) << a.error().ToString();
    Answer login =
        Send("POST", "/api/v1/sessions", {{"username", username}, {"password", kPassword}}, "");
    EXPECT_EQ(login.status, 201);
    return login.body.value("token", "");
  }
  // Registers a citizen by real name (SMS code from the simulator) and logs them in.
  std::string Citizen(const std::string& id_number, const std::string& phone) {
    EXPECT_EQ(
        Send("POST", "/api/v1/sms-codes", {{"phone", phone}, {"purpose", "register"}}, "").status,
        202);
    Answer outbox = Send("GET", "/api/v1/dev/sms-outbox?phone=" + phone, {}, "");
    const std::string text = outbox.body["items"][0]["text"];
    const size_t at = text.find_first_of("0123456789");
    Answer registered = Send("POST", "/api/v1/citizens",
                             {{"id_number", id_number},
                              {"name", "某某"},
                              {"phone", phone},
                              {"code", text.substr(at, 6)},
                              {"password", "citizen-2026"}},
                             "");
    EXPECT_EQ(registered.status, 201) << registered.text;
    Answer login = Send("POST", "/api/v1/sessions",
                        {{"id_number", id_number}, {"password", "citizen-2026"}}, "");
    EXPECT_EQ(login.status, 201) << login.text;
    return login.body.value("token", "");
  }
  std::string AddPerson(int sequence, bool eligible) {
    registers::Person p;
    p.id_number = registers::testing::MakeIdNumber("431128", "19700101", sequence);
    p.name = "某某";
    p.sex = Sex::kMale;
    p.birth_date = *Date::Parse("1970-01-01");
    p.household_region = "431128001001";
    p.address = "新田县";
    p.income_band = registers::IncomeBand::kLow;
    p.assistance = registers::Assistance::kMinimumLiving;
    if (eligible) {
      p.disability = registers::Disability{.certificate = p.id_number + "41",
                                           .category = registers::DisabilityCategory::kPhysical,
                                           .level = 1};
    }
    auto created = registers_->CreatePerson(
        registers::testing::Staff("clerk", "431128", {"register.write"}), p);
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    return created.ok() ? created->id : "";
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26"))};
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<registers::Registers> registers_;
  std::unique_ptr<benefits::Benefits> benefits_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  std::string officer_, clerk_;
};

TEST_F(BenefitRoutesTest, PublishMatchNotifyConsentAndFunnel) {
  const std::string yes = AddPerson(101, true);
  AddPerson(103, false);
  const std::string rule =
      R"(status = "alive" and disability_certificate and assistance = "minimum_living")";

  EXPECT_EQ(Send("POST", "/api/v1/policies", {{"yaml", PolicyYaml(1, rule)}}, "").status, 401);
  EXPECT_EQ(Send("POST", "/api/v1/policies", {{"yaml", PolicyYaml(1, rule)}}, clerk_).status, 403);
  Answer refused =
      Send("POST", "/api/v1/policies", {{"yaml", PolicyYaml(1, "salary < 3")}}, officer_);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.text.find("eligibility"), std::string::npos) << refused.text;
  Answer published = Send("POST", "/api/v1/policies", {{"yaml", PolicyYaml(1, rule)}}, officer_);
  ASSERT_EQ(published.status, 201) << published.text;
  EXPECT_EQ(published.body["version"], 1);
  Answer listed = Send("GET", "/api/v1/policies", {}, officer_);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body["items"].size(), 1u);
  EXPECT_EQ(Send("GET", "/api/v1/policies/living?version=1", {}, officer_).body["eligibility"],
            rule);
  EXPECT_EQ(Send("GET", "/api/v1/policies/missing", {}, officer_).status, 404);

  Answer dry = Send("POST", "/api/v1/policies/living/runs", {{"dry_run", true}}, officer_);
  ASSERT_EQ(dry.status, 200) << dry.text;
  EXPECT_TRUE(dry.body["id"].is_null());
  EXPECT_EQ(Send("POST", "/api/v1/policies/living/runs", {}, clerk_).status, 403);
  Answer run = Send("POST", "/api/v1/policies/living/runs",
                    {{"region", "431128001"}, {"reference_date", "2026-11-26"}}, officer_);
  ASSERT_EQ(run.status, 201) << run.text;
  const std::string id = run.body["id"];
  EXPECT_EQ(run.body["total"]["screened"], 2);
  EXPECT_EQ(run.body["total"]["eligible_not_receiving"], 1);
  EXPECT_EQ(Send("GET", "/api/v1/runs/" + id, {}, officer_).body["total"]["eligible"], 1);
  EXPECT_EQ(Send("GET", "/api/v1/runs/" + id, {}, clerk_).status, 403);

  Answer results = Send("GET", "/api/v1/runs/" + id + "/results", {}, officer_);
  ASSERT_EQ(results.status, 200) << results.text;
  ASSERT_EQ(results.body["items"].size(), 1u);
  EXPECT_EQ(results.body["items"][0]["person_id"], yes);
  EXPECT_EQ(results.body["items"][0]["amount_fen"], 8000);
  EXPECT_TRUE(results.body["items"][0]["explanation"].is_array());
  Answer csv = Send("GET", "/api/v1/runs/" + id + "/results?format=csv", {}, officer_);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.text.rfind("person_id,region,kind,amount_fen,explanation\n" + yes +
                               ",431128001001,eligible_not_receiving,8000,",
                           0),
            0u)
      << csv.text;

  Answer notices = Send("POST", "/api/v1/runs/" + id + "/notices", {{"limit", 10}}, officer_);
  ASSERT_EQ(notices.status, 200) << notices.text;
  EXPECT_EQ(notices.body["sent"], 1);
  EXPECT_EQ(Send("POST", "/api/v1/runs/" + id + "/notices", {}, officer_).body["sent"], 0);
  // Only the person reads their own notice.
  EXPECT_EQ(
      Send("POST", "/api/v1/me/policy-notices/" + id + "/" + yes + "/read", {}, officer_).status,
      403);
  Answer consent = Send("POST", "/api/v1/runs/" + id + "/consents",
                        {{"person_id", yes},
                         {"decision", "accepted"},
                         {"by_staff", true},
                         {"evidence", "电话确认，本人同意"}},
                        officer_);
  ASSERT_EQ(consent.status, 201) << consent.text;
  EXPECT_EQ(Send("POST", "/api/v1/runs/" + id + "/consents",
                 {{"person_id", yes}, {"decision", "maybe"}}, officer_)
                .status,
            400);
  Answer funnel = Send("GET", "/api/v1/runs/" + id + "/funnel", {}, officer_);
  ASSERT_EQ(funnel.status, 200) << funnel.text;
  EXPECT_EQ(funnel.body["total"]["screened"], 2);
  EXPECT_EQ(funnel.body["total"]["notified"], 1);
  EXPECT_EQ(funnel.body["total"]["granted"], 1);
  EXPECT_EQ(funnel.body["total"]["read"], 0);
  Answer roll = Send("GET", "/api/v1/policies/living/roll/2026-11?format=csv", {}, officer_);
  ASSERT_EQ(roll.status, 200) << roll.text;
  EXPECT_EQ(roll.text,
            "person_id,region,amount_fen,amount_yuan\n" + yes + ",431128001001,8000,80.00\n");
}

// 我的消息: the notified person sees the policy's notice with what it offers, decides online,
// and sees the decision; nobody else sees it.
TEST_F(BenefitRoutesTest, PersonSeesAndDecidesTheirOwnNotices) {
  const std::string yes = AddPerson(101, true);
  const std::string rule =
      R"(status = "alive" and disability_certificate and assistance = "minimum_living")";
  ASSERT_EQ(Send("POST", "/api/v1/policies", {{"yaml", PolicyYaml(1, rule)}}, officer_).status,
            201);
  Answer run = Send("POST", "/api/v1/policies/living/runs",
                    {{"region", "431128001"}, {"reference_date", "2026-11-26"}}, officer_);
  ASSERT_EQ(run.status, 201) << run.text;
  const std::string id = run.body["id"];
  ASSERT_EQ(Send("POST", "/api/v1/runs/" + id + "/notices", {}, officer_).body["sent"], 1);

  EXPECT_EQ(Send("GET", "/api/v1/me/benefit-notices", {}, "").status, 401);
  const std::string person =
      Citizen(registers::testing::MakeIdNumber("431128", "19700101", 101), "13900000101");
  Answer mine = Send("GET", "/api/v1/me/benefit-notices", {}, person);
  ASSERT_EQ(mine.status, 200) << mine.text;
  ASSERT_EQ(mine.body["items"].size(), 1u) << mine.text;
  const json n = mine.body["items"][0];
  EXPECT_EQ(n["run_id"], id);
  EXPECT_EQ(n["person_id"], yes);
  EXPECT_EQ(n["title"], "困难残疾人生活补贴");
  EXPECT_EQ(n["kind"], "benefit");
  EXPECT_EQ(n["mode"], "consent_required");
  EXPECT_EQ(n["amount_fen"], 8000);
  EXPECT_EQ(n["cycle"], "monthly");
  EXPECT_EQ(n["channel"], "portal");
  EXPECT_TRUE(n["decision"].is_null());
  EXPECT_EQ(n["consent"], "/api/v1/runs/" + id + "/consents");

  // Somebody else, and staff, see none; nor may they decide for the person online.
  const std::string other =
      Citizen(registers::testing::MakeIdNumber("431128", "19700101", 103), "13900000103");
  Answer theirs = Send("GET", "/api/v1/me/benefit-notices", {}, other);
  ASSERT_EQ(theirs.status, 200);
  EXPECT_TRUE(theirs.body["items"].empty());
  EXPECT_TRUE(Send("GET", "/api/v1/me/benefit-notices", {}, officer_).body["items"].empty());
  EXPECT_EQ(
      Send("POST", n["consent"], {{"person_id", yes}, {"decision", "declined"}}, other).status,
      403);

  Answer declined =
      Send("POST", n["consent"], {{"person_id", yes}, {"decision", "declined"}}, person);
  ASSERT_EQ(declined.status, 201) << declined.text;
  EXPECT_EQ(Send("GET", "/api/v1/me/benefit-notices", {}, person).body["items"][0]["decision"],
            "declined");
}

TEST_F(BenefitRoutesTest, AReviewerStopsAPersonNoLongerEligible) {
  const std::string no_longer = AddPerson(105, false);
  const std::string rule =
      R"(status = "alive" and disability_certificate and assistance = "minimum_living")";
  ASSERT_EQ(Send("POST", "/api/v1/policies", {{"yaml", PolicyYaml(1, rule)}}, officer_).status,
            201);
  ASSERT_TRUE(
      benefits_
          ->ImportGrants(registers::testing::Staff("officer", "431128", {"policy.grant"}), "living",
                         "person_id,amount_fen,start_date\n" + no_longer + ",8000,2026-01-01\n")
          .ok());
  Answer run = Send("POST", "/api/v1/policies/living/runs", {}, officer_);
  ASSERT_EQ(run.status, 201) << run.text;
  const std::string id = run.body["id"];
  EXPECT_EQ(run.body["total"]["no_longer_eligible"], 1);
  Answer what_if =
      Send("POST", "/api/v1/policies/living/what-if",
           {{"eligibility", R"(status = "alive" and assistance = "minimum_living")"}}, officer_);
  ASSERT_EQ(what_if.status, 200) << what_if.text;
  EXPECT_EQ(what_if.body["total"]["now"], 0);
  EXPECT_EQ(what_if.body["total"]["entering"], 1);
  EXPECT_EQ(what_if.body["total"]["cost_draft_fen"], 8000);
  Answer bad_rule =
      Send("POST", "/api/v1/policies/living/what-if", {{"eligibility", "salary < 3"}}, officer_);
  EXPECT_EQ(bad_rule.status, 400);
  EXPECT_NE(bad_rule.text.find("eligibility"), std::string::npos);
  EXPECT_EQ(
      Send("POST", "/api/v1/policies/living/what-if", {{"eligibility", "true"}}, clerk_).status,
      403);
  const std::string path = "/api/v1/runs/" + id + "/reviews";
  Answer bad = Send("POST", path, {{"person_id", no_longer}, {"decision", "cut"}}, officer_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.text.find("note"), std::string::npos) << bad.text;
  EXPECT_NE(bad.text.find("decision"), std::string::npos) << bad.text;
  EXPECT_EQ(Send("POST", path,
                 {{"person_id", no_longer}, {"decision", "stop"}, {"note", "已退出低保"}}, clerk_)
                .status,
            403);
  Answer stopped = Send("POST", path,
                        {{"person_id", no_longer},
                         {"decision", "stop"},
                         {"note", "经核实已退出低保"},
                         {"end_date", "2026-11-30"}},
                        officer_);
  ASSERT_EQ(stopped.status, 201) << stopped.text;
  EXPECT_EQ(Send("POST", path,
                 {{"person_id", no_longer}, {"decision", "keep"}, {"note", "改为保留"}}, officer_)
                .status,
            409);
  EXPECT_EQ(Send("GET", "/api/v1/policies/living/roll/2026-12?format=csv", {}, officer_).text,
            "person_id,region,amount_fen,amount_yuan\n");
}

// A policy's runs, newest first, page by page; a run reproduced as of its snapshot after the
// register changed, answered or stored as a new run.
TEST_F(BenefitRoutesTest, RunsArePagedAndRerunAsOfTheirSnapshot) {
  AddPerson(101, true);
  const std::string rule =
      R"(status = "alive" and disability_certificate and assistance = "minimum_living")";
  ASSERT_EQ(Send("POST", "/api/v1/policies", {{"yaml", PolicyYaml(1, rule)}}, officer_).status,
            201);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    Answer run = Send("POST", "/api/v1/policies/living/runs", {}, officer_);
    ASSERT_EQ(run.status, 201) << run.text;
    ids.push_back(run.body["id"]);
    clock_.Advance(std::chrono::seconds(1));
  }
  Answer first = Send("GET", "/api/v1/policies/living/runs?limit=2", {}, officer_);
  ASSERT_EQ(first.status, 200) << first.text;
  ASSERT_EQ(first.body["items"].size(), 2u);
  EXPECT_EQ(first.body["items"][0]["id"], ids[2]);
  EXPECT_EQ(first.body["items"][1]["id"], ids[1]);
  EXPECT_EQ(first.body["items"][0]["total"]["eligible"], 1);
  ASSERT_EQ(first.body["next"], ids[1]);
  Answer second =
      Send("GET", "/api/v1/policies/living/runs?limit=2&before=" + ids[1], {}, officer_);
  ASSERT_EQ(second.status, 200) << second.text;
  ASSERT_EQ(second.body["items"].size(), 1u);
  EXPECT_EQ(second.body["items"][0]["id"], ids[0]);
  EXPECT_TRUE(second.body["next"].is_null());
  EXPECT_EQ(Send("GET", "/api/v1/policies/living/runs?limit=0", {}, officer_).status, 400);
  EXPECT_EQ(Send("GET", "/api/v1/policies/missing/runs", {}, officer_).status, 404);
  EXPECT_EQ(Send("GET", "/api/v1/policies/living/runs", {}, "").status, 401);
  EXPECT_TRUE(Send("GET", "/api/v1/policies/living/runs", {}, clerk_).body["items"].empty());

  // Two more eligible persons after the snapshot: a new run sees 3, the rerun of the first 1.
  clock_.Advance(std::chrono::seconds(1));
  AddPerson(103, true);
  AddPerson(105, true);
  Answer now = Send("POST", "/api/v1/policies/living/runs", {{"dry_run", true}}, officer_);
  EXPECT_EQ(now.body["total"]["eligible"], 3) << now.text;
  const std::string rerun = "/api/v1/runs/" + ids[0] + "/rerun";
  Answer again = Send("POST", rerun, {}, officer_);
  ASSERT_EQ(again.status, 200) << again.text;
  EXPECT_TRUE(again.body["id"].is_null());
  EXPECT_EQ(again.body["rerun_of"], ids[0]);
  EXPECT_EQ(again.body["total"]["eligible"], 1);
  EXPECT_EQ(again.body["total"]["eligible_not_receiving"], 1);
  EXPECT_EQ(Send("POST", rerun, {}, clerk_).status, 403);
  EXPECT_EQ(Send("POST", rerun, {{"store", "yes"}}, officer_).status, 400);
  EXPECT_EQ(Send("POST", "/api/v1/runs/nope/rerun", {}, officer_).status, 404);
  Answer stored = Send("POST", rerun, {{"store", true}}, officer_);
  ASSERT_EQ(stored.status, 201) << stored.text;
  EXPECT_EQ(stored.body["total"]["eligible"], 1);
  EXPECT_EQ(
      Send("GET", "/api/v1/policies/living/runs?limit=1", {}, officer_).body["items"][0]["id"],
      stored.body["id"]);
}

// The visit list (上门走访): a policy notifying by visit assigns each person to their village
// with a due date; the grid staff's answers recorded as staff consent show in the list.
TEST_F(BenefitRoutesTest, VisitListsTheVillagesPersonsAndTheirAnswers) {
  const std::string first = AddPerson(101, true);
  const std::string second = AddPerson(103, true);
  const std::string rule = R"(status = "alive" and disability_certificate)";
  std::string yaml = PolicyYaml(1, rule);
  yaml.replace(yaml.find("[portal]"), 8, "[visit]");
  ASSERT_EQ(Send("POST", "/api/v1/policies", {{"yaml", yaml}}, officer_).status, 201);
  Answer run = Send("POST", "/api/v1/policies/living/runs", {}, officer_);
  ASSERT_EQ(run.status, 201) << run.text;
  const std::string id = run.body["id"];
  const std::string path = "/api/v1/runs/" + id + "/notices";
  EXPECT_TRUE(Send("GET", path, {}, officer_).body["items"].empty());
  ASSERT_EQ(Send("POST", path, {}, officer_).body["sent"], 2);
  ASSERT_EQ(Send("POST", "/api/v1/runs/" + id + "/consents",
                 {{"person_id", second},
                  {"decision", "declined"},
                  {"by_staff", true},
                  {"evidence", "上门走访，本人不需要"}},
                 officer_)
                .status,
            201);

  Answer visits = Send("GET", path + "?channel=visit", {}, officer_);
  ASSERT_EQ(visits.status, 200) << visits.text;
  EXPECT_EQ(visits.body["run_id"], id);
  ASSERT_EQ(visits.body["items"].size(), 2u) << visits.text;
  const json& a = visits.body["items"][first < second ? 0 : 1];
  const json& b = visits.body["items"][first < second ? 1 : 0];
  EXPECT_EQ(a["person_id"], first);
  EXPECT_EQ(a["channel"], "visit");
  EXPECT_EQ(a["status"], "assigned");
  EXPECT_EQ(a["assigned_region"], "431128001001");
  EXPECT_EQ(a["due_date"], "2026-12-06");
  EXPECT_TRUE(a["decision"].is_null());
  EXPECT_EQ(b["person_id"], second);
  EXPECT_EQ(b["decision"], "declined");

  EXPECT_EQ(Send("GET", path + "?assigned_region=431128001", {}, officer_).body["items"].size(),
            2u);
  EXPECT_TRUE(Send("GET", path + "?assigned_region=431128002", {}, officer_).body["items"].empty());
  EXPECT_TRUE(Send("GET", path + "?channel=sms", {}, officer_).body["items"].empty());
  Answer bad = Send("GET", path + "?channel=pigeon", {}, officer_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.text.find("channel"), std::string::npos) << bad.text;
  EXPECT_EQ(Send("GET", path, {}, clerk_).status, 403);
  EXPECT_EQ(Send("GET", path, {}, "").status, 401);
  EXPECT_EQ(Send("GET", "/api/v1/runs/nope/notices", {}, officer_).status, 404);
}

}  // namespace
}  // namespace tongban::api
