#include "bpmn/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "bpmn/reader.h"
#include "feel/temporal.h"

namespace tongban::bpmn {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using Ids = std::vector<std::string>;

// Monday 2026-03-02 09:00 China Standard Time.
Timestamp Monday() {
  return Timestamp(std::chrono::sys_days(std::chrono::year_month_day(
             std::chrono::year(2026), std::chrono::month(3), std::chrono::day(2)))) +
         hours(1);
}

Definitions Load(const std::string& name) {
  auto defs = LoadBpmnFile(std::string(TONGBAN_BPMN_TESTDATA) + "/" + name);
  EXPECT_TRUE(defs.ok()) << (defs.ok() ? "" : defs.error().ToString());
  EXPECT_FALSE(defs.ok() && defs->HasErrors()) << FormatProblem(defs->problems[0]);
  return defs.ok() ? *std::move(defs) : Definitions{};
}

feel::Value Json(const std::string& text) {
  auto v = feel::ParseJson(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : feel::Value();
}

RunOutcome RunOnce(const Definitions& defs, const std::string& vars,
                   const std::string& outputs = "{}", FakeClock* clock = nullptr) {
  FakeClock own(Monday());
  auto out =
      RunInMemory(defs, defs.processes.at(0), Json(vars), Json(outputs), clock ? *clock : own);
  EXPECT_TRUE(out.ok());
  return out.ok() ? *std::move(out) : RunOutcome{};
}

TEST(EngineTest, ApprovalTakesTheApprovedPathThroughForkAndJoin) {
  Definitions defs = Load("approval.bpmn");
  RunOutcome yes = RunOnce(defs, "{}", R"({"review": {"approved": true}})");
  EXPECT_EQ(yes.status, InstanceStatus::kCompleted);
  EXPECT_EQ(yes.state.completed,
            (Ids{"start", "review", "decide", "fork", "notify", "archive", "join", "done"}));
  EXPECT_EQ(feel::ToJson(yes.state.variables.at("archive_state")), "\"archived\"");
  RunOutcome no = RunOnce(defs, "{}", R"({"review": {"approved": false}})");
  EXPECT_EQ(no.state.completed, (Ids{"start", "review", "decide", "rejected"}));
}

TEST(EngineTest, StepsStopAtWaitStatesAndCompletingTwiceFails) {
  Definitions defs = Load("approval.bpmn");
  FakeClock clock(Monday());
  Engine engine(defs, defs.processes[0], clock);
  InstanceState s;
  ASSERT_TRUE(engine.Start(s, feel::Value()).ok());
  EXPECT_EQ(s.status, InstanceStatus::kRunning);
  EXPECT_EQ(s.completed, Ids{"start"});
  ASSERT_EQ(s.activities.size(), 1u);
  int task = s.activities.begin()->first;
  ASSERT_TRUE(engine.CompleteTask(s, task, Json(R"({"approved": true})")).ok());
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
  EXPECT_FALSE(engine.CompleteTask(s, task, feel::Value()).ok());
}

TEST(EngineTest, ExclusiveGatewayWithoutMatchIsAnIncidentNamingIt) {
  auto defs = ParseBpmn(
      R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">
         <startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="g"/>
         <exclusiveGateway id="g"/>
         <sequenceFlow id="a" sourceRef="g" targetRef="e"><conditionExpression>=x = 1</conditionExpression></sequenceFlow>
         <sequenceFlow id="b" sourceRef="g" targetRef="e"><conditionExpression>=x = 2</conditionExpression></sequenceFlow>
         <endEvent id="e"/></process></definitions>)");
  ASSERT_TRUE(defs.ok());
  EXPECT_FALSE(defs->HasErrors());
  RunOutcome out = RunOnce(*defs, R"({"x": 3})");
  EXPECT_EQ(out.status, InstanceStatus::kIncident);
  EXPECT_EQ(out.state.incident_element, "g");
  EXPECT_EQ(RunOnce(*defs, R"({"x": 2})").state.completed, (Ids{"s", "g", "e"}));
}

TEST(EngineTest, InclusiveJoinWaitsOnlyForTokensThatCanArrive) {
  Definitions defs = Load("inclusive.bpmn");
  // Only `a`: the join fires at once.
  EXPECT_EQ(RunOnce(defs, R"({"amount": 200, "land": false})").state.completed,
            (Ids{"start", "split", "a", "merge", "end"}));
  // None true: the default.
  EXPECT_EQ(RunOnce(defs, R"({"amount": 1, "land": false})").state.completed,
            (Ids{"start", "split", "c", "merge", "end"}));
  // `a` and the user task `b`: the join waits for b.
  FakeClock clock(Monday());
  Engine engine(defs, defs.processes[0], clock);
  InstanceState s;
  ASSERT_TRUE(engine.Start(s, Json(R"({"amount": 200, "land": true})")).ok());
  EXPECT_EQ(s.completed, (Ids{"start", "split", "a"}));
  EXPECT_EQ(s.joins.size(), 1u);
  ASSERT_EQ(s.activities.size(), 1u);
  ASSERT_TRUE(engine.CompleteTask(s, s.activities.begin()->first, feel::Value()).ok());
  EXPECT_EQ(s.completed, (Ids{"start", "split", "a", "b", "merge", "end"}));
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
}

TEST(EngineTest, SubProcessErrorIsCaughtByItsBoundaryAndTerminateEnds) {
  Definitions defs = Load("subprocess.bpmn");
  EXPECT_EQ(RunOnce(defs, R"({"complete": true})").state.completed,
            (Ids{"start", "s_start", "s_gw", "s_task", "s_end", "check", "end"}));
  RunOutcome err = RunOnce(defs, R"({"complete": false})");
  EXPECT_EQ(err.status, InstanceStatus::kCompleted);
  EXPECT_EQ(err.state.completed,
            (Ids{"start", "s_start", "s_gw", "s_error", "on_missing", "ask", "stop"}));
}

TEST(EngineTest, TimersUseWorkingDaysAndTheInjectedClock) {
  Definitions defs = Load("timers.bpmn");
  FakeClock clock(Monday());
  Engine engine(defs, defs.processes[0], clock);
  InstanceState s;
  ASSERT_TRUE(engine.Start(s, feel::Value()).ok());
  ASSERT_EQ(s.timers.size(), 1u);
  // add working days(today(), 3) on Monday 2026-03-02: Thursday 2026-03-05, 00:00 +08:00.
  Timestamp thursday = Timestamp(std::chrono::sys_days(std::chrono::year_month_day(
                           std::chrono::year(2026), std::chrono::month(3), std::chrono::day(4)))) +
                       hours(16);
  EXPECT_EQ(s.timers[0].due, thursday);
  clock.Set(thursday);
  ASSERT_TRUE(engine.FireTimer(s, s.timers[0].id).ok());
  EXPECT_EQ(s.completed, (Ids{"start", "wait3"}));
  ASSERT_EQ(s.timers.size(), 2u);  // reminder cycle and escalation
  // Then two reminders (R2/PT1H, not interrupting) and the interrupting escalation after a day.
  while (s.status == InstanceStatus::kRunning && !s.timers.empty()) {
    auto next = std::min_element(
        s.timers.begin(), s.timers.end(),
        [](const auto& a, const auto& b) { return std::tie(a.due, a.id) < std::tie(b.due, b.id); });
    clock.Set(next->due);
    ASSERT_TRUE(engine.FireTimer(s, next->id).ok());
  }
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
  EXPECT_EQ(s.completed, (Ids{"start", "wait3", "remind", "reminded", "remind", "reminded",
                              "escalate", "escalated"}));
  EXPECT_EQ(clock.Now(), thursday + hours(24));
}

TEST(EngineTest, MessageWaitIsCorrelated) {
  Definitions defs = Load("timers.bpmn");
  FakeClock clock(Monday());
  Engine engine(defs, defs.processes[0], clock);
  InstanceState s;
  ASSERT_TRUE(engine.Start(s, feel::Value()).ok());
  ASSERT_TRUE(engine.FireTimer(s, s.timers[0].id).ok());
  ASSERT_TRUE(engine.CorrelateMessage(s, "", "", Json(R"({"ok": 1})")).ok());
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
  EXPECT_EQ(s.completed, (Ids{"start", "wait3", "approve", "end"}));
  EXPECT_TRUE(s.timers.empty());
  EXPECT_FALSE(engine.CorrelateMessage(s, "", "", feel::Value()).ok());
}

TEST(EngineTest, MessageIsCorrelatedByKey) {
  Definitions defs = Load("message.bpmn");
  FakeClock clock(Monday());
  Engine engine(defs, defs.processes[0], clock);
  InstanceState s;
  ASSERT_TRUE(engine.Start(s, Json(R"({"case_id": "C-7"})")).ok());
  EXPECT_FALSE(engine.CorrelateMessage(s, "payment received", "C-8", feel::Value()).ok());
  EXPECT_FALSE(engine.CorrelateMessage(s, "other", "C-7", feel::Value()).ok());
  EXPECT_EQ(s.status, InstanceStatus::kRunning);
  ASSERT_TRUE(engine.CorrelateMessage(s, "payment received", "C-7", Json(R"({"paid": 12})")).ok());
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
  EXPECT_EQ(s.completed, (Ids{"start", "wait_payment", "end"}));
  EXPECT_EQ(feel::ToJson(s.variables.at("paid")), "12");
}

TEST(EngineTest, MultiInstanceParallelAndSequentialWithCompletionCondition) {
  Definitions defs = Load("multi.bpmn");
  RunOutcome out =
      RunOnce(defs, R"({"departments": ["land", "fire"]})", R"({"dept_approval": {"ok": true}})");
  EXPECT_EQ(out.status, InstanceStatus::kCompleted);
  EXPECT_EQ(out.state.completed, (Ids{"start", "dept_approval", "dept_approval", "dept_approval",
                                      "sign", "sign", "sign", "end"}));
  EXPECT_EQ(feel::ToJson(out.state.variables.at("results")), R"(["land:true","fire:true"])");
  EXPECT_EQ(feel::ToJson(out.state.variables.at("signed")), "[10,20,null]");
  RunOutcome bad = RunOnce(defs, R"({"departments": 5})");
  EXPECT_EQ(bad.status, InstanceStatus::kIncident);
  EXPECT_EQ(bad.state.incident_element, "dept_approval");
}

TEST(EngineTest, BoundaryOfAMultiInstanceBelongsToItsBody) {
  auto defs = ParseBpmn(
      R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
           xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"><process id="p">
         <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="approve"/>
         <userTask id="approve"><multiInstanceLoopCharacteristics><extensionElements>
           <zeebe:loopCharacteristics inputCollection="=[&quot;a&quot;, &quot;b&quot;]"/>
         </extensionElements></multiInstanceLoopCharacteristics></userTask>
         <boundaryEvent id="late" attachedToRef="approve"><timerEventDefinition>
           <timeDuration>PT2H</timeDuration></timerEventDefinition></boundaryEvent>
         <sequenceFlow id="f2" sourceRef="approve" targetRef="e"/>
         <sequenceFlow id="f3" sourceRef="late" targetRef="e2"/>
         <endEvent id="e"/><endEvent id="e2"/></process></definitions>)");
  ASSERT_TRUE(defs.ok());
  ASSERT_FALSE(defs->HasErrors()) << FormatProblem(defs->problems[0]);
  FakeClock clock(Monday());
  Engine engine(*defs, defs->processes[0], clock);
  InstanceState s;
  ASSERT_TRUE(engine.Start(s, feel::Value()).ok());
  EXPECT_EQ(s.activities.size(), 3u);  // the body and two inner tasks
  ASSERT_EQ(s.timers.size(), 1u);      // one boundary timer, on the body
  clock.Advance(hours(2));
  ASSERT_TRUE(engine.FireTimer(s, s.timers[0].id).ok());
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
  EXPECT_EQ(s.completed, (Ids{"s", "late", "e2"}));
  EXPECT_TRUE(s.activities.empty());
}

TEST(EngineTest, EventBasedGatewayTakesTheFirstEventAndTerminateEndsTheRest) {
  auto defs = ParseBpmn(
      R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
         <message id="m" name="supplement"/><process id="p">
         <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="fork"/>
         <parallelGateway id="fork"/>
         <sequenceFlow id="f2" sourceRef="fork" targetRef="gw"/>
         <sequenceFlow id="f3" sourceRef="fork" targetRef="other"/>
         <userTask id="other"/><sequenceFlow id="f4" sourceRef="other" targetRef="e_other"/>
         <endEvent id="e_other"/>
         <eventBasedGateway id="gw"/>
         <sequenceFlow id="f5" sourceRef="gw" targetRef="got"/>
         <sequenceFlow id="f6" sourceRef="gw" targetRef="timeout"/>
         <intermediateCatchEvent id="got"><messageEventDefinition messageRef="m"/></intermediateCatchEvent>
         <intermediateCatchEvent id="timeout"><timerEventDefinition><timeDuration>P5D</timeDuration>
           </timerEventDefinition></intermediateCatchEvent>
         <sequenceFlow id="f7" sourceRef="got" targetRef="e"/>
         <sequenceFlow id="f8" sourceRef="timeout" targetRef="stop"/>
         <endEvent id="e"/><endEvent id="stop"><terminateEventDefinition/></endEvent>
         </process></definitions>)");
  ASSERT_TRUE(defs.ok());
  ASSERT_FALSE(defs->HasErrors()) << FormatProblem(defs->problems[0]);
  FakeClock clock(Monday());
  Engine engine(*defs, defs->processes[0], clock);
  // The message comes first: the timer is dropped; the user task still waits.
  InstanceState a;
  ASSERT_TRUE(engine.Start(a, feel::Value()).ok());
  ASSERT_EQ(a.timers.size(), 1u);
  EXPECT_EQ(a.timers[0].due, Monday() + hours(24 * 5));
  ASSERT_TRUE(engine.CorrelateMessage(a, "supplement", "", feel::Value()).ok());
  EXPECT_TRUE(a.timers.empty());
  EXPECT_EQ(a.status, InstanceStatus::kRunning);
  EXPECT_EQ(a.completed, (Ids{"s", "fork", "gw", "got", "e"}));
  // The timer comes first: the terminate end event cancels the waiting user task.
  InstanceState b;
  ASSERT_TRUE(engine.Start(b, feel::Value()).ok());
  clock.Advance(hours(24 * 5));
  ASSERT_TRUE(engine.FireTimer(b, b.timers[0].id).ok());
  EXPECT_EQ(b.status, InstanceStatus::kCompleted);
  EXPECT_EQ(b.completed, (Ids{"s", "fork", "gw", "timeout", "stop"}));
  EXPECT_TRUE(b.activities.empty());
}

TEST(EngineTest, EscalationsAreCaughtByCodeInterruptingOrNot) {
  Definitions defs = Load("escalation.bpmn");
  FakeClock clock(Monday());
  Engine engine(defs, defs.processes[0], clock);
  // LATE goes to its own non-interrupting catch, not the catch-all; STRAY to the catch-all;
  // both throwers go on to the task.
  InstanceState s;
  ASSERT_TRUE(engine.Start(s, feel::Value()).ok());
  EXPECT_EQ(s.completed, (Ids{"start", "s_start", "s_late", "on_late", "s_stray", "notified",
                              "on_any", "other"}));
  ASSERT_EQ(s.activities.size(), 2u);  // the sub-process and its task
  int task = s.activities.rbegin()->first;
  // The escalation end event DONE: the interrupting catch ends the sub-process.
  ASSERT_TRUE(engine.CompleteTask(s, task, Json(R"({"escalate": true})")).ok());
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
  EXPECT_EQ(std::vector<std::string>(s.completed.begin() + 8, s.completed.end()),
            (Ids{"s_task", "s_gw", "s_escalate", "on_done", "escalated"}));
  EXPECT_TRUE(s.activities.empty());
  // Without it the sub-process completes normally.
  RunOutcome normal = RunOnce(defs, "{}", R"({"s_task": {"escalate": false}})");
  EXPECT_EQ(normal.status, InstanceStatus::kCompleted);
  EXPECT_EQ(
      std::vector<std::string>(normal.state.completed.end() - 5, normal.state.completed.end()),
      (Ids{"s_task", "s_gw", "s_end", "review", "end"}));
}

TEST(EngineTest, UncaughtEscalationContinuesWithoutIncident) {
  auto defs = ParseBpmn(
      R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
         <escalation id="x" escalationCode="X"/><escalation id="y" escalationCode="Y"/>
         <process id="p"><startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>
         <subProcess id="sub"><startEvent id="ss"/>
           <sequenceFlow id="g1" sourceRef="ss" targetRef="t"/>
           <intermediateThrowEvent id="t"><escalationEventDefinition escalationRef="x"/></intermediateThrowEvent>
           <sequenceFlow id="g2" sourceRef="t" targetRef="se"/>
           <endEvent id="se"><escalationEventDefinition escalationRef="x"/></endEvent></subProcess>
         <boundaryEvent id="only_y" attachedToRef="sub"><escalationEventDefinition escalationRef="y"/></boundaryEvent>
         <sequenceFlow id="f2" sourceRef="sub" targetRef="e"/>
         <sequenceFlow id="f3" sourceRef="only_y" targetRef="ye"/>
         <endEvent id="e"/><endEvent id="ye"/></process></definitions>)");
  ASSERT_TRUE(defs.ok());
  ASSERT_FALSE(defs->HasErrors()) << FormatProblem(defs->problems[0]);
  RunOutcome out = RunOnce(*defs, "{}");
  EXPECT_EQ(out.status, InstanceStatus::kCompleted);
  EXPECT_EQ(out.state.completed, (Ids{"s", "ss", "t", "se", "sub", "e"}));
}

TEST(ReaderEscalationTest, EscalationBoundaryOnlyOnSubProcessesAndCallActivities) {
  auto defs = ParseBpmn(
      R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">
         <process id="p"><startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="u"/>
         <userTask id="u"/><boundaryEvent id="b" attachedToRef="u"><escalationEventDefinition/></boundaryEvent>
         <sequenceFlow id="f2" sourceRef="u" targetRef="e"/><sequenceFlow id="f3" sourceRef="b" targetRef="e"/>
         <endEvent id="e"/></process></definitions>)");
  ASSERT_TRUE(defs.ok());
  ASSERT_EQ(defs->problems.size(), 1u);
  EXPECT_EQ(defs->problems[0].element_id, "b");
  EXPECT_EQ(defs->problems[0].severity, Severity::kError);
}

TEST(EngineTest, MessageBoundariesInterruptingOrNotAreCorrelatedByKey) {
  auto defs = ParseBpmn(
      R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
           xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
         <message id="w" name="withdraw"><extensionElements>
           <zeebe:subscription correlationKey="=case_id"/></extensionElements></message>
         <message id="m" name="supplement"><extensionElements>
           <zeebe:subscription correlationKey="=case_id"/></extensionElements></message>
         <process id="p"><startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
         <userTask id="review"/>
         <boundaryEvent id="on_withdraw" attachedToRef="review"><messageEventDefinition messageRef="w"/></boundaryEvent>
         <boundaryEvent id="on_supplement" attachedToRef="review" cancelActivity="false">
           <messageEventDefinition messageRef="m"/></boundaryEvent>
         <sequenceFlow id="f2" sourceRef="review" targetRef="e"/>
         <sequenceFlow id="f3" sourceRef="on_withdraw" targetRef="withdrawn"/>
         <sequenceFlow id="f4" sourceRef="on_supplement" targetRef="noted"/>
         <endEvent id="e"/><endEvent id="withdrawn"/><endEvent id="noted"/></process></definitions>)");
  ASSERT_TRUE(defs.ok());
  ASSERT_FALSE(defs->HasErrors()) << FormatProblem(defs->problems[0]);
  FakeClock clock(Monday());
  Engine engine(*defs, defs->processes[0], clock);
  InstanceState s;
  ASSERT_TRUE(engine.Start(s, Json(R"({"case_id": "C-1"})")).ok());
  EXPECT_FALSE(engine.CorrelateMessage(s, "supplement", "C-2", feel::Value()).ok());
  // Not interrupting: twice, the task still waits.
  ASSERT_TRUE(engine.CorrelateMessage(s, "supplement", "C-1", Json(R"({"page": 1})")).ok());
  ASSERT_TRUE(engine.CorrelateMessage(s, "supplement", "C-1", Json(R"({"page": 2})")).ok());
  EXPECT_EQ(s.completed, (Ids{"s", "on_supplement", "noted", "on_supplement", "noted"}));
  EXPECT_EQ(feel::ToJson(s.variables.at("page")), "2");
  ASSERT_EQ(s.activities.size(), 1u);
  EXPECT_EQ(s.status, InstanceStatus::kRunning);
  EXPECT_FALSE(engine.CorrelateMessage(s, "withdraw", "C-9", feel::Value()).ok());
  ASSERT_TRUE(engine.CorrelateMessage(s, "withdraw", "C-1", feel::Value()).ok());
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
  EXPECT_EQ(s.completed.back(), "withdrawn");
  EXPECT_TRUE(s.activities.empty());
  EXPECT_FALSE(engine.CorrelateMessage(s, "supplement", "C-1", feel::Value()).ok());
}

// One department of a parallel approval over a multi-instance sub-process fails: its error end
// event is caught by the boundary on the body, which ends every other department's instance.
TEST(EngineTest, ErrorEndInAMultiInstanceSubProcessIsCaughtOnTheBody) {
  std::string xml =
      R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
           xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
         <error id="bad" errorCode="REFUSED"/><error id="other" errorCode="OTHER"/>
         <process id="p"><startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="depts"/>
         <subProcess id="depts"><multiInstanceLoopCharacteristics><extensionElements>
             <zeebe:loopCharacteristics inputCollection="=departments" inputElement="dept"/>
           </extensionElements></multiInstanceLoopCharacteristics>
           <startEvent id="ds"/><sequenceFlow id="g1" sourceRef="ds" targetRef="gw"/>
           <exclusiveGateway id="gw" default="g3"/>
           <sequenceFlow id="g2" sourceRef="gw" targetRef="refused"><conditionExpression>=dept = "fire"</conditionExpression></sequenceFlow>
           <sequenceFlow id="g3" sourceRef="gw" targetRef="approve"/>
           <userTask id="approve"/><sequenceFlow id="g4" sourceRef="approve" targetRef="de"/>
           <endEvent id="de"/>
           <endEvent id="refused"><errorEventDefinition errorRef="CODE"/></endEvent></subProcess>
         <boundaryEvent id="on_refused" attachedToRef="depts"><errorEventDefinition errorRef="bad"/></boundaryEvent>
         <sequenceFlow id="f2" sourceRef="depts" targetRef="e"/>
         <sequenceFlow id="f3" sourceRef="on_refused" targetRef="denied"/>
         <endEvent id="e"/><endEvent id="denied"/></process></definitions>)";
  auto caught = ParseBpmn(std::string(xml).replace(xml.find("CODE"), 4, "bad"));
  ASSERT_TRUE(caught.ok());
  ASSERT_FALSE(caught->HasErrors()) << FormatProblem(caught->problems[0]);
  FakeClock clock(Monday());
  Engine engine(*caught, caught->processes[0], clock);
  InstanceState s;
  ASSERT_TRUE(engine.Start(s, Json(R"({"departments": ["land", "fire", "water"]})")).ok());
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
  EXPECT_EQ(s.completed,
            (Ids{"s", "ds", "ds", "ds", "gw", "gw", "gw", "refused", "on_refused", "denied"}));
  EXPECT_TRUE(s.activities.empty());
  // Without a fire department every instance waits at its task, then the body completes.
  RunOutcome fine = RunOnce(*caught, R"({"departments": ["land", "water"]})");
  EXPECT_EQ(fine.status, InstanceStatus::kCompleted);
  EXPECT_EQ(fine.state.completed.back(), "e");
  // An error code no boundary catches is an incident naming the thrower.
  auto uncaught = ParseBpmn(std::string(xml).replace(xml.find("CODE"), 4, "other"));
  ASSERT_TRUE(uncaught.ok());
  RunOutcome out = RunOnce(*uncaught, R"({"departments": ["fire"]})");
  EXPECT_EQ(out.status, InstanceStatus::kIncident);
  EXPECT_EQ(out.state.incident_element, "refused");
}

TEST(EngineTest, NonInterruptingTimerCycleRemindsThreeTimes) {
  auto defs = ParseBpmn(
      R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">
         <startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
         <userTask id="review"/>
         <boundaryEvent id="remind" attachedToRef="review" cancelActivity="false">
           <timerEventDefinition><timeCycle>R3/PT1H</timeCycle></timerEventDefinition></boundaryEvent>
         <sequenceFlow id="f2" sourceRef="review" targetRef="e"/>
         <sequenceFlow id="f3" sourceRef="remind" targetRef="reminded"/>
         <endEvent id="e"/><endEvent id="reminded"/></process></definitions>)");
  ASSERT_TRUE(defs.ok());
  ASSERT_FALSE(defs->HasErrors()) << FormatProblem(defs->problems[0]);
  FakeClock clock(Monday());
  Engine engine(*defs, defs->processes[0], clock);
  InstanceState s;
  ASSERT_TRUE(engine.Start(s, feel::Value()).ok());
  std::vector<Timestamp> fired;
  while (!s.timers.empty()) {
    ASSERT_LT(fired.size(), 10u);
    clock.Set(s.timers[0].due);
    fired.push_back(clock.Now());
    ASSERT_TRUE(engine.FireTimer(s, s.timers[0].id).ok());
  }
  EXPECT_EQ(fired, (std::vector<Timestamp>{Monday() + hours(1), Monday() + hours(2),
                                           Monday() + hours(3)}));
  EXPECT_EQ(s.completed,
            (Ids{"s", "remind", "reminded", "remind", "reminded", "remind", "reminded"}));
  ASSERT_EQ(s.activities.size(), 1u);
  ASSERT_TRUE(engine.CompleteTask(s, s.activities.begin()->first, feel::Value()).ok());
  EXPECT_EQ(s.status, InstanceStatus::kCompleted);
}

TEST(EngineTest, EventBasedGatewayMessageByKeyOrTimer) {
  auto defs = ParseBpmn(
      R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
           xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
         <message id="m" name="supplied"><extensionElements>
           <zeebe:subscription correlationKey="=case_id"/></extensionElements></message>
         <process id="p"><startEvent id="s"/><sequenceFlow id="f1" sourceRef="s" targetRef="gw"/>
         <eventBasedGateway id="gw"/>
         <sequenceFlow id="f2" sourceRef="gw" targetRef="got"/>
         <sequenceFlow id="f3" sourceRef="gw" targetRef="late"/>
         <intermediateCatchEvent id="got"><messageEventDefinition messageRef="m"/></intermediateCatchEvent>
         <intermediateCatchEvent id="late"><timerEventDefinition>
           <timeDate>=add working days(now(), 2)</timeDate></timerEventDefinition></intermediateCatchEvent>
         <sequenceFlow id="f4" sourceRef="got" targetRef="e"/>
         <sequenceFlow id="f5" sourceRef="late" targetRef="closed"/>
         <endEvent id="e"/><endEvent id="closed"/></process></definitions>)");
  ASSERT_TRUE(defs.ok());
  ASSERT_FALSE(defs->HasErrors()) << FormatProblem(defs->problems[0]);
  FakeClock clock(Monday());
  Engine engine(*defs, defs->processes[0], clock);
  InstanceState a;
  ASSERT_TRUE(engine.Start(a, Json(R"({"case_id": "C-1"})")).ok());
  ASSERT_EQ(a.status, InstanceStatus::kRunning) << a.incident_element << ": " << a.incident_message;
  EXPECT_FALSE(engine.CorrelateMessage(a, "supplied", "C-2", feel::Value()).ok());
  ASSERT_TRUE(engine.CorrelateMessage(a, "supplied", "C-1", feel::Value()).ok());
  EXPECT_EQ(a.completed, (Ids{"s", "gw", "got", "e"}));
  EXPECT_TRUE(a.timers.empty());
  InstanceState b;
  ASSERT_TRUE(engine.Start(b, Json(R"({"case_id": "C-2"})")).ok());
  ASSERT_EQ(b.timers.size(), 1u);
  EXPECT_EQ(b.timers[0].due, Monday() + hours(48));  // Wednesday, the same time of day
  clock.Set(b.timers[0].due);
  ASSERT_TRUE(engine.FireTimer(b, b.timers[0].id).ok());
  EXPECT_EQ(b.completed, (Ids{"s", "gw", "late", "closed"}));
  EXPECT_FALSE(engine.CorrelateMessage(b, "supplied", "C-2", feel::Value()).ok());
  // Started on Friday 17:00: two working days later is Tuesday 17:00, over the weekend.
  clock.Set(Monday() + hours(24 * 4 + 8));
  InstanceState c;
  ASSERT_TRUE(engine.Start(c, Json(R"({"case_id": "C-3"})")).ok());
  ASSERT_EQ(c.timers.size(), 1u);
  EXPECT_EQ(c.timers[0].due, Monday() + hours(24 * 8 + 8));
}

}  // namespace
}  // namespace tongban::bpmn
