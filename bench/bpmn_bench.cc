// The process of issue 5 in memory: start -> user task -> parallel fork -> two service tasks ->
// join -> end, run to completion N times in sequence, as bpmn-engine does in
// ../shared/bench/peers/bpmn_engine_run.mjs (the user task is completed as soon as it waits,
// with {approved: true}). Two ways: the Engine's steps (Start, then CompleteTask: what the durable
// engine calls, one step per trigger) and RunInMemory (`tongban bpmn run`'s loop).
// Prints JSON lines shaped like the peers' output; "seconds" is this thread's CPU time, so
// per_s is instances per second per core. Median of the repetitions.
// Usage: bpmn_bench [N=200000] [repetitions=5]
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "base/clock.h"
#include "bpmn/engine.h"
#include "bpmn/reader.h"
#include "feel/value.h"

namespace {

using tongban::bpmn::Definitions;
using tongban::bpmn::Engine;
using tongban::bpmn::InstanceState;
using tongban::bpmn::InstanceStatus;

constexpr std::string_view kModel = R"(<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://tongban">
  <process id="approval" isExecutable="true">
    <startEvent id="start" />
    <userTask id="review" />
    <parallelGateway id="fork" />
    <serviceTask id="notify"><extensionElements>
      <zeebe:taskDefinition type="notify" /></extensionElements></serviceTask>
    <serviceTask id="ledger"><extensionElements>
      <zeebe:taskDefinition type="ledger" /></extensionElements></serviceTask>
    <parallelGateway id="join" />
    <endEvent id="end" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <sequenceFlow id="f2" sourceRef="review" targetRef="fork" />
    <sequenceFlow id="f3" sourceRef="fork" targetRef="notify" />
    <sequenceFlow id="f4" sourceRef="fork" targetRef="ledger" />
    <sequenceFlow id="f5" sourceRef="notify" targetRef="join" />
    <sequenceFlow id="f6" sourceRef="ledger" targetRef="join" />
    <sequenceFlow id="f7" sourceRef="join" targetRef="end" />
  </process>
</definitions>)";

// CPU time of this thread: instances per second per core on a machine shared with others.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void Report(std::string_view what, int rows, double seconds) {
  std::printf("%s\n", fmt::format(R"({{"peer": "tongban", "what": "{}", "rows": {}, )"
                                  R"("seconds": {:.4f}, "per_s": {:.0f}}})",
                                  what, rows, seconds, rows / seconds)
                          .c_str());
}

// Runs n instances through the Engine's steps; false if one did not complete as expected.
bool RunSteps(const Engine& engine, int n, const tongban::feel::Value& approved) {
  for (int i = 0; i < n; ++i) {
    InstanceState s;
    if (!engine.Start(s, tongban::feel::Value()).ok() || s.activities.size() != 1) return false;
    if (!engine.CompleteTask(s, s.activities.begin()->first, approved).ok()) return false;
    if (s.status != InstanceStatus::kCompleted || s.completed.size() != 7) return false;
  }
  return true;
}

bool RunLoop(const Definitions& defs, int n, const tongban::feel::Value& outputs,
             tongban::FakeClock& clock) {
  for (int i = 0; i < n; ++i) {
    auto out =
        tongban::bpmn::RunInMemory(defs, defs.processes[0], tongban::feel::Value(), outputs, clock);
    if (!out.ok() || out->status != InstanceStatus::kCompleted) return false;
  }
  return true;
}

double Median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 200'000;
  int repetitions = argc > 2 ? std::atoi(argv[2]) : 5;
  if (n <= 0 || repetitions <= 0) {
    std::fprintf(stderr, "usage: bpmn_bench [N=200000] [repetitions=5]\n");
    return 1;
  }
  auto defs = tongban::bpmn::ParseBpmn(kModel);
  if (!defs.ok() || defs->HasErrors()) {
    std::fprintf(stderr, "the benchmark model does not read\n");
    return 1;
  }
  tongban::FakeClock clock(tongban::Timestamp(std::chrono::seconds(1'772'409'600)));
  Engine engine(*defs, defs->processes[0], clock);
  auto approved = tongban::feel::ParseJson(R"({"approved": true})");
  auto outputs = tongban::feel::ParseJson(R"({"review": {"approved": true}})");
  if (!approved.ok() || !outputs.ok()) return 1;

  if (!RunSteps(engine, 1000, *approved)) {  // warm-up, and a check of the path
    std::fprintf(stderr, "an instance did not complete start..end\n");
    return 1;
  }
  std::vector<double> steps;
  std::vector<double> loop;
  for (int r = 0; r < repetitions; ++r) {
    double t0 = CpuSeconds();
    if (!RunSteps(engine, n, *approved)) return 1;
    steps.push_back(CpuSeconds() - t0);
    t0 = CpuSeconds();
    if (!RunLoop(*defs, n, *outputs, clock)) return 1;
    loop.push_back(CpuSeconds() - t0);
  }
  Report("instances (engine steps: start, complete task)", n, Median(steps));
  Report("instances (RunInMemory, as bpmn run)", n, Median(loop));
  return 0;
}
