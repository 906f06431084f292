// The token engine. An instance is a plain state object (InstanceState); every call on Engine
// is one step: one external trigger (start, task completion, timer, message) run to the next
// wait state. The state holds no pointers, so the durable engine can persist it between steps.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "bpmn/model.h"
#include "feel/value.h"

namespace tongban::bpmn {

enum class InstanceStatus { kRunning, kCompleted, kIncident };

enum class WaitKind {
  kTask,
  kMessage,
  kTimer,
  kSubProcess,
  kMultiInstance,
  kEventGateway,
  kJob,   // a service task run by the durable runtime as a job after the step commits
  kCall,  // a call activity waiting for its called process (see InstanceState::calls)
};

// A flow node instance that waits for something, or a scope that runs other nodes (a
// sub-process, a multi-instance body).
struct ActivityInstance {
  int id = 0;
  int node = -1;
  int parent = -1;  // the enclosing scope's activity id, -1 for the process
  WaitKind wait = WaitKind::kTask;
  std::map<std::string, feel::Value> locals;
  // multi-instance body
  std::vector<feel::Value> items;
  std::vector<feel::Value> outputs;
  int next_item = 0;
  int completed = 0;
  int item = -1;  // an inner instance: its index in the body's items
};

struct PendingTimer {
  int id = 0;
  Timestamp due;
  int owner = -1;  // the activity it belongs to (a catch event, an activity, a gateway)
  int node = -1;   // the timer event: the catch, boundary or gateway's target event
  int repeat = 0;  // cycles: firings left after this one (-1 unbounded)
};

struct JoinWait {
  int node = -1;
  int scope = -1;
  std::vector<int> arrived;  // per incoming flow, in the node's `incoming` order
};

// A call activity asks its driver to start `process_id` with `variables` (the variables the
// call activity sees, its input mappings applied); the driver drains InstanceState::calls.
struct CallRequest {
  int activity = -1;
  std::string process_id;
  feel::Value variables;
};

struct InstanceState {
  InstanceStatus status = InstanceStatus::kRunning;
  std::map<std::string, feel::Value> variables;
  std::map<int, ActivityInstance> activities;  // by id
  std::vector<PendingTimer> timers;
  std::vector<JoinWait> joins;
  std::vector<std::string> completed;  // flow node ids, in completion order
  std::string incident_element;
  std::string incident_message;
  std::string uncaught_error;  // the error code when the incident is an uncaught error
  std::vector<CallRequest> calls;
  int next_id = 1;
};

struct EngineOptions {
  enum class ServiceTasks {
    kCompleteAtOnce,  // `bpmn run`: a service task completes when entered
    kRunAsJobs,       // the durable runtime: one with a zeebe:taskDefinition type waits (kJob)
  };
  ServiceTasks service_tasks = ServiceTasks::kCompleteAtOnce;
};

// Runs one process of read Definitions (which must outlive the engine). Expected failures
// while running (a FEEL condition that is null, no outgoing flow, an uncaught error) become an
// incident recorded in the state, naming the element; the Status is an error only for misuse
// (completing an activity that does not wait).
class Engine {
 public:
  Engine(const Definitions& definitions, const Process& process, const Clock& clock,
         EngineOptions options = {});

  // Starts an instance with `variables` (a FEEL context, or null).
  Status Start(InstanceState& state, const feel::Value& variables) const;
  // Completes the waiting task `activity_id`, merging `variables` (a context or null).
  Status CompleteTask(InstanceState& state, int activity_id, const feel::Value& variables) const;
  // Completes the service task job `activity_id` (kJob) after its action ran.
  Status CompleteJob(InstanceState& state, int activity_id, const feel::Value& variables) const;
  // Completes the call activity `activity_id` (kCall) with the called instance's variables
  // (merged as a completed task's are), or, when `error_code` is set, throws that error from it
  // (the called process ended with an uncaught error).
  Status CompleteCall(InstanceState& state, int activity_id, const feel::Value& variables,
                      const std::optional<std::string>& error_code = std::nullopt) const;
  // Fires the pending timer `timer_id` (the caller moved the clock to its due time).
  Status FireTimer(InstanceState& state, int timer_id) const;
  // Delivers message `name` to the first subscription whose correlation key equals
  // `correlation_key` (any subscription when it is empty). kNotFound when none waits.
  Status CorrelateMessage(InstanceState& state, const std::string& name,
                          const std::string& correlation_key, const feel::Value& variables) const;

  const Process& process() const { return process_; }

 private:
  class Step;
  const Definitions& definitions_;
  const Process& process_;
  const Clock& clock_;
  EngineOptions options_;
};

// The variables seen from activity `scope` (-1: the process) as one context: the instance's,
// overridden by the locals of each enclosing scope, outermost first. A called process's input,
// a service action's variables.
feel::Value VisibleVariables(const InstanceState& state, int scope);

// `tongban bpmn run`: one instance in memory. User tasks complete at once with the variables
// of `outputs[task id]`; when nothing else can move, the clock jumps to the earliest timer.
struct RunOutcome {
  InstanceStatus status = InstanceStatus::kRunning;  // kRunning: only message waits remain
  InstanceState state;
};
Result<RunOutcome> RunInMemory(const Definitions& definitions, const Process& process,
                               const feel::Value& variables, const feel::Value& outputs,
                               FakeClock& clock, int max_steps = 10'000);

}  // namespace tongban::bpmn
