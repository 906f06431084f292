// The durable runtime's contract, on SQLite and PostgreSQL: deployments and versions, steps
// as transactions with exactly-once effects, the task inbox, timers and jobs with leases,
// buffered messages, incidents, cancellation and history.
#include "bpmn/runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <fmt/format.h>

#include "bpmn/runtime_codec.h"
#include "store/testing.h"

namespace tongban::bpmn {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using store::Backend;

Timestamp Monday() {
  return Timestamp(std::chrono::sys_days(std::chrono::year_month_day(
             std::chrono::year(2026), std::chrono::month(3), std::chrono::day(2)))) +
         hours(1);
}

feel::Value Json(const std::string& text) {
  auto v = feel::ParseJson(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : feel::Value();
}

std::string Model(const std::string& body, const std::string& extra = "") {
  return fmt::format(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">{}
{}
</bpmn:definitions>)",
      extra, body);
}

// The case process: acceptance by the window, approval by the director, then two platform
// actions in parallel.
const std::string kCase = Model(R"xml(
  <bpmn:process id="case" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="accept"/>
    <bpmn:userTask id="accept" name="Accept">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="window"/>
        <zeebe:taskHeaders><zeebe:header key="tongban.step" value="acceptance"/></zeebe:taskHeaders>
        <zeebe:taskSchedule dueDate="=add working days(today(), 3)"/>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="accept" targetRef="approve"/>
    <bpmn:userTask id="approve" name="Approve">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="window,director"/>
        <zeebe:taskHeaders><zeebe:header key="tongban.step" value="approval"/></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="fork"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="notify"/>
    <bpmn:sequenceFlow id="f5" sourceRef="fork" targetRef="archive"/>
    <bpmn:serviceTask id="notify">
      <bpmn:extensionElements><zeebe:taskDefinition type="notify"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="archive">
      <bpmn:extensionElements><zeebe:taskDefinition type="archive"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f6" sourceRef="notify" targetRef="join"/>
    <bpmn:sequenceFlow id="f7" sourceRef="archive" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f8" sourceRef="join" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>)xml");

const std::string kTimer = Model(R"(
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="an_hour"/>
    <bpmn:intermediateCatchEvent id="an_hour">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="an_hour" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>)");

const std::string kMessage = Model(R"(
  <bpmn:process id="pay" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_payment"/>
    <bpmn:receiveTask id="wait_payment" messageRef="m"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait_payment" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>)",
                                   R"(
  <bpmn:message id="m" name="paid">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=case_id"/></bpmn:extensionElements>
  </bpmn:message>)");

// An exclusive gateway without a default: an amount that matches no flow is an incident.
const std::string kRoute = Model(R"(
  <bpmn:process id="route" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decide"/>
    <bpmn:exclusiveGateway id="decide"/>
    <bpmn:sequenceFlow id="small" sourceRef="decide" targetRef="end">
      <bpmn:conditionExpression>=amount &lt; 100</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="large" sourceRef="decide" targetRef="end">
      <bpmn:conditionExpression>=amount &gt;= 100</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="end"/>
  </bpmn:process>)");

const std::string kBundle = Model(R"(
  <bpmn:process id="bundle" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
    <bpmn:callActivity id="call">
      <bpmn:extensionElements><zeebe:calledElement processId="matter"/></bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
  <bpmn:process id="matter" isExecutable="true">
    <bpmn:startEvent id="m_start"/>
    <bpmn:sequenceFlow id="m1" sourceRef="m_start" targetRef="m_task"/>
    <bpmn:userTask id="m_task"/>
    <bpmn:sequenceFlow id="m2" sourceRef="m_task" targetRef="m_end"/>
    <bpmn:endEvent id="m_end"/>
  </bpmn:process>)");

Actor Clerk(const std::string& id) { return Actor{id, {"clerk"}, "window", "330102"}; }
Actor Director(const std::string& id) { return Actor{id, {"director"}, "office", "330102"}; }

class RuntimeTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open(8);
    ASSERT_TRUE(db_);
    auto set = Runtime::Migrations();
    ASSERT_TRUE(set.ok()) << set.error().ToString();
    set_ = *std::move(set);
    const store::MigrationSet* sets[] = {&set_};
    auto migrated = db_->Migrate(sets);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    runtime_ = NewRuntime("r1");
  }

  std::unique_ptr<Runtime> NewRuntime(const std::string& owner) {
    auto r = Runtime::Create(*db_, clock_, {.owner = owner});
    EXPECT_TRUE(r.ok());
    return r.ok() ? *std::move(r) : nullptr;
  }

  void Deploy(const std::string& xml) {
    auto d = runtime_->Deploy(xml, Clerk("admin"));
    ASSERT_TRUE(d.ok()) << d.error().ToString();
  }

  std::string Start(const std::string& process, const std::string& vars = "{}") {
    auto id = runtime_->StartInstance(process, Json(vars), Clerk("clerk1"));
    EXPECT_TRUE(id.ok()) << id.error().ToString();
    return id.ok() ? *id : std::string();
  }

  std::vector<std::string> Kinds(const std::string& instance) {
    std::vector<std::string> out;
    auto h = runtime_->History(instance);
    EXPECT_TRUE(h.ok());
    if (h.ok()) {
      for (const HistoryEvent& e : *h) out.push_back(e.element_id + ":" + e.kind);
    }
    return out;
  }

  RunStatus StatusOf(const std::string& instance) {
    auto info = runtime_->GetInstance(instance);
    EXPECT_TRUE(info.ok());
    return info.ok() ? info->status : RunStatus::kCancelled;
  }

  std::string OnlyTask(const std::string& group) {
    auto page = runtime_->ListGroupTasks(group, 10);
    EXPECT_TRUE(page.ok());
    if (!page.ok() || page->tasks.size() != 1) {
      ADD_FAILURE() << "expected one task for " << group;
      return "";
    }
    return page->tasks[0].id;
  }

  std::string OnlyTaskOf(const std::string& instance) {
    auto info = runtime_->GetInstance(instance);
    EXPECT_TRUE(info.ok());
    for (const auto& [aid, a] : info->state.activities) {
      if (a.wait == WaitKind::kTask) return instance + "/" + std::to_string(aid);
    }
    ADD_FAILURE() << "no task";
    return "";
  }

  FakeClock clock_{Monday()};
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  store::MigrationSet set_;
  std::unique_ptr<Runtime> runtime_;
};

#define SKIP_WITHOUT_DATABASE() \
  if (!temp_) return

TEST(StateCodec, FeelValuesRoundTripExactly) {
  InstanceState s;
  s.variables["amount"] = feel::Value::Number(*feel::Decimal::Parse("12345678901234567890.125"));
  s.variables["count"] = feel::Value::Number(int64_t{42});
  s.variables["due"] = feel::Value::FromDate(*feel::Date::Parse("2026-03-05"));
  s.variables["at"] =
      feel::Value::FromDateTime(*feel::DateTime::Parse("2026-03-05T10:30:00.5@Asia/Shanghai"));
  s.variables["local"] = feel::Value::FromTime(*feel::Time::Parse("08:00:00+08:00"));
  s.variables["wait"] = feel::Value::FromDuration(*feel::DaysTimeDuration::Parse("P3DT4H"));
  s.variables["term"] = feel::Value::FromDuration(*feel::YearsMonthsDuration::Parse("P1Y2M"));
  s.variables["applicant"] = Json(R"({"name": "张三", "docs": [1, "a", null, true]})");
  s.activities[3] = ActivityInstance{.id = 3,
                                     .node = 2,
                                     .parent = -1,
                                     .wait = WaitKind::kJob,
                                     .locals = {{"x", feel::Value::Number(int64_t{1})}},
                                     .items = {},
                                     .outputs = {},
                                     .next_item = 0,
                                     .completed = 0,
                                     .item = -1};
  s.timers.push_back({4, Monday(), 3, 5, -1});
  s.joins.push_back({7, -1, {1, 0}});
  s.next_id = 9;
  std::string text = EncodeState(s);
  auto back = DecodeState(text);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  for (const auto& [k, v] : s.variables) {
    ASSERT_TRUE(back->variables.contains(k)) << k;
    EXPECT_EQ(back->variables.at(k).kind(), v.kind()) << k;
    EXPECT_EQ(back->variables.at(k).ToString(), v.ToString()) << k;
  }
  EXPECT_EQ(back->variables.at("amount").number().ToString(), "12345678901234567890.125");
  EXPECT_EQ(EncodeState(*back), text);
  EXPECT_EQ(back->activities.at(3).wait, WaitKind::kJob);
  EXPECT_EQ(back->timers.at(0).due, Monday());
  EXPECT_FALSE(DecodeState("{\"status\": 0}").ok());
  EXPECT_FALSE(DecodeValue(R"({"d": "2026-13-45"})").ok());
}

TEST_P(RuntimeTest, DeploysVersionsAndRefusesInvalidModels) {
  SKIP_WITHOUT_DATABASE();
  auto first = runtime_->Deploy(kCase, Clerk("admin"));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  ASSERT_EQ(first->processes.size(), 1u);
  EXPECT_EQ(first->processes[0].version, 1);
  auto again = runtime_->Deploy(kCase, Clerk("admin"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->reused);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->processes[0].version, 1);

  std::string v1 = Start("case");
  std::string changed = kCase;
  changed.replace(changed.find("name=\"Accept\""), 13, "name=\"Receive\"");
  auto second = runtime_->Deploy(changed, Clerk("admin"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->processes[0].version, 2);
  std::string v2 = Start("case");
  std::string old = runtime_->StartInstance("case", feel::Value(), Clerk("c"), 1).value();
  EXPECT_EQ(runtime_->GetInstance(v1)->version, 1);
  EXPECT_EQ(runtime_->GetInstance(v2)->version, 2);
  EXPECT_EQ(runtime_->GetInstance(old)->version, 1);
  EXPECT_EQ(
      runtime_
          ->GetTask(v1 + "/" +
                    std::to_string(runtime_->GetInstance(v1)->state.activities.begin()->first))
          ->name,
      "Accept");
  EXPECT_FALSE(runtime_->StartInstance("case", feel::Value(), Clerk("c"), 7).ok());
  EXPECT_EQ(runtime_->StartInstance("nothing", feel::Value(), Clerk("c")).error().code(),
            ErrorCode::kNotFound);

  auto invalid = runtime_->Deploy(Model(R"(<bpmn:process id="bad" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="g"/>
    <bpmn:exclusiveGateway id="g"/>
    <bpmn:scriptTask id="js" scriptFormat="javascript"><bpmn:script>x</bpmn:script></bpmn:scriptTask>
    </bpmn:process>)"),
                                  Clerk("admin"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code(), ErrorCode::kInvalidArgument);
  std::set<std::string> fields;
  for (const FieldError& f : invalid.error().fields()) fields.insert(f.field);
  EXPECT_TRUE(fields.contains("g")) << invalid.error().ToString();
  EXPECT_TRUE(fields.contains("js")) << invalid.error().ToString();
}

TEST_P(RuntimeTest, CaseRunsToItsEndThroughTasksAndJobs) {
  SKIP_WITHOUT_DATABASE();
  Deploy(kCase);
  std::vector<std::string> ran;
  for (const char* type : {"notify", "archive"}) {
    runtime_->RegisterJobHandler(type, [&ran, type](const Job& job) -> Result<feel::Value> {
      ran.push_back(std::string(type) + ":" + job.element_id);
      return Json(fmt::format(R"({{"{}_done": true}})", type));
    });
  }
  std::string id = Start("case", R"({"applicant": "张三"})");
  std::string accept = OnlyTask("window");
  auto task = runtime_->GetTask(accept);
  ASSERT_TRUE(task.ok());
  EXPECT_EQ(task->element_id, "accept");
  EXPECT_EQ(task->name, "Accept");
  EXPECT_EQ(task->headers.at("tongban.step"), "acceptance");
  ASSERT_TRUE(task->due.has_value());
  // Monday + 3 working days: Thursday 00:00 China Standard Time.
  EXPECT_EQ(*task->due, Monday() - hours(1) + hours(24 * 3) - hours(8));
  EXPECT_EQ(task->state, TaskState::kOpen);
  // Someone outside the group may not complete it.
  EXPECT_EQ(runtime_->CompleteTask(accept, feel::Value(), Director("d1")).error().code(),
            ErrorCode::kForbidden);
  ASSERT_TRUE(runtime_->CompleteTask(accept, Json(R"({"accepted": true})"), Clerk("clerk1")).ok());
  // Completing it again has no second effect.
  EXPECT_EQ(runtime_->CompleteTask(accept, feel::Value(), Clerk("clerk1")).error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(runtime_->GetTask(accept)->state, TaskState::kCompleted);
  EXPECT_EQ(runtime_->GetTask(accept)->completed_by, "clerk1");

  // Acceptance–approval separation: clerk1 accepted, so clerk1 may not approve.
  auto approvals = runtime_->ListGroupTasks("window", 10);
  ASSERT_TRUE(approvals.ok());
  ASSERT_EQ(approvals->tasks.size(), 1u);
  std::string approve = approvals->tasks[0].id;
  ::tongban::Status refused = runtime_->CompleteTask(approve, feel::Value(), Clerk("clerk1"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kRefused);
  EXPECT_NE(refused.error().message().find("acceptance"), std::string::npos);
  ASSERT_TRUE(runtime_->CompleteTask(approve, feel::Value(), Director("d1")).ok());

  // Both actions are jobs now; they run after the step committed.
  auto info = runtime_->GetInstance(id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->status, RunStatus::kRunning);
  EXPECT_TRUE(ran.empty());
  auto done = runtime_->RunDueJobs(10);
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_EQ(*done, 2);
  EXPECT_EQ(ran.size(), 2u);
  info = runtime_->GetInstance(id);
  EXPECT_EQ(info->status, RunStatus::kCompleted);
  EXPECT_EQ(feel::ToJson(info->state.variables.at("notify_done")), "true");
  EXPECT_EQ(*runtime_->RunDueJobs(10), 0);
  std::vector<std::string> kinds = Kinds(id);
  EXPECT_EQ(kinds.front(), "case:started");
  EXPECT_EQ(kinds.back(), "case:ended");
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "accept:completed"), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "join:completed"), kinds.end());
  auto history = runtime_->History(id);
  ASSERT_TRUE(history.ok());
  for (const HistoryEvent& e : *history) {
    if (e.element_id == "accept" && e.kind == "completed") {
      EXPECT_EQ(e.actor, "clerk1");
    }
  }
}

TEST_P(RuntimeTest, TwoThreadsCompletingOneTaskHaveOneEffect) {
  SKIP_WITHOUT_DATABASE();
  Deploy(kRoute);
  for (int round = 0; round < 5; ++round) {
    std::string id = Start("route");
    auto page = runtime_->ListAssigneeTasks("nobody", 10);
    ASSERT_TRUE(page.ok());
    auto info = runtime_->GetInstance(id);
    std::string task = id + "/" + std::to_string(info->state.activities.begin()->first);
    std::atomic<int> ok{0};
    std::vector<ErrorCode> errors(2, ErrorCode::kInternal);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        ::tongban::Status s = runtime_->CompleteTask(
            task, Json(fmt::format(R"({{"amount": {}}})", t == 0 ? 5 : 500)), Clerk("c"));
        if (s.ok()) {
          ++ok;
        } else {
          errors[t] = s.error().code();
        }
      });
    }
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(ok.load(), 1);
    for (ErrorCode e : errors) {
      EXPECT_TRUE(e == ErrorCode::kInternal || e == ErrorCode::kNotFound ||
                  e == ErrorCode::kConflict)
          << static_cast<int>(e);
    }
    std::vector<std::string> kinds = Kinds(id);
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "review:completed"), 1);
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "route:ended"), 1);
    EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
  }
}

TEST_P(RuntimeTest, AFailedStepIsRolledBackAndBecomesAnIncidentToRetry) {
  SKIP_WITHOUT_DATABASE();
  Deploy(kRoute);
  std::string id = Start("route");
  auto before = runtime_->GetInstance(id);
  ASSERT_TRUE(before.ok());
  std::string task = OnlyTaskOf(id);
  // A null amount takes no flow: the step fails; nothing of it is applied.
  ASSERT_TRUE(runtime_->CompleteTask(task, Json(R"({"amount": null})"), Clerk("c")).ok());
  auto after = runtime_->GetInstance(id);
  EXPECT_EQ(after->status, RunStatus::kIncident);
  EXPECT_EQ(EncodeState(after->state).find("amount"), std::string::npos);
  EXPECT_EQ(after->state.activities.size(), before->state.activities.size());
  EXPECT_EQ(runtime_->GetTask(task)->state, TaskState::kOpen);
  auto incidents = runtime_->ListIncidents();
  ASSERT_TRUE(incidents.ok());
  ASSERT_EQ(incidents->size(), 1u);
  EXPECT_EQ((*incidents)[0].element_id, "decide");
  EXPECT_EQ((*incidents)[0].instance_id, id);
  EXPECT_NE((*incidents)[0].message.find("no outgoing flow"), std::string::npos);
  // Other steps wait until it is fixed.
  EXPECT_EQ(runtime_->CompleteTask(task, feel::Value(), Clerk("c")).error().code(),
            ErrorCode::kConflict);
  // The retry merges the fix and runs the same step again.
  ASSERT_TRUE(
      runtime_->RetryIncident((*incidents)[0].id, Json(R"({"amount": 7})"), Clerk("ops")).ok());
  EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
  EXPECT_TRUE(runtime_->ListIncidents()->empty());
  EXPECT_FALSE(runtime_->ListIncidents(id)->at(0).open);
  EXPECT_EQ(runtime_->RetryIncident((*incidents)[0].id, feel::Value(), Clerk("ops")).error().code(),
            ErrorCode::kConflict);

  // A transaction that fails midway leaves nothing: the instance before the step.
  std::string other = Start("route");
  long long revision = runtime_->GetInstance(other)->revision;
  ::tongban::Status failed =
      db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> ::tongban::Status {
        sql << "UPDATE bpmn_instance SET status = 'completed' WHERE id = '" + other + "'";
        return Error(ErrorCode::kStorage, "power cut");
      });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(StatusOf(other), RunStatus::kRunning);
  EXPECT_EQ(runtime_->GetInstance(other)->revision, revision);
}

INSTANTIATE_TEST_SUITE_P(Backends, RuntimeTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::bpmn
