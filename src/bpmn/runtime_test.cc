// The durable runtime's contract, on SQLite and PostgreSQL: deployments and versions, steps
// as transactions with exactly-once effects, the task inbox, timers and jobs with leases,
// buffered messages, incidents, cancellation and history.
#include "bpmn/runtime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <fmt/format.h>

#include "bpmn/runtime_codec.h"
#include "store/queries.h"
#include "store/testing.h"

namespace tongban {
extern const EmbeddedFile kBpmnRuntimeFiles[];
extern const size_t kBpmnRuntimeFiles_count;
}  // namespace tongban

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
std::string CaseXml() {
  return Model(R"xml(
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
}

std::string TimerXml() {
  return Model(R"(
  <bpmn:process id="wait" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="an_hour"/>
    <bpmn:intermediateCatchEvent id="an_hour">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="an_hour" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>)");
}

std::string MessageXml() {
  return Model(R"(
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
}

// An exclusive gateway without a default: an amount that matches no flow is an incident.
std::string RouteXml() {
  return Model(R"(
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
}

std::string BundleXml() {
  return Model(R"(
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
}

// A called process whose error is caught on the call activity of its caller.
std::string CallErrorXml() {
  return Model(R"(
  <bpmn:process id="caller" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
    <bpmn:callActivity id="call">
      <bpmn:extensionElements><zeebe:calledElement processId="checks"/></bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:boundaryEvent id="rejected" attachedToRef="call">
      <bpmn:errorEventDefinition errorRef="e"/>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/>
    <bpmn:sequenceFlow id="f3" sourceRef="rejected" targetRef="refused"/>
    <bpmn:endEvent id="end"/>
    <bpmn:endEvent id="refused"/>
  </bpmn:process>
  <bpmn:process id="checks" isExecutable="true">
    <bpmn:startEvent id="c_start"/>
    <bpmn:sequenceFlow id="c1" sourceRef="c_start" targetRef="c_task"/>
    <bpmn:userTask id="c_task"/>
    <bpmn:sequenceFlow id="c2" sourceRef="c_task" targetRef="c_end"/>
    <bpmn:endEvent id="c_end"><bpmn:errorEventDefinition errorRef="e"/></bpmn:endEvent>
  </bpmn:process>)",
               R"(<bpmn:error id="e" errorCode="REJECTED"/>)");
}

// The parallel approval of a case: one review task per department of `departments`, each in
// that department's inbox; and one task offered to the accounts `=reviewers` names.
std::string ParallelApprovalXml() {
  return Model(R"xml(
  <bpmn:process id="parallel" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review" name="Department review">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="=item.department"/>
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=departments" inputElement="item"/>
        </bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="sign"/>
    <bpmn:userTask id="sign">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="=lead_departments"
                                    candidateUsers="=reviewers"/>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>)xml");
}

// The issue's process with in-transaction service actions: a user task, then two service tasks
// in parallel (types `record_a` and `record_b`); `async_b`: b is camunda:asyncBefore.
std::string ActionsXml(bool async_b = false) {
  std::string xml = Model(fmt::format(R"xml(
  <bpmn:process id="actions" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="window"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="fork"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="a"/>
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="b"/>
    <bpmn:serviceTask id="a">
      <bpmn:extensionElements><zeebe:taskDefinition type="record_a"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="b"{}>
      <bpmn:extensionElements><zeebe:taskDefinition type="record_b"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f5" sourceRef="a" targetRef="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="b" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>)xml",
                                      async_b ? R"( camunda:asyncBefore="true")" : ""));
  std::string ns = R"(xmlns:zeebe=)";
  xml.insert(xml.find(ns), R"(xmlns:camunda="http://camunda.org/schema/1.0/bpmn" )");
  return xml;
}

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

  // A table the in-transaction actions write to, and the actions `record_a` and `record_b` on
  // `runtime`: each writes one row (instance, element) through the step's session, fails when
  // the variable `fail` names its element, and returns `{<element>_done: true}`.
  void RegisterRecordingActions(Runtime& runtime) {
    if (!action_table_) {
      ASSERT_TRUE(
          db_->Transaction(store::TxKind::kWrite,
                           [](soci::session& sql) {
                             sql << "CREATE TABLE action_log (instance_id TEXT, element_id TEXT)";
                             return ::tongban::Status(Ok());
                           })
              .ok());
      action_table_ = true;
    }
    for (const char* type : {"record_a", "record_b"}) {
      runtime.RegisterInTransactionHandler(
          type, [this](const Job& job, soci::session& sql) -> Result<feel::Value> {
            ++action_calls_;
            sql << "INSERT INTO action_log (instance_id, element_id) VALUES (:i, :e)",
                soci::use(job.instance_id), soci::use(job.element_id);
            const feel::Value* fail = nullptr;
            for (const feel::ContextEntry& e : job.variables.context()) {
              if (e.name == "fail") fail = &e.value;
            }
            if (fail != nullptr && fail->is(feel::Kind::kString) &&
                fail->string() == job.element_id) {
              return Error(ErrorCode::kUnavailable, "the register is closed");
            }
            return Json(fmt::format(R"({{"{}_done": true}})", job.element_id));
          });
    }
  }

  // The rows the actions wrote for `instance`, as "element" strings in order.
  std::vector<std::string> ActionRows(const std::string& instance) {
    std::vector<std::string> out;
    EXPECT_TRUE(
        db_->Transaction(store::TxKind::kRead,
                         [&](soci::session& sql) {
                           soci::rowset<std::string> rows =
                               (sql.prepare
                                    << "SELECT element_id FROM action_log WHERE instance_id = :i "
                                       "ORDER BY element_id",
                                soci::use(instance));
                           for (const std::string& r : rows) out.push_back(r);
                           return ::tongban::Status(Ok());
                         })
            .ok());
    return out;
  }

  long long JobRows() {
    long long n = -1;
    EXPECT_TRUE(db_->Transaction(store::TxKind::kRead,
                                 [&](soci::session& sql) {
                                   sql << "SELECT COUNT(*) FROM bpmn_job", soci::into(n);
                                   return ::tongban::Status(Ok());
                                 })
                    .ok());
    return n;
  }

  bool action_table_ = false;
  std::atomic<int> action_calls_{0};
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
  auto first = runtime_->Deploy(CaseXml(), Clerk("admin"));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  ASSERT_EQ(first->processes.size(), 1u);
  EXPECT_EQ(first->processes[0].version, 1);
  auto again = runtime_->Deploy(CaseXml(), Clerk("admin"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->reused);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->processes[0].version, 1);

  std::string v1 = Start("case");
  std::string changed = CaseXml();
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
  Deploy(CaseXml());
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
  Deploy(RouteXml());
  Deploy(CaseXml());
  for (int round = 0; round < 6; ++round) {
    // Odd rounds race a completion that opens the next task (the loser must not write it).
    std::string id = Start(round % 2 == 0 ? "route" : "case");
    auto page = runtime_->ListAssigneeTasks("nobody", 10);
    ASSERT_TRUE(page.ok());
    auto info = runtime_->GetInstance(id);
    std::string task = id + "/" + std::to_string(info->state.activities.begin()->first);
    std::atomic<int> ok{0};
    std::vector<ErrorCode> errors(2, ErrorCode::kInternal);
    std::vector<std::thread> threads;
    threads.reserve(2);
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
    if (round % 2 == 0) {
      EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "review:completed"), 1);
      EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "route:ended"), 1);
      EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
    } else {
      EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "accept:completed"), 1);
      EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "approve:task-created"), 1);
      EXPECT_EQ(runtime_->ListGroupTasks("director", 100)->tasks.size(), (round + 1) / 2);
    }
  }
}

TEST_P(RuntimeTest, AFailedStepIsRolledBackAndBecomesAnIncidentToRetry) {
  SKIP_WITHOUT_DATABASE();
  Deploy(RouteXml());
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

TEST_P(RuntimeTest, InboxPagesClaimsUnclaimsAndDelegates) {
  SKIP_WITHOUT_DATABASE();
  Deploy(CaseXml());
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Start("case"));
    clock_.Advance(minutes(1));
  }
  // Oldest first, two per page, the cursor continues where the page ended.
  std::vector<std::string> seen;
  std::optional<TaskCursor> cursor;
  for (int pages = 0; pages < 5; ++pages) {
    auto page = runtime_->ListGroupTasks("window", 2, cursor);
    ASSERT_TRUE(page.ok()) << page.error().ToString();
    for (const Task& t : page->tasks) seen.push_back(t.instance_id);
    cursor = page->next;
    if (!cursor) break;
  }
  EXPECT_EQ(seen, ids);
  EXPECT_TRUE(runtime_->ListGroupTasks("director", 10)->tasks.empty());
  EXPECT_FALSE(runtime_->ListGroupTasks("window", 0).ok());

  std::string task = OnlyTaskOf(ids[0]);
  EXPECT_EQ(runtime_->ClaimTask(task, Director("d1")).error().code(), ErrorCode::kForbidden);
  ASSERT_TRUE(runtime_->ClaimTask(task, Clerk("clerk1")).ok());
  EXPECT_EQ(runtime_->ClaimTask(task, Clerk("clerk2")).error().code(), ErrorCode::kConflict);
  EXPECT_EQ(runtime_->GetTask(task)->state, TaskState::kClaimed);
  auto mine = runtime_->ListAssigneeTasks("clerk1", 10);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->tasks.size(), 1u);
  EXPECT_EQ(mine->tasks[0].id, task);
  // Claimed by clerk1: clerk2 (same group) may not complete it.
  EXPECT_EQ(runtime_->CompleteTask(task, feel::Value(), Clerk("clerk2")).error().code(),
            ErrorCode::kForbidden);
  EXPECT_EQ(runtime_->UnclaimTask(task, Clerk("clerk2")).error().code(), ErrorCode::kForbidden);
  ASSERT_TRUE(runtime_->UnclaimTask(task, Clerk("clerk1")).ok());
  EXPECT_TRUE(runtime_->ListAssigneeTasks("clerk1", 10)->tasks.empty());
  ASSERT_TRUE(runtime_->ClaimTask(task, Clerk("clerk1")).ok());
  ASSERT_TRUE(runtime_->DelegateTask(task, Clerk("clerk1"), "clerk3").ok());
  auto delegated = runtime_->GetTask(task);
  EXPECT_EQ(delegated->assignee, "clerk3");
  EXPECT_EQ(delegated->delegated_by, "clerk1");
  EXPECT_EQ(runtime_->CompleteTask(task, feel::Value(), Clerk("clerk1")).error().code(),
            ErrorCode::kForbidden);
  ASSERT_TRUE(runtime_->CompleteTask(task, feel::Value(), Clerk("clerk3")).ok());
  std::vector<std::string> kinds = Kinds(ids[0]);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "accept:claimed"), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "accept:unclaimed"), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "accept:delegated to clerk3"), kinds.end());
  auto history = runtime_->History(ids[0]);
  for (const HistoryEvent& e : *history) {
    if (e.kind == "claimed") {
      EXPECT_EQ(e.actor, "clerk1");
    }
  }
}

// The group inbox reads its index, on both backends (a million open tasks stay fast).
TEST_P(RuntimeTest, GroupInboxQueryUsesItsIndex) {
  SKIP_WITHOUT_DATABASE();
  std::string plan;
  ::tongban::Status s =
      db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> ::tongban::Status {
        // The runtime's own query, its parameters written in.
        auto queries = store::QuerySet::Load(kBpmnRuntimeFiles, kBpmnRuntimeFiles_count);
        EXPECT_TRUE(queries.ok());
        std::string select = queries->Get("group_tasks", GetParam());
        for (auto [name, value] :
             std::vector<std::pair<std::string, std::string>>{{":group_name", "'window'"},
                                                              {":after_created", "5"},
                                                              {":after_id", "'a'"},
                                                              {":limit", "50"}}) {
          select.replace(select.find(name), name.size(), value);
        }
        if (GetParam() == Backend::kSqlite) {
          soci::rowset<soci::row> rows = (sql.prepare << "EXPLAIN QUERY PLAN " + select);
          for (const soci::row& r : rows) plan += r.get<std::string>(3) + "\n";
        } else {
          sql << "SET LOCAL enable_seqscan = off";  // an empty table: ask for the index plan
          soci::rowset<std::string> rows = (sql.prepare << "EXPLAIN " + select);
          for (const std::string& r : rows) plan += r + "\n";
        }
        return Ok();
      });
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  if (GetParam() == Backend::kSqlite) {
    EXPECT_NE(plan.find("SEARCH c USING"), std::string::npos) << plan;
    EXPECT_NE(plan.find("PRIMARY KEY (group_name=?"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;  // no sort: index order
  } else {
    EXPECT_NE(plan.find("bpmn_task_candidate_pkey"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("Sort"), std::string::npos) << plan;
  }
}

TEST_P(RuntimeTest, TwoRuntimesNeverFireOneTimerTwice) {
  SKIP_WITHOUT_DATABASE();
  Deploy(TimerXml());
  std::vector<std::string> ids;
  ids.reserve(12);
  for (int i = 0; i < 12; ++i) ids.push_back(Start("wait"));
  // Not due yet.
  EXPECT_EQ(*runtime_->FireDueTimers(100), 0);
  clock_.Advance(hours(1));
  std::unique_ptr<Runtime> second = NewRuntime("r2");
  std::atomic<int> fired{0};
  std::thread a([&] {
    for (int i = 0; i < 6; ++i) fired += runtime_->FireDueTimers(3).value_or(0);
  });
  std::thread b([&] {
    for (int i = 0; i < 6; ++i) fired += second->FireDueTimers(3).value_or(0);
  });
  a.join();
  b.join();
  EXPECT_EQ(fired.load(), 12);
  for (const std::string& id : ids) {
    std::vector<std::string> kinds = Kinds(id);
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "an_hour:completed"), 1) << id;
    EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
  }
  EXPECT_EQ(*runtime_->FireDueTimers(100), 0);
}

TEST_P(RuntimeTest, ALeasedTimerIsNotTakenUntilItsLeaseExpires) {
  SKIP_WITHOUT_DATABASE();
  Deploy(TimerXml());
  std::string id = Start("wait");
  clock_.Advance(hours(2));
  // r2 leases it and "crashes" before firing: a lease row taken by hand.
  ::tongban::Status s =
      db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> ::tongban::Status {
        long long until = (clock_.Now() + std::chrono::seconds(30)).time_since_epoch().count();
        sql << "UPDATE bpmn_timer SET lease_owner = 'r2', lease_until = :u", soci::use(until);
        return Ok();
      });
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*runtime_->FireDueTimers(10), 0);
  clock_.Advance(std::chrono::seconds(31));
  EXPECT_EQ(*runtime_->FireDueTimers(10), 1);
  EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
}

TEST_P(RuntimeTest, FailingJobsRetryWithBackoffThenBecomeIncidents) {
  SKIP_WITHOUT_DATABASE();
  Deploy(CaseXml());
  int notify_calls = 0;
  bool notify_works = false;
  std::vector<int> attempts;
  runtime_->RegisterJobHandler("notify", [&](const Job& job) -> Result<feel::Value> {
    ++notify_calls;
    attempts.push_back(job.attempt);
    EXPECT_EQ(feel::ToJson(*job.variables.Find("applicant")), "\"李四\"");
    if (!notify_works) return Error(ErrorCode::kUnavailable, "SMS gateway down");
    return feel::Value();
  });
  // "archive" has no handler: an incident naming the type.
  std::string id = Start("case", R"({"applicant": "李四"})");
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(id), feel::Value(), Clerk("clerk1")).ok());
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(id), feel::Value(), Director("d1")).ok());
  EXPECT_EQ(*runtime_->RunDueJobs(10), 0);
  EXPECT_EQ(notify_calls, 1);
  auto incidents = runtime_->ListIncidents(id);
  ASSERT_EQ(incidents->size(), 1u);
  EXPECT_EQ((*incidents)[0].element_id, "archive");
  EXPECT_NE((*incidents)[0].message.find("'archive'"), std::string::npos);
  // Backoff: 10 s after the first failure, 20 s after the second.
  EXPECT_EQ(*runtime_->RunDueJobs(10), 0);
  EXPECT_EQ(notify_calls, 1);
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(*runtime_->RunDueJobs(10), 0);
  EXPECT_EQ(notify_calls, 2);
  clock_.Advance(std::chrono::seconds(19));
  EXPECT_EQ(*runtime_->RunDueJobs(10), 0);
  EXPECT_EQ(notify_calls, 2);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(*runtime_->RunDueJobs(10), 0);
  EXPECT_EQ(notify_calls, 3);  // the third attempt failed: an incident
  clock_.Advance(hours(1));
  EXPECT_EQ(*runtime_->RunDueJobs(10), 0);
  EXPECT_EQ(notify_calls, 3);
  incidents = runtime_->ListIncidents(id);
  ASSERT_EQ(incidents->size(), 2u);
  const Incident& failed = (*incidents)[1];
  EXPECT_EQ(failed.element_id, "notify");
  EXPECT_NE(failed.message.find("SMS gateway down"), std::string::npos);

  // Fixed: retry runs the job again; the archive incident is resolved by hand.
  notify_works = true;
  ASSERT_TRUE(runtime_->RetryIncident(failed.id, Json(R"({"sms": "ok"})"), Clerk("ops")).ok());
  EXPECT_EQ(*runtime_->RunDueJobs(10), 1);
  EXPECT_EQ(notify_calls, 4);
  EXPECT_EQ(attempts, (std::vector<int>{1, 2, 3, 1}));
  EXPECT_EQ(StatusOf(id), RunStatus::kRunning);
  ASSERT_TRUE(runtime_->ResolveIncident((*incidents)[0].id, Clerk("ops")).ok());
  EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
  EXPECT_EQ(feel::ToJson(runtime_->GetInstance(id)->state.variables.at("sms")), "\"ok\"");
  EXPECT_TRUE(runtime_->ListIncidents()->empty());
}

TEST_P(RuntimeTest, MessagesCorrelateByKeyAndWaitBufferedForTheirSubscription) {
  SKIP_WITHOUT_DATABASE();
  Deploy(MessageXml());
  std::string a = Start("pay", R"({"case_id": "A-1"})");
  auto none =
      runtime_->CorrelateMessage("paid", "Z-9", Json(R"({"x": 1})"), std::chrono::seconds(0));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, MessageOutcome::kDropped);
  EXPECT_EQ(StatusOf(a), RunStatus::kRunning);
  auto hit = runtime_->CorrelateMessage("paid", "A-1", Json(R"({"amount": 30})"), hours(1));
  ASSERT_TRUE(hit.ok()) << hit.error().ToString();
  EXPECT_EQ(*hit, MessageOutcome::kCorrelated);
  EXPECT_EQ(StatusOf(a), RunStatus::kCompleted);
  EXPECT_EQ(feel::ToJson(runtime_->GetInstance(a)->state.variables.at("amount")), "30");

  // Early: buffered, then delivered in the step that opens the subscription.
  auto early = runtime_->CorrelateMessage("paid", "B-2", Json(R"({"amount": 40})"), hours(1));
  EXPECT_EQ(*early, MessageOutcome::kBuffered);
  std::string b = Start("pay", R"({"case_id": "B-2"})");
  EXPECT_EQ(StatusOf(b), RunStatus::kCompleted);
  EXPECT_EQ(feel::ToJson(runtime_->GetInstance(b)->state.variables.at("amount")), "40");
  // Delivered once: a second instance with the same key waits.
  std::string b2 = Start("pay", R"({"case_id": "B-2"})");
  EXPECT_EQ(StatusOf(b2), RunStatus::kRunning);

  // Expired: dropped.
  EXPECT_EQ(*runtime_->CorrelateMessage("paid", "C-3", feel::Value(), minutes(5)),
            MessageOutcome::kBuffered);
  clock_.Advance(minutes(6));
  std::string c = Start("pay", R"({"case_id": "C-3"})");
  EXPECT_EQ(StatusOf(c), RunStatus::kRunning);
}

TEST_P(RuntimeTest, CancellingClosesTasksTimersAndCalledInstances) {
  SKIP_WITHOUT_DATABASE();
  Deploy(BundleXml());
  std::string id = Start("bundle", R"({"applicant": "王五"})");
  auto page = runtime_->ListGroupTasks("x", 10);
  ASSERT_TRUE(page.ok());
  // The called instance waits in its user task; it saw the caller's variables.
  std::string child;
  ::tongban::Status s =
      db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> ::tongban::Status {
        sql << "SELECT id FROM bpmn_instance WHERE parent_instance = :p", soci::use(id),
            soci::into(child);
        return Ok();
      });
  ASSERT_TRUE(s.ok());
  ASSERT_FALSE(child.empty());
  auto info = runtime_->GetInstance(child);
  EXPECT_EQ(info->process_id, "matter");
  EXPECT_EQ(info->parent_instance, id);
  EXPECT_EQ(feel::ToJson(info->state.variables.at("applicant")), "\"王五\"");
  std::string task = OnlyTaskOf(child);
  ASSERT_TRUE(runtime_->CompleteTask(task, Json(R"({"permit": "P-1"})"), Clerk("c")).ok());
  EXPECT_EQ(StatusOf(child), RunStatus::kCompleted);
  EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
  EXPECT_EQ(feel::ToJson(runtime_->GetInstance(id)->state.variables.at("permit")), "\"P-1\"");

  std::string other = Start("bundle");
  std::string other_child;
  s = db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> ::tongban::Status {
    sql << "SELECT id FROM bpmn_instance WHERE parent_instance = :p", soci::use(other),
        soci::into(other_child);
    return Ok();
  });
  std::string open = OnlyTaskOf(other_child);
  ASSERT_TRUE(runtime_->CancelInstance(other, Clerk("ops")).ok());
  EXPECT_EQ(StatusOf(other), RunStatus::kCancelled);
  EXPECT_EQ(StatusOf(other_child), RunStatus::kCancelled);
  EXPECT_EQ(runtime_->GetTask(open)->state, TaskState::kCancelled);
  EXPECT_EQ(runtime_->CompleteTask(open, feel::Value(), Clerk("c")).error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(runtime_->CancelInstance(other, Clerk("ops")).error().code(), ErrorCode::kConflict);
  EXPECT_EQ(Kinds(other).back(), "bundle:cancelled");

  // A called process's uncaught error is thrown from the call activity.
  Deploy(CallErrorXml());
  std::string caller = Start("caller");
  std::string checks;
  s = db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> ::tongban::Status {
    sql << "SELECT id FROM bpmn_instance WHERE parent_instance = :p", soci::use(caller),
        soci::into(checks);
    return Ok();
  });
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(checks), feel::Value(), Clerk("c")).ok());
  EXPECT_EQ(StatusOf(checks), RunStatus::kCompleted);
  EXPECT_EQ(Kinds(checks).back(), "checks:ended with error REJECTED");
  EXPECT_EQ(StatusOf(caller), RunStatus::kCompleted);
  std::vector<std::string> caller_kinds = Kinds(caller);
  EXPECT_NE(std::find(caller_kinds.begin(), caller_kinds.end(), "refused:completed"),
            caller_kinds.end());

  // A timer of a cancelled instance never fires.
  Deploy(TimerXml());
  std::string waiting = Start("wait");
  ASSERT_TRUE(runtime_->CancelInstance(waiting, Clerk("ops")).ok());
  clock_.Advance(hours(2));
  EXPECT_EQ(*runtime_->FireDueTimers(10), 0);
  EXPECT_EQ(StatusOf(waiting), RunStatus::kCancelled);
}

// Group commit: steps of concurrent callers share one transaction, each in its savepoint; a
// task raced by four threads is still completed once, and a refused step takes no one down.
TEST_P(RuntimeTest, GroupCommitKeepsOneEffectPerTrigger) {
  SKIP_WITHOUT_DATABASE();
  auto grouped = Runtime::Create(*db_, clock_, {.owner = "g", .group_commit = 16});
  ASSERT_TRUE(grouped.ok());
  Runtime& g = **grouped;
  ASSERT_TRUE(g.Deploy(RouteXml(), Clerk("admin")).ok());
  constexpr int kInstances = 12;
  std::vector<std::string> ids(kInstances);
  {
    std::vector<std::thread> starters;
    starters.reserve(4);
    for (int t = 0; t < 4; ++t) {
      starters.emplace_back([&, t] {
        for (int i = t; i < kInstances; i += 4) {
          ids[i] = g.StartInstance("route", feel::Value(), Clerk("c")).value_or("");
        }
      });
    }
    for (std::thread& th : starters) th.join();
  }
  std::vector<std::string> tasks;
  for (const std::string& id : ids) {
    ASSERT_FALSE(id.empty());
    tasks.push_back(OnlyTaskOf(id));
  }
  std::atomic<int> ok{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> racers;
  racers.reserve(4);
  for (int t = 0; t < 4; ++t) {
    racers.emplace_back([&, t] {
      for (int i = 0; i < kInstances; ++i) {
        // One thread in four sends an amount that takes no flow: an incident, not an error.
        const std::string vars = t == 3 && i == 0 ? R"({"amount": null})" : R"({"amount": 1})";
        if (g.CompleteTask(tasks[i], Json(vars), Clerk("c")).ok()) {
          ++ok;
        } else {
          ++refused;
        }
      }
    });
  }
  for (std::thread& th : racers) th.join();
  EXPECT_EQ(ok.load(), kInstances);
  EXPECT_EQ(refused.load(), 3 * kInstances);
  for (int i = 0; i < kInstances; ++i) {
    std::vector<std::string> kinds = Kinds(ids[i]);
    RunStatus status = StatusOf(ids[i]);
    if (status == RunStatus::kIncident) {
      EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "decide:incident"), 1);
    } else {
      EXPECT_EQ(status, RunStatus::kCompleted);
      EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "review:completed"), 1);
    }
  }
}

// Each runtime keeps the states it committed, by instance and revision: when another runtime
// has stepped the instance since, the row's revision differs and the stored state is read.
// Both jobs of one RunDueJobs call go to the group-commit writer together and each has one
// effect.
TEST_P(RuntimeTest, TwoRuntimesSteppingOneInstanceEachSeeTheOthersSteps) {
  SKIP_WITHOUT_DATABASE();
  auto grouped = Runtime::Create(*db_, clock_, {.owner = "g", .group_commit = 8});
  ASSERT_TRUE(grouped.ok());
  Runtime& g = **grouped;
  Deploy(CaseXml());
  int ran = 0;
  for (const char* type : {"notify", "archive"}) {
    g.RegisterJobHandler(type, [&ran, type](const Job&) -> Result<feel::Value> {
      ++ran;
      return Json(fmt::format(R"({{"{}_done": true}})", type));
    });
  }
  auto id = g.StartInstance("case", Json(R"({"applicant": "A"})"), Clerk("clerk1"));
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  // The other runtime accepts, with a variable the grouped one has never seen.
  std::string accept = OnlyTaskOf(*id);
  ASSERT_TRUE(runtime_->CompleteTask(accept, Json(R"({"fee": 12})"), Clerk("clerk1")).ok());
  auto seen = g.GetInstance(*id);
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(feel::ToJson(seen->state.variables.at("fee")), "12");
  std::string approve = OnlyTaskOf(*id);
  ASSERT_NE(approve, accept);
  ASSERT_TRUE(g.CompleteTask(approve, Json(R"({"fee": 13})"), Director("d1")).ok());
  // And the first runtime sees the grouped one's step.
  auto info = runtime_->GetInstance(*id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(feel::ToJson(info->state.variables.at("fee")), "13");
  auto done = g.RunDueJobs(10);
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_EQ(*done, 2);
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(*g.RunDueJobs(10), 0);
  info = runtime_->GetInstance(*id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->status, RunStatus::kCompleted);
  EXPECT_EQ(feel::ToJson(info->state.variables.at("archive_done")), "true");
  EXPECT_EQ(feel::ToJson(info->state.variables.at("notify_done")), "true");
  std::vector<std::string> kinds = Kinds(*id);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "notify:completed"), 1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "archive:completed"), 1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "case:ended"), 1);
}

// A leased job is not runnable until its lease ends; then another runtime takes it (a runtime
// that stopped mid-job), and the first runtime's late completion finds its lease lost.
TEST_P(RuntimeTest, ALeasedJobIsTakenAgainOnlyAfterItsLeaseExpires) {
  SKIP_WITHOUT_DATABASE();
  Deploy(CaseXml());
  std::unique_ptr<Runtime> other = NewRuntime("r2");
  ASSERT_TRUE(other);
  int other_ran = 0;
  for (const char* type : {"notify", "archive"}) {
    other->RegisterJobHandler(type, [&other_ran](const Job&) -> Result<feel::Value> {
      ++other_ran;
      return feel::Value();
    });
  }
  std::vector<int> taken_meanwhile;
  runtime_->RegisterJobHandler("notify", [&](const Job&) -> Result<feel::Value> {
    auto during = other->RunDueJobs(10);
    taken_meanwhile.push_back(during.ok() ? *during : -1);
    clock_.Advance(std::chrono::seconds(31));  // the first runtime's 30 s lease ends
    auto after = other->RunDueJobs(10);
    taken_meanwhile.push_back(after.ok() ? *after : -1);
    return feel::Value();
  });
  runtime_->RegisterJobHandler("archive", [](const Job&) { return Result(feel::Value()); });
  std::string id = Start("case");
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(id), feel::Value(), Clerk("clerk1")).ok());
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(id), feel::Value(), Director("d1")).ok());
  auto done = runtime_->RunDueJobs(10);
  ASSERT_TRUE(done.ok()) << done.error().ToString();
  EXPECT_EQ(*done, 0);  // both leases were lost
  EXPECT_EQ(taken_meanwhile, (std::vector<int>{0, 2}));
  EXPECT_EQ(other_ran, 2);
  EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
  std::vector<std::string> kinds = Kinds(id);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "notify:completed"), 1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "archive:completed"), 1);
}

TEST_P(RuntimeTest, CandidateGroupsWrittenAsFeelOpenOneTaskPerDepartmentInItsInbox) {
  SKIP_WITHOUT_DATABASE();
  Deploy(ParallelApprovalXml());
  std::string id = Start("parallel", R"({"departments": [{"department": "431128-rsj"},
                                                          {"department": "431128-sj"}],
                                         "lead_departments": ["431128-zwb"],
                                         "reviewers": "alice, bob"})");
  std::string rsj = OnlyTask("431128-rsj");
  std::string sj = OnlyTask("431128-sj");
  ASSERT_NE(rsj, sj);
  auto task = runtime_->GetTask(rsj);
  ASSERT_TRUE(task.ok());
  EXPECT_EQ(task->candidate_groups, std::vector<std::string>{"431128-rsj"});
  auto other = runtime_->ListGroupTasks("window", 10);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->tasks.empty());

  // Only a member of the task's department may complete it.
  Actor rsj_officer{"rsj1", {"reviewer"}, "431128-rsj", "431128"};
  Actor sj_officer{"sj1", {"reviewer"}, "431128-sj", "431128"};
  EXPECT_EQ(runtime_->CompleteTask(rsj, Json("{}"), sj_officer).error().code(),
            ErrorCode::kForbidden);
  ASSERT_TRUE(runtime_->CompleteTask(rsj, Json("{}"), rsj_officer).ok());
  ASSERT_TRUE(runtime_->CompleteTask(sj, Json("{}"), sj_officer).ok());

  // The next task: the groups and the users its FEEL names.
  std::string sign = OnlyTask("431128-zwb");
  auto signed_task = runtime_->GetTask(sign);
  ASSERT_TRUE(signed_task.ok());
  EXPECT_EQ(signed_task->candidate_groups, std::vector<std::string>{"431128-zwb"});
  EXPECT_EQ(signed_task->candidate_users, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(runtime_->CompleteTask(sign, Json("{}"), rsj_officer).error().code(),
            ErrorCode::kForbidden);
  ASSERT_TRUE(runtime_->CompleteTask(sign, Json("{}"), Actor{"bob", {}, "", "431128"}).ok());
  EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
}

TEST_P(RuntimeTest, AnInstanceKeepsItsRegionAndDepartmentForScopedListings) {
  SKIP_WITHOUT_DATABASE();
  Deploy(CaseXml());
  auto id = runtime_->StartInstance("case", Json("{}"), Clerk("clerk1"),
                                    StartOptions{.region = "431128", .department = "431128-rsj"});
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  auto info = runtime_->GetInstance(*id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->region, "431128");
  EXPECT_EQ(info->department, "431128-rsj");
  EXPECT_EQ(info->revision, 1);  // inserted once, with its first step's state

  // Without options, the `region` and `department` variables are the instance's.
  std::string other = Start("case", R"({"region": "430181", "department": "430181-zwzx"})");
  auto other_info = runtime_->GetInstance(other);
  ASSERT_TRUE(other_info.ok());
  EXPECT_EQ(other_info->region, "430181");
  EXPECT_EQ(other_info->department, "430181-zwzx");

  // Their tasks carry them; a filtered listing keeps what the filter accepts.
  auto all = runtime_->ListGroupTasks("window", 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->tasks.size(), 2u);
  EXPECT_EQ(all->tasks[0].region, "431128");
  EXPECT_EQ(all->tasks[0].department, "431128-rsj");
  EXPECT_EQ(all->tasks[1].region, "430181");
  auto county = [](const std::string& region) {
    return [region](const Task& t) { return t.region == region; };
  };
  auto xintian = runtime_->ListGroupTasks("window", 10, std::nullopt, county("431128"));
  ASSERT_TRUE(xintian.ok());
  ASSERT_EQ(xintian->tasks.size(), 1u);
  EXPECT_EQ(xintian->tasks[0].instance_id, *id);
  auto nowhere = runtime_->ListGroupTasks("window", 10, std::nullopt, county("110101"));
  ASSERT_TRUE(nowhere.ok());
  EXPECT_TRUE(nowhere->tasks.empty());
  EXPECT_FALSE(nowhere->next.has_value());  // the scan reached the end
}

TEST_P(RuntimeTest, HistorySaysWhoCausedEachStepAndTheRequest) {
  SKIP_WITHOUT_DATABASE();
  Deploy(CaseXml());
  Deploy(MessageXml());
  Deploy(TimerXml());
  runtime_->RegisterJobHandler("notify",
                               [](const Job&) { return Result<feel::Value>(feel::Value()); });
  runtime_->RegisterJobHandler("archive",
                               [](const Job&) { return Result<feel::Value>(feel::Value()); });
  Actor clerk = Clerk("clerk1");
  clerk.request_id = "req-1";
  auto id = runtime_->StartInstance("case", Json("{}"), clerk);
  ASSERT_TRUE(id.ok());
  Actor accept = Clerk("clerk2");
  accept.request_id = "req-2";
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(*id), Json("{}"), accept).ok());
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(*id), Json("{}"), Director("boss")).ok());
  auto ran = runtime_->RunDueJobs(10);
  ASSERT_TRUE(ran.ok());
  EXPECT_EQ(*ran, 2);
  auto history = runtime_->History(*id);
  ASSERT_TRUE(history.ok());
  std::map<std::string, std::string> by;  // "element:kind" -> "actor request"
  for (const HistoryEvent& e : *history)
    by[e.element_id + ":" + e.kind] = e.actor + " " + e.request_id;
  EXPECT_EQ(by["case:started"], "clerk1 req-1");
  EXPECT_EQ(by["accept:task-created"], "clerk1 req-1");
  EXPECT_EQ(by["accept:completed"], "clerk2 req-2");
  EXPECT_EQ(by["approve:completed"], "boss ");
  EXPECT_EQ(by["notify:completed"], "job:notify ");
  EXPECT_EQ(by["archive:completed"], "job:archive ");
  EXPECT_TRUE(by["case:ended"].starts_with("job:")) << by["case:ended"];

  std::string pay = Start("pay", R"({"case_id": "c-1"})");
  ASSERT_TRUE(runtime_->CorrelateMessage("paid", "c-1", Json("{}"), minutes(0)).ok());
  auto paid = runtime_->History(pay);
  ASSERT_TRUE(paid.ok());
  EXPECT_EQ(paid->back().actor, "message:paid");

  std::string wait = Start("wait");
  clock_.Advance(hours(2));
  ASSERT_EQ(*runtime_->FireDueTimers(10), 1);
  auto waited = runtime_->History(wait);
  ASSERT_TRUE(waited.ok());
  EXPECT_EQ(waited->back().actor, "timer");
}

// An in-transaction action runs inside the step that reaches its service task: the user task's
// completion runs both actions and reaches the end in one step (one revision), with no job row
// and nothing left for RunDueJobs.
TEST_P(RuntimeTest, InTransactionActionsRunInlineInTheStepThatReachesThem) {
  SKIP_WITHOUT_DATABASE();
  Deploy(ActionsXml());
  RegisterRecordingActions(*runtime_);
  std::string id = Start("actions");
  EXPECT_EQ(runtime_->GetInstance(id)->revision, 1);
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(id), feel::Value(), Clerk("c")).ok());
  auto info = runtime_->GetInstance(id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->status, RunStatus::kCompleted);
  EXPECT_EQ(info->revision, 2);  // start, completion: two steps in all
  EXPECT_EQ(feel::ToJson(info->state.variables.at("a_done")), "true");
  EXPECT_EQ(feel::ToJson(info->state.variables.at("b_done")), "true");
  EXPECT_EQ(ActionRows(id), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(JobRows(), 0);
  EXPECT_EQ(*runtime_->RunDueJobs(10), 0);
  std::vector<std::string> kinds = Kinds(id);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "a:completed"), 1);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "b:completed"), 1);
  EXPECT_EQ(kinds.back(), "actions:ended");

  // Registered as external (a job handler) instead, the same process makes jobs again.
  runtime_->RegisterJobHandler("record_a",
                               [](const Job&) { return Result<feel::Value>(Json("{}")); });
  std::string other = Start("actions");
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(other), feel::Value(), Clerk("c")).ok());
  EXPECT_EQ(StatusOf(other), RunStatus::kRunning);
  EXPECT_EQ(JobRows(), 1);
  EXPECT_EQ(ActionRows(other), (std::vector<std::string>{"b"}));
  EXPECT_EQ(*runtime_->RunDueJobs(10), 1);
  EXPECT_EQ(StatusOf(other), RunStatus::kCompleted);
}

// A failing in-transaction action makes the step an incident at its service task: the
// instance keeps its state before the step (the task still open), what the actions wrote is
// undone, even the one that succeeded; the retry runs the step again with the fix.
TEST_P(RuntimeTest, AFailingInTransactionActionIsAnIncidentAtItsTaskToRetry) {
  SKIP_WITHOUT_DATABASE();
  Deploy(ActionsXml());
  RegisterRecordingActions(*runtime_);
  std::string id = Start("actions");
  std::string task = OnlyTaskOf(id);
  auto before = runtime_->GetInstance(id);
  ASSERT_TRUE(runtime_->CompleteTask(task, Json(R"({"fail": "b"})"), Clerk("c")).ok());
  auto after = runtime_->GetInstance(id);
  EXPECT_EQ(after->status, RunStatus::kIncident);
  EXPECT_EQ(EncodeState(after->state).find("fail"), std::string::npos);
  EXPECT_EQ(after->state.activities.size(), before->state.activities.size());
  EXPECT_EQ(runtime_->GetTask(task)->state, TaskState::kOpen);
  EXPECT_EQ(action_calls_.load(), 2);   // a ran and succeeded, b failed ...
  EXPECT_TRUE(ActionRows(id).empty());  // ... and neither write stayed
  EXPECT_EQ(JobRows(), 0);
  auto incidents = runtime_->ListIncidents(id);
  ASSERT_TRUE(incidents.ok());
  ASSERT_EQ(incidents->size(), 1u);
  EXPECT_EQ((*incidents)[0].element_id, "b");
  EXPECT_NE((*incidents)[0].message.find("the register is closed"), std::string::npos);
  EXPECT_TRUE((*incidents)[0].job_id.empty());
  ASSERT_TRUE(
      runtime_->RetryIncident((*incidents)[0].id, Json(R"({"fail": "none"})"), Clerk("ops")).ok());
  EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
  EXPECT_EQ(ActionRows(id), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(runtime_->GetTask(task)->state, TaskState::kCompleted);

  // An action that writes nothing runs without a savepoint of its own; when it fails, what the
  // writing action before it wrote is still undone.
  runtime_->RegisterInTransactionHandler(
      "record_b",
      [](const Job&, soci::session&) -> Result<feel::Value> {
        return Error(ErrorCode::kUnavailable, "pure and failing");
      },
      ActionWrites::kNothing);
  std::string pure = Start("actions");
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(pure), feel::Value(), Clerk("c")).ok());
  EXPECT_EQ(StatusOf(pure), RunStatus::kIncident);
  EXPECT_TRUE(ActionRows(pure).empty());
  ASSERT_EQ(runtime_->ListIncidents(pure)->size(), 1u);
  EXPECT_EQ(runtime_->ListIncidents(pure)->at(0).element_id, "b");
}

// camunda:asyncBefore keeps the job path for its task even though its action is registered
// in-transaction: the action then runs inside the job's completion step.
TEST_P(RuntimeTest, AsyncBeforeMakesAJobOfAnInTransactionAction) {
  SKIP_WITHOUT_DATABASE();
  Deploy(ActionsXml(/*async_b=*/true));
  RegisterRecordingActions(*runtime_);
  std::string id = Start("actions");
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(id), feel::Value(), Clerk("c")).ok());
  EXPECT_EQ(StatusOf(id), RunStatus::kRunning);
  EXPECT_EQ(ActionRows(id), (std::vector<std::string>{"a"}));
  EXPECT_EQ(JobRows(), 1);
  auto info = runtime_->GetInstance(id);
  EXPECT_EQ(info->state.activities.size(), 1u);
  EXPECT_EQ(info->state.activities.begin()->second.wait, WaitKind::kJob);
  EXPECT_EQ(*runtime_->RunDueJobs(10), 1);
  EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
  EXPECT_EQ(ActionRows(id), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(JobRows(), 0);

  // A failing action of a job fails the job (retries, then an incident) and undoes its write.
  std::string failing = Start("actions", R"({"fail": "b"})");
  ASSERT_TRUE(runtime_->CompleteTask(OnlyTaskOf(failing), feel::Value(), Clerk("c")).ok());
  EXPECT_EQ(*runtime_->RunDueJobs(10), 0);
  EXPECT_EQ(ActionRows(failing), (std::vector<std::string>{"a"}));
  EXPECT_EQ(JobRows(), 1);

  // A value other than true or false is refused at deployment, naming the element.
  std::string bad = ActionsXml(true);
  bad.replace(bad.find(R"(asyncBefore="true")"), 18, R"(asyncBefore="yes")");
  auto refused = runtime_->Deploy(bad, Clerk("admin"));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().ToString().find("asyncBefore"), std::string::npos);
}

// Two concurrent completions of the task that reaches in-transaction actions: one step wins,
// and the actions' writes exist once (the loser's rolled back with its step); with group commit
// too. A step that fails after its actions ran (here: the revision moved under it) leaves
// nothing: no action row, the task open, no incident.
TEST_P(RuntimeTest, InTransactionActionsHaveOneEffectUnderRacesAndFailedSteps) {
  SKIP_WITHOUT_DATABASE();
  Deploy(ActionsXml());
  auto grouped = Runtime::Create(*db_, clock_, {.owner = "g", .group_commit = 8});
  ASSERT_TRUE(grouped.ok());
  for (Runtime* r : {runtime_.get(), grouped->get()}) {
    RegisterRecordingActions(*r);
    for (int round = 0; round < 4; ++round) {
      std::string id = Start("actions");
      std::string task = OnlyTaskOf(id);
      std::atomic<int> ok{0};
      std::vector<std::thread> threads;
      threads.reserve(2);
      for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&] {
          if (r->CompleteTask(task, feel::Value(), Clerk("c")).ok()) ++ok;
        });
      }
      for (std::thread& th : threads) th.join();
      EXPECT_EQ(ok.load(), 1);
      EXPECT_EQ(StatusOf(id), RunStatus::kCompleted);
      EXPECT_EQ(ActionRows(id), (std::vector<std::string>{"a", "b"}));
    }
  }
  EXPECT_EQ(JobRows(), 0);

  std::string id = Start("actions");
  std::string task = OnlyTaskOf(id);
  long long revision = runtime_->GetInstance(id)->revision;
  runtime_->RegisterInTransactionHandler(
      "record_b", [](const Job& job, soci::session& sql) -> Result<feel::Value> {
        sql << "INSERT INTO action_log (instance_id, element_id) VALUES (:i, :e)",
            soci::use(job.instance_id), soci::use(job.element_id);
        // Another step committed meanwhile, as far as this one's compare-and-set can tell.
        sql << "UPDATE bpmn_instance SET revision = revision + 1 WHERE id = :i",
            soci::use(job.instance_id);
        return feel::Value();
      });
  auto failed = runtime_->CompleteTask(task, feel::Value(), Clerk("c"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kConflict);
  EXPECT_TRUE(ActionRows(id).empty());
  EXPECT_EQ(runtime_->GetInstance(id)->revision, revision);
  EXPECT_EQ(StatusOf(id), RunStatus::kRunning);
  EXPECT_EQ(runtime_->GetTask(task)->state, TaskState::kOpen);
  EXPECT_TRUE(runtime_->ListIncidents(id)->empty());
}

TEST_P(RuntimeTest, AnInstanceStartedInTheCallersTransactionCommitsOrRollsBackWithIt) {
  SKIP_WITHOUT_DATABASE();
  Deploy(CaseXml());
  Deploy(TimerXml());
  // Rolled back by the caller: neither instance, nor its task, timer or history exists.
  std::string dropped_case, dropped_timer;
  AfterCommit dropped;
  ::tongban::Status rolled_back =
      db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> ::tongban::Status {
        auto a = runtime_->StartInstanceIn(sql, "case", Json(R"({"applicant": "张三"})"),
                                           Clerk("c"), {}, dropped);
        if (!a.ok()) return a.error();
        dropped_case = a->id;
        EXPECT_EQ(a->status, RunStatus::kRunning);
        auto b = runtime_->StartInstanceIn(sql, "wait", feel::Value(), Clerk("c"), {}, dropped);
        if (!b.ok()) return b.error();
        dropped_timer = b->id;
        return Error(ErrorCode::kConflict, "the caller's own write failed");
      });
  ASSERT_FALSE(rolled_back.ok());
  EXPECT_EQ(rolled_back.error().code(), ErrorCode::kConflict);
  ASSERT_FALSE(dropped_case.empty());
  ASSERT_FALSE(dropped_timer.empty());
  EXPECT_FALSE(dropped.states.empty());  // staged, never published
  EXPECT_EQ(runtime_->GetInstance(dropped_case).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(runtime_->GetInstance(dropped_timer).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(runtime_->ListGroupTasks("window", 10)->tasks.empty());
  EXPECT_TRUE(runtime_->History(dropped_case)->empty());
  clock_.Advance(hours(1));
  EXPECT_EQ(*runtime_->FireDueTimers(10), 0);

  // Committed by the caller: the instance, its first task and its timer are there, and steps
  // continue it.
  AfterCommit after;
  std::string id, timer;
  ::tongban::Status committed =
      db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> ::tongban::Status {
        auto a = runtime_->StartInstanceIn(sql, "case", Json(R"({"applicant": "李四"})"),
                                           Clerk("c"), {.region = "431128"}, after);
        if (!a.ok()) return a.error();
        id = a->id;
        // The returned state is the first step's: the acceptance task is open.
        EXPECT_EQ(a->state.activities.size(), 1u);
        EXPECT_EQ(a->region, "431128");
        auto b = runtime_->StartInstanceIn(sql, "wait", feel::Value(), Clerk("c"), {}, after);
        if (!b.ok()) return b.error();
        timer = b->id;
        return Ok();
      });
  ASSERT_TRUE(committed.ok()) << committed.error().ToString();
  runtime_->Committed(after);
  EXPECT_TRUE(after.states.empty());
  EXPECT_EQ(StatusOf(id), RunStatus::kRunning);
  EXPECT_EQ(runtime_->GetInstance(id)->region, "431128");
  const std::string accept = OnlyTask("window");
  EXPECT_EQ(accept, OnlyTaskOf(id));
  EXPECT_EQ(Kinds(id).front(), "case:started");
  ASSERT_TRUE(runtime_->CompleteTask(accept, feel::Value(), Clerk("clerk1")).ok());
  EXPECT_EQ(*runtime_->FireDueTimers(10), 0);  // due an hour after its start
  clock_.Advance(hours(1));
  EXPECT_EQ(*runtime_->FireDueTimers(10), 1);
  EXPECT_EQ(StatusOf(timer), RunStatus::kCompleted);
  // A process that is not deployed is refused before anything is written.
  AfterCommit none;
  ::tongban::Status missing =
      db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> ::tongban::Status {
        auto a = runtime_->StartInstanceIn(sql, "nothing", feel::Value(), Clerk("c"), {}, none);
        return a.ok() ? Ok() : ::tongban::Status(a.error());
      });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Backends, RuntimeTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::bpmn
