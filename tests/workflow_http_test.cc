// The workflow runtime over HTTP (app::App with the demo data set, SQLite and PostgreSQL): the
// demo approval process walked end to end by the demo's clerk and approvers, deployments refused
// with every problem named, inbox pages, incidents, messages; and the server's workflow worker.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "app/demo.h"
#include "app/workflow_worker.h"
#include "test_server.h"

namespace tongban {
namespace {

using nlohmann::json;
using store::Backend;

std::string Model(const std::string& body) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">)" +
         body + "</bpmn:definitions>";
}

// One user task for the window clerks, then a gateway whose only flow needs `ok`: started
// without it, the instance has an incident at the gateway.
std::string Simple() {
  return Model(R"(
  <bpmn:process id="simple" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:exclusiveGateway id="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="work">
      <bpmn:conditionExpression>=ok = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:userTask id="work">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="window_clerk"/>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="paid"/>
    <bpmn:intermediateCatchEvent id="paid">
      <bpmn:messageEventDefinition messageRef="m"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="paid" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
  <bpmn:message id="m" name="payment">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=case_no"/></bpmn:extensionElements>
  </bpmn:message>)");
}

// Percent-encodes a query value (cursors hold ':' and '/').
std::string Encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

class WorkflowHttp : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    app::Config config;
    config.demo = true;
    server_ = tongban::testing::TestServer::Start(GetParam(), config);
    if (!server_) return;
    ASSERT_TRUE(server_->Run());
  }

  struct Answer {
    int status = 0;
    json body;
    std::string raw;
  };
  Answer Send(const std::string& method, const std::string& path, const std::string& token,
              const std::string& body = "", const std::string& type = "application/json") {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    auto c = server_->Client();
    auto r = method == "GET" ? c.Get(path, h) : c.Post(path, h, body, type);
    Answer a;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no answer";
      return a;
    }
    a.status = r->status;
    a.raw = r->body;
    if (!r->body.empty()) a.body = json::parse(r->body, nullptr, false);
    return a;
  }
  Answer Post(const std::string& path, const std::string& token, const json& body = json()) {
    return Send("POST", path, token, body.is_null() ? "" : body.dump());
  }
  Answer Get(const std::string& path, const std::string& token) { return Send("GET", path, token); }

  std::string Login(const std::string& username, const std::string& password = "tongban-demo") {
    Answer a = Post("/api/v1/sessions", "", {{"username", username}, {"password", password}});
    EXPECT_EQ(a.status, 201) << a.body.dump();
    return a.body.value("token", "");
  }
  // The demo's process administrator of 新田县.
  std::string ProcessAdmin() { return Login("xintian.process_admin"); }
  Answer Deploy(const std::string& xml, const std::string& token) {
    return Send("POST", "/api/v1/processes", token, xml, "application/xml");
  }
  // The open tasks of `instance` in an inbox.
  std::vector<json> TasksOf(const std::string& inbox, const std::string& token,
                            const std::string& instance) {
    Answer a = Get("/api/v1/tasks?" + inbox, token);
    EXPECT_EQ(a.status, 200) << a.body.dump();
    std::vector<json> out;
    for (const json& t : a.body["items"]) {
      if (t["instance_id"] == instance) out.push_back(t);
    }
    return out;
  }

  std::unique_ptr<tongban::testing::TestServer> server_;
};

TEST_P(WorkflowHttp, TheDemoApprovalRunsFromAcceptanceToTheTextMessage) {
  const std::string catalog_admin = Login("xintian.catalog_admin");
  Answer processes = Get("/api/v1/processes", catalog_admin);
  ASSERT_EQ(processes.status, 200) << processes.body.dump();
  // The demo's processes, the case review processes among them.
  json parallel;
  for (const json& p : processes.body["items"]) {
    if (p["id"] == "parallel_approval") parallel = p;
  }
  ASSERT_TRUE(parallel.is_object()) << processes.body.dump();
  EXPECT_EQ(parallel["latest_version"], 1);

  const std::string clerk = Login("xintian.window_clerk");
  const std::string approver = Login("xintian.approver");
  const std::string head = Login("xintian.department_head");
  json vars = {{"region", "431128"},
               {"department", "431128-rsj"},
               {"departments", {"431128-rsj", "431128-scjgj"}},
               {"phone", "13800000001"}};
  Answer started =
      Post("/api/v1/processes/parallel_approval/instances", clerk, {{"variables", vars}});
  ASSERT_EQ(started.status, 201) << started.body.dump();
  const std::string instance = started.body["id"];
  EXPECT_EQ(started.body["status"], "running");
  ASSERT_EQ(started.body["waits"]["tasks"].size(), 1u);
  EXPECT_EQ(started.body["waits"]["tasks"][0]["element_id"], "accept");

  // An approver is not in the window clerks' group: it may neither list nor claim acceptance.
  EXPECT_EQ(Get("/api/v1/tasks?group=window_clerk", approver).status, 403);
  auto accept = TasksOf("group=window_clerk", clerk, instance);
  ASSERT_EQ(accept.size(), 1u);
  const std::string accept_path = "/api/v1/tasks/" + accept[0]["id"].get<std::string>();
  EXPECT_FALSE(accept[0]["due"].is_null());
  EXPECT_EQ(Post(accept_path + "/claim", approver).status, 403);
  Answer claimed = Post(accept_path + "/claim", clerk);
  ASSERT_EQ(claimed.status, 200) << claimed.body.dump();
  EXPECT_EQ(claimed.body["state"], "claimed");
  EXPECT_EQ(TasksOf("assignee=me", clerk, instance).size(), 1u);
  Answer accepted = Post(accept_path + "/complete", clerk, {{"variables", {{"accepted", true}}}});
  ASSERT_EQ(accepted.status, 200) << accepted.body.dump();
  EXPECT_EQ(accepted.body["state"], "completed");
  // Completing it twice has one effect.
  EXPECT_EQ(Post(accept_path + "/complete", clerk).status, 404);

  // Parallel approval: one review task per department, and a reminder timer.
  Answer waiting = Get("/api/v1/instances/" + instance, approver);
  ASSERT_EQ(waiting.status, 200);
  EXPECT_EQ(waiting.body["waits"]["tasks"].size(), 2u);
  ASSERT_EQ(waiting.body["waits"]["timers"].size(), 1u);
  EXPECT_EQ(waiting.body["waits"]["timers"][0]["element_id"], "review_overdue");
  auto reviews = TasksOf("group=approver", approver, instance);
  ASSERT_EQ(reviews.size(), 2u);
  std::set<std::string> reviewed;
  for (size_t i = 0; i < reviews.size(); ++i) {
    const std::string& who = i == 0 ? approver : head;
    const std::string path = "/api/v1/tasks/" + reviews[i]["id"].get<std::string>();
    ASSERT_EQ(Post(path + "/claim", who).status, 200);
    Answer done = Post(path + "/complete", who, {{"variables", {{"ok", true}}}});
    ASSERT_EQ(done.status, 200) << done.body.dump();
    reviewed.insert(done.body["completed_by"].get<std::string>());
  }
  EXPECT_EQ(reviewed.size(), 2u);

  // The decision: the clerk is in its group but accepted this case, so 受审分离 refuses it.
  auto decide = TasksOf("group=window_clerk", clerk, instance);
  ASSERT_EQ(decide.size(), 1u);
  EXPECT_EQ(decide[0]["element_id"], "decide");
  const std::string decide_path = "/api/v1/tasks/" + decide[0]["id"].get<std::string>();
  Answer refused = Post(decide_path + "/complete", clerk, {{"variables", {{"approved", true}}}});
  EXPECT_EQ(refused.status, 403) << refused.body.dump();
  EXPECT_EQ(refused.body["rule"], "acceptance_approval_separation");
  EXPECT_NE(refused.body["detail"].get<std::string>().find("acceptance"), std::string::npos);
  Answer decided = Post(decide_path + "/complete", approver, {{"variables", {{"approved", true}}}});
  ASSERT_EQ(decided.status, 200) << decided.body.dump();

  // The text message is a job after the commit: the worker runs it.
  Answer before = Get("/api/v1/instances/" + instance, clerk);
  ASSERT_EQ(before.body["waits"]["jobs"].size(), 1u);
  EXPECT_EQ(before.body["waits"]["jobs"][0]["type"], "notify");
  app::WorkflowWorker worker(server_->app().workflow(), {});
  EXPECT_EQ(worker.RunOnce(), std::make_pair(0, 1));
  Answer done = Get("/api/v1/instances/" + instance, clerk);
  EXPECT_EQ(done.body["status"], "completed");
  EXPECT_EQ(done.body["variables"]["reviews"], json({"431128-rsj", "431128-scjgj"}));
  EXPECT_EQ(done.body["waits"]["timers"].size(), 0u);
  // The phone also receives the notices of the demo's cases (each names its case number); the
  // process sends its own message, once.
  auto sms = server_->app().sms().Outbox("13800000001", 20);
  int concluded = 0;
  for (const auto& m : sms) concluded += m.text.find("您的办件已办结") != std::string::npos ? 1 : 0;
  EXPECT_EQ(concluded, 1);

  Answer history = Get("/api/v1/instances/" + instance + "/history", clerk);
  ASSERT_EQ(history.status, 200);
  std::vector<std::string> completed;
  for (const json& e : history.body["items"]) {
    if (e["kind"] == "completed") completed.push_back(e["element_id"]);
  }
  // Two department reviews and the multi-instance body around them.
  EXPECT_EQ(std::count(completed.begin(), completed.end(), "review"), 3) << history.body.dump();
  EXPECT_NE(std::find(completed.begin(), completed.end(), "concluded"), completed.end());
  Answer listed = Get("/api/v1/instances?process=parallel_approval&status=completed", clerk);
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body["items"].size(), 1u);
  EXPECT_EQ(listed.body["items"][0]["id"], instance);
}

TEST_P(WorkflowHttp, DeploymentsAreRefusedWithEveryProblemAndReusedWhenUnchanged) {
  const std::string admin = ProcessAdmin();
  const std::string clerk = Login("xintian.window_clerk");
  EXPECT_EQ(Deploy(Simple(), "").status, 401);
  EXPECT_EQ(Deploy(Simple(), clerk).status, 403);  // no process.deploy
  EXPECT_EQ(Send("POST", "/api/v1/processes", admin, Simple(), "application/json").status, 415);

  // An unknown group and a refused element: both named by element id.
  std::string bad = Simple();
  bad.replace(bad.find("window_clerk"), 12, "nobody_here");
  bad.replace(bad.find("<bpmn:endEvent id=\"end\"/>"), 25,
              "<bpmn:scriptTask id=\"js\" scriptFormat=\"javascript\"><bpmn:script>x</bpmn:script>"
              "</bpmn:scriptTask><bpmn:endEvent id=\"end\"/>");
  Answer refused = Deploy(bad, admin);
  ASSERT_EQ(refused.status, 422) << refused.body.dump();
  std::set<std::string> fields;
  for (const json& e : refused.body["errors"]) fields.insert(e["field"].get<std::string>());
  EXPECT_TRUE(fields.contains("work")) << refused.body.dump();
  EXPECT_TRUE(fields.contains("js")) << refused.body.dump();

  Answer first = Deploy(Simple(), admin);
  ASSERT_EQ(first.status, 201) << first.body.dump();
  EXPECT_EQ(first.body["processes"], json({{{"process_id", "simple"}, {"version", 1}}}));
  Answer again = Deploy(Simple(), admin);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["deployment_id"], first.body["deployment_id"]);
  std::string changed = Simple();
  changed.replace(changed.find("id=\"end\""), 8, "id=\"done\"");
  changed.replace(changed.find("targetRef=\"end\""), 15, "targetRef=\"done\"");
  Answer second = Deploy(changed, admin);
  ASSERT_EQ(second.status, 201) << second.body.dump();
  EXPECT_EQ(second.body["processes"][0]["version"], 2);

  // Each version's XML as deployed, for the modeller page; the latest without a version.
  EXPECT_EQ(Get("/api/v1/processes/simple/xml?version=1", admin).raw, Simple());
  EXPECT_EQ(Get("/api/v1/processes/simple/xml?version=2", admin).raw, changed);
  EXPECT_EQ(Get("/api/v1/processes/simple/xml", admin).raw, changed);
  EXPECT_EQ(Get("/api/v1/processes/simple/xml?version=3", admin).status, 404);
  EXPECT_EQ(Get("/api/v1/processes/nothing/xml", admin).status, 404);
  EXPECT_EQ(Get("/api/v1/processes/simple/xml?version=0", admin).status, 400);
  EXPECT_EQ(Get("/api/v1/processes/simple/xml", "").status, 401);
  EXPECT_EQ(Get("/api/v1/processes/simple/xml", Login("xintian.hotline_operator")).status, 403);
}

TEST_P(WorkflowHttp, InboxPagesIncidentsAndMessages) {
  const std::string admin = ProcessAdmin();
  const std::string clerk = Login("xintian.window_clerk");
  ASSERT_EQ(Deploy(Simple(), admin).status, 201);
  std::vector<std::string> instances;
  for (int i = 0; i < 3; ++i) {
    Answer s = Post("/api/v1/processes/simple/instances", clerk,
                    {{"variables", {{"ok", true}, {"case_no", fmt::format("C{}", i)}}}});
    ASSERT_EQ(s.status, 201) << s.body.dump();
    instances.push_back(s.body["id"]);
  }
  EXPECT_EQ(Post("/api/v1/processes/simple/instances", clerk, {{"variables", 5}}).status, 400);
  EXPECT_EQ(Post("/api/v1/processes/nothing/instances", clerk).status, 404);

  // Keyset pages over the clerks' inbox: every task once, in creation order.
  std::vector<std::string> seen;
  std::string next;
  for (int page = 0; page < 5; ++page) {
    Answer a = Get(
        "/api/v1/tasks?group=window_clerk&limit=2" + (next.empty() ? "" : "&after=" + Encode(next)),
        clerk);
    ASSERT_EQ(a.status, 200) << a.body.dump();
    EXPECT_LE(a.body["items"].size(), 2u);
    for (const json& t : a.body["items"]) seen.push_back(t["instance_id"]);
    if (a.body["next"].is_null()) break;
    next = a.body["next"];
  }
  EXPECT_EQ(seen, instances);
  Answer bad_page = Get("/api/v1/tasks?group=window_clerk&limit=0&after=x", clerk);
  EXPECT_EQ(bad_page.status, 400);
  EXPECT_EQ(bad_page.body["errors"].size(), 2u) << bad_page.body.dump();
  EXPECT_EQ(Get("/api/v1/tasks", clerk).status, 400);

  // Instances in pages of one.
  Answer p1 = Get("/api/v1/instances?process=simple&limit=1", clerk);
  ASSERT_EQ(p1.status, 200);
  ASSERT_EQ(p1.body["items"].size(), 1u);
  EXPECT_EQ(p1.body["items"][0]["id"], instances[0]);
  Answer p2 = Get("/api/v1/instances?process=simple&limit=1&after=" +
                      Encode(p1.body["next"].get<std::string>()),
                  clerk);
  EXPECT_EQ(p2.body["items"][0]["id"], instances[1]);
  EXPECT_EQ(Get("/api/v1/instances?status=sleeping", clerk).status, 400);

  // A message for the first case, which is not waiting yet: buffered, delivered later.
  Answer buffered = Post("/api/v1/messages", admin,
                         {{"name", "payment"}, {"correlation_key", "C0"}, {"ttl_seconds", 3600}});
  EXPECT_EQ(buffered.status, 202) << buffered.body.dump();
  EXPECT_EQ(buffered.body["outcome"], "buffered");
  EXPECT_EQ(Post("/api/v1/messages", clerk, {{"name", "payment"}}).status, 403);
  EXPECT_EQ(Post("/api/v1/messages", admin, {{"ttl_seconds", -1}}).body["errors"].size(), 2u);
  auto work = TasksOf("group=window_clerk", clerk, instances[0]);
  ASSERT_EQ(work.size(), 1u);
  ASSERT_EQ(Post("/api/v1/tasks/" + work[0]["id"].get<std::string>() + "/complete", clerk).status,
            200);
  EXPECT_EQ(Get("/api/v1/instances/" + instances[0], clerk).body["status"], "completed");
  // The second case waits for its message; it arrives now.
  work = TasksOf("group=window_clerk", clerk, instances[1]);
  ASSERT_EQ(work.size(), 1u);
  ASSERT_EQ(Post("/api/v1/tasks/" + work[0]["id"].get<std::string>() + "/complete", clerk).status,
            200);
  Answer correlated =
      Post("/api/v1/messages", admin, {{"name", "payment"}, {"correlation_key", "C1"}});
  EXPECT_EQ(correlated.status, 200);
  EXPECT_EQ(correlated.body["outcome"], "correlated");
  EXPECT_EQ(Get("/api/v1/instances/" + instances[1], clerk).body["status"], "completed");

  // Started without `ok`, the gateway has no flow: an incident, retried with the fix.
  Answer broken =
      Post("/api/v1/processes/simple/instances", clerk, {{"variables", json::object()}});
  ASSERT_EQ(broken.status, 201);
  EXPECT_EQ(broken.body["status"], "incident");
  ASSERT_EQ(broken.body["incidents"].size(), 1u) << broken.body.dump();
  EXPECT_EQ(broken.body["incidents"][0]["element_id"], "check");
  EXPECT_EQ(Get("/api/v1/incidents", clerk).status, 403);
  Answer incidents = Get("/api/v1/incidents", admin);
  ASSERT_EQ(incidents.status, 200);
  ASSERT_EQ(incidents.body["items"].size(), 1u);
  const std::string incident = incidents.body["items"][0]["id"];
  EXPECT_EQ(incidents.body["items"][0]["element_id"], "check");
  Answer retried =
      Post("/api/v1/incidents/" + incident + "/retry", admin, {{"variables", {{"ok", true}}}});
  ASSERT_EQ(retried.status, 200) << retried.body.dump();
  EXPECT_EQ(retried.body["instance"]["status"], "running");
  EXPECT_EQ(Get("/api/v1/incidents", admin).body["items"].size(), 0u);
  EXPECT_EQ(Post("/api/v1/incidents/" + incident + "/resolve", admin).status, 404);

  // Cancel: operators only; the task leaves the inbox.
  EXPECT_EQ(Post("/api/v1/instances/" + instances[2] + "/cancel", clerk).status, 403);
  Answer cancelled = Post("/api/v1/instances/" + instances[2] + "/cancel", admin);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body.dump();
  EXPECT_EQ(cancelled.body["status"], "cancelled");
  EXPECT_TRUE(TasksOf("group=window_clerk", clerk, instances[2]).empty());
}

TEST_P(WorkflowHttp, ListingsShowOnlyWhatTheCallersGrantsCoverAndHistoryNamesTheRequest) {
  ASSERT_EQ(Deploy(Simple(), ProcessAdmin()).status, 201);
  const std::string clerk = Login("xintian.window_clerk");
  // Started with the caller's X-Request-Id: the instance is of 新田县 (431128).
  auto client = server_->Client();
  httplib::Headers headers = {{"Authorization", "Bearer " + clerk},
                              {"X-Request-Id", "req-scope-1"}};
  auto started = client.Post("/api/v1/processes/simple/instances", headers,
                             json({{"variables", {{"ok", true}, {"case_no", "S1"}}}}).dump(),
                             "application/json");
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 201) << started->body;
  const std::string instance = json::parse(started->body)["id"];
  Answer failed = Post("/api/v1/processes/simple/instances", clerk,
                       {{"variables", {{"case_no", "S2"}}}});  // no `ok`: an incident
  ASSERT_EQ(failed.status, 201) << failed.body.dump();

  // 新田县's own staff see the instance, its task and the incident.
  Answer own = Get("/api/v1/instances?process=simple", clerk);
  ASSERT_EQ(own.status, 200);
  ASSERT_EQ(own.body["items"].size(), 2u) << own.body.dump();
  EXPECT_EQ(own.body["items"][0]["region"], "431128");
  EXPECT_EQ(TasksOf("group=window_clerk", clerk, instance).size(), 1u);
  Answer own_incidents = Get("/api/v1/incidents", ProcessAdmin());
  ASSERT_EQ(own_incidents.status, 200);
  EXPECT_EQ(own_incidents.body["items"].size(), 1u) << own_incidents.body.dump();

  // 浏阳市's (430181) see none of them, and may not open the instance.
  const std::string other_clerk = Login("liuyang.window_clerk");
  const std::string other_admin = Login("liuyang.process_admin");
  Answer other = Get("/api/v1/instances?process=simple", other_clerk);
  ASSERT_EQ(other.status, 200);
  EXPECT_TRUE(other.body["items"].empty()) << other.body.dump();
  Answer other_tasks = Get("/api/v1/tasks?group=window_clerk", other_clerk);
  ASSERT_EQ(other_tasks.status, 200);
  EXPECT_TRUE(other_tasks.body["items"].empty()) << other_tasks.body.dump();
  Answer other_incidents = Get("/api/v1/incidents", other_admin);
  ASSERT_EQ(other_incidents.status, 200);
  EXPECT_TRUE(other_incidents.body["items"].empty()) << other_incidents.body.dump();
  EXPECT_EQ(Get("/api/v1/instances/" + instance, other_clerk).status, 403);
  EXPECT_EQ(Get("/api/v1/instances/" + instance + "/history", other_admin).status, 403);

  // Every history entry names who caused it and the request.
  auto task = TasksOf("group=window_clerk", clerk, instance);
  ASSERT_EQ(task.size(), 1u);
  headers = {{"Authorization", "Bearer " + clerk}, {"X-Request-Id", "req-scope-2"}};
  auto done = client.Post("/api/v1/tasks/" + task[0]["id"].get<std::string>() + "/complete",
                          headers, "{}", "application/json");
  ASSERT_TRUE(done);
  ASSERT_EQ(done->status, 200) << done->body;
  Answer history = Get("/api/v1/instances/" + instance + "/history", clerk);
  ASSERT_EQ(history.status, 200);
  std::map<std::string, std::string> by;
  for (const json& e : history.body["items"]) {
    by[e["element_id"].get<std::string>() + ":" + e["kind"].get<std::string>()] =
        e["actor"].get<std::string>() + " " + e["request_id"].get<std::string>();
  }
  std::string account;  // the clerk's account id, as the listing names who started it
  for (const json& i : own.body["items"]) {
    if (i["id"] == instance) account = i["started_by"];
  }
  ASSERT_FALSE(account.empty());
  EXPECT_EQ(by["simple:started"], account + " req-scope-1") << history.body.dump();
  EXPECT_EQ(by["work:completed"], account + " req-scope-2") << history.body.dump();
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkflowHttp, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

// The server's worker fires due timers and runs jobs on its own thread, and stops cleanly.
TEST(WorkflowWorker, FiresTimersAndRunsJobsOnItsThreadThenStops) {
  auto temp = store::testing::TempDatabase::Create(Backend::kSqlite);
  ASSERT_TRUE(temp);
  auto db = temp->Open();
  auto set = bpmn::Runtime::Migrations();
  ASSERT_TRUE(set.ok());
  const store::MigrationSet* sets[] = {&*set};
  ASSERT_TRUE(db->Migrate(sets).ok());
  FakeClock clock(Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 3 / 2)));
  auto runtime = bpmn::Runtime::Create(*db, clock, {});
  ASSERT_TRUE(runtime.ok());
  people::SimulatedSmsGateway sms;
  app::RegisterPlatformActions(**runtime, sms, clock);
  const std::string xml = Model(R"(
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="later"/>
    <bpmn:intermediateCatchEvent id="later">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="later" targetRef="tell"/>
    <bpmn:serviceTask id="tell">
      <bpmn:extensionElements><zeebe:taskDefinition type="notify"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="tell" targetRef="log"/>
    <bpmn:serviceTask id="log">
      <bpmn:extensionElements><zeebe:taskDefinition type="log"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f4" sourceRef="log" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>)");
  ASSERT_TRUE((*runtime)->Deploy(xml, {}).ok());
  auto id = (*runtime)->StartInstance("wait", *feel::ParseJson(R"({"phone":"13900000002"})"), {});
  ASSERT_TRUE(id.ok()) << id.error().ToString();

  std::mutex mu;
  std::condition_variable cv;
  int timers = 0, jobs = 0, rounds = 0;
  app::WorkflowWorker worker(
      **runtime, {.poll = std::chrono::milliseconds(1), .batch = 10, .observer = [&](int t, int j) {
                    std::lock_guard lock(mu);
                    timers += t;
                    jobs += j;
                    ++rounds;
                    cv.notify_all();
                  }});
  // Not due yet: rounds find nothing.
  worker.Start();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return rounds >= 2; }));
    EXPECT_EQ(timers, 0);
  }
  clock.Advance(std::chrono::hours(1));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(
        cv.wait_for(lock, std::chrono::seconds(30), [&] { return timers == 1 && jobs == 2; }));
  }
  worker.Stop();
  worker.Stop();  // idempotent
  auto info = (*runtime)->GetInstance(*id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->status, bpmn::RunStatus::kCompleted);
  auto sent = sms.Outbox("13900000002", 5);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_NE(sent[0].text.find("tell"), std::string::npos);
}

}  // namespace
}  // namespace tongban
