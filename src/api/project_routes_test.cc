// The project routes over a real server on port 0 with the demo people's logins: Yunxi's clerk
// registers a project, the commissioner edits its flow table, a stage started early is refused
// with its reasons, a batch mixing matters is refused, an exemption without an assessment is
// refused, and the statistics answer.
#include "api/project_routes.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "api/people_routes.h"
#include "people/demo.h"
#include "people/repository.h"
#include "people/timestamp.h"
#include "store/testing.h"
#include "trace/trace.h"

namespace tongban::api {
namespace {

using nlohmann::json;

class ProjectRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(store::Backend::kSqlite);
    ASSERT_TRUE(temp_);
    db_ = temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*projects::Migrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    ASSERT_TRUE(db_->Migrate(ptrs).ok());
    const int64_t now = *people::ParseTimestamp("2026-11-26T09:00:00+08:00");
    clock_.Set(Timestamp(std::chrono::milliseconds(now)));
    auto loaded = people::LoadDemoPeople(*db_, people::DemoPeopleYaml(), now - 86400000);
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
    people_ = *people::PeopleService::Create(*db_, sms_, clock_, people::PeopleOptions{});
    ASSERT_TRUE(people_->SeedRoles().ok());
    calendar_ = Calendar::WithEmbeddedSchedules();
    projects_ =
        *projects::ProjectService::Create(*db_, {.clock = &clock_, .calendar = calendar_.get()});
    auth_ = std::make_unique<Auth>(*people_);
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<Server>(options);
    RegisterPeopleRoutes(*server_, *people_, *auth_, {.sms_outbox = &sms_});
    RegisterProjectRoutes(*server_, *projects_, *auth_);
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok());
    thread_ = std::thread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  struct Answer {
    int status = 0;
    json body;
  };
  Answer Send(const std::string& method, const std::string& path, const json& body,
              const std::string& token) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    const std::string text = (body.is_null() ? json::object() : body).dump();
    httplib::Result r = method == "GET"   ? client_->Get(path, headers)
                        : method == "PUT" ? client_->Put(path, headers, text, "application/json")
                                          : client_->Post(path, headers, text, "application/json");
    Answer a;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no answer";
      return a;
    }
    a.status = r->status;
    a.body = json::parse(r->body, nullptr, false);
    return a;
  }
  std::string Login(const json& credentials) {
    json body = credentials;
    body["password"] = "tongban-demo";
    Answer a = Send("POST", "/api/v1/sessions", body, "");
    EXPECT_EQ(a.status, 201) << a.body.dump();
    return a.body.value("token", "");
  }
  std::string Staff(const std::string& username) { return Login({{"username", username}}); }
  std::string AccountId(const std::string& username) {
    std::string id;
    Status s = db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      sql << "SELECT id FROM account WHERE username = :u", soci::use(username), soci::into(id);
      return Ok();
    });
    EXPECT_TRUE(s.ok());
    return id;
  }
  static std::vector<std::string> Fields(const Answer& a) {
    std::vector<std::string> out;
    for (const auto& e : a.body.value("errors", json::array())) out.push_back(e.value("field", ""));
    return out;
  }
  static std::string FirstField(const Answer& a) {
    if (!a.body.contains("errors") || a.body["errors"].empty()) return "";
    return a.body["errors"][0].value("field", "");
  }

  FakeClock clock_{Timestamp{}};
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<Calendar> calendar_;
  std::unique_ptr<projects::ProjectService> projects_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ProjectRoutesTest, AProjectIsRegisteredPlannedStartedAndRefusedWithReasons) {
  const std::string clerk = Staff("yunxi.window_clerk");
  const std::string commissioner = Staff("yunxi.service_commissioner");
  const std::string approver = Staff("yunxi.approver");
  const std::string admin = Staff("yunxi.catalog_admin");
  json input = {{"project_code", projects::MakeProjectCode(2026, "430603", "26", "01", 7)},
                {"name", "云溪化工园标准厂房"},
                {"uscc", "91430603MB1763640W"},
                {"type", "government_investment"},
                {"commissioner", AccountId("yunxi.service_commissioner")}};
  Answer bad = Send("POST", "/api/v1/projects",
                    {{"project_code", "2026-430603-2X-01-000078"},
                     {"name", "x"},
                     {"uscc", "91430603MB1763640W"},
                     {"type", "dam"}},
                    clerk);
  EXPECT_EQ(bad.status, 400) << bad.body.dump();
  EXPECT_EQ(Fields(bad), (std::vector<std::string>{"project_code", "type"}));
  EXPECT_EQ(Send("POST", "/api/v1/projects", input, approver).status, 403);
  Answer created = Send("POST", "/api/v1/projects", input, clerk);
  ASSERT_EQ(created.status, 201) << created.body.dump();
  const std::string id = created.body["id"];
  EXPECT_EQ(created.body["budget_days"], 30);
  EXPECT_EQ(created.body["stages"].size(), 4U);
  EXPECT_EQ(created.body["clock"]["status"], "not_started");

  Answer table = Send("GET", "/api/v1/projects/" + id + "/flow-table", nullptr, commissioner);
  ASSERT_EQ(table.status, 200) << table.body.dump();
  json rows = table.body["current"]["rows"];
  rows.erase(rows.size() - 1);
  Answer edited = Send("PUT", "/api/v1/projects/" + id + "/flow-table",
                       {{"version", 1}, {"note", "一企一策"}, {"rows", rows}}, commissioner);
  ASSERT_EQ(edited.status, 200) << edited.body.dump();
  EXPECT_EQ(edited.body["version"], 2);
  EXPECT_EQ(Send("PUT", "/api/v1/projects/" + id + "/flow-table", {{"version", 1}, {"rows", rows}},
                 commissioner)
                .status,
            412);

  Answer early = Send("POST", "/api/v1/projects/" + id + "/stages/2/start", nullptr, clerk);
  EXPECT_EQ(early.status, 422) << early.body.dump();
  EXPECT_EQ(Fields(early).size(), 4U);
  Answer started =
      Send("POST", "/api/v1/projects/" + id + "/stages/1/start",
           {{"materials",
             {{"site_selection_pre_review", {{{"name", "土地利用现状图"}, {"state", "gap"}}}}}}},
           clerk);
  ASSERT_EQ(started.status, 200) << started.body.dump();
  EXPECT_EQ(started.body["stages"][0]["state"], "running");

  Answer mixed = Send("POST", "/api/v1/project-batches",
                      {{"items",
                        {{{"project_id", id}, {"matter", "site_selection_pre_review"}},
                         {{"project_id", id}, {"matter", "eia_approval"}}}}},
                      approver);
  EXPECT_EQ(mixed.status, 400);
  EXPECT_EQ(Fields(mixed), (std::vector<std::string>{"items[1].matter", "items[1].project_id"}));
  Answer not_mine =
      Send("POST", "/api/v1/projects/" + id + "/matters/feasibility_study_approval/decision",
           {{"approve", true}}, approver);
  EXPECT_EQ(not_mine.status, 403);
  Answer exempt =
      Send("POST", "/api/v1/projects/" + id + "/matters/soil_water_conservation/exemption",
           json::object(), admin);
  EXPECT_EQ(exempt.status, 422) << exempt.body.dump();
  EXPECT_EQ(Fields(exempt), (std::vector<std::string>{"assessment"}));
  Answer pause = Send("POST", "/api/v1/projects/" + id + "/pauses",
                      {{"stage", 1}, {"kind", "public_notice"}}, clerk);
  EXPECT_EQ(pause.status, 201) << pause.body.dump();

  Answer stats = Send("GET", "/api/v1/project-statistics?region=430603", nullptr, clerk);
  ASSERT_EQ(stats.status, 200) << stats.body.dump();
  EXPECT_EQ(stats.body["projects"], 1);
  EXPECT_EQ(stats.body["per_stage"]["1"], 1);
  Answer list = Send("GET", "/api/v1/projects?region=430603", nullptr, commissioner);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["items"].size(), 1U);
  Answer delegations =
      Send("GET", "/api/v1/project-delegations?region=430603&on=2026-11-26", nullptr, clerk);
  EXPECT_EQ(delegations.body["items"].size(), 3U);
}

}  // namespace
}  // namespace tongban::api
