// A BPMN 2.0 process as the engine runs it: flow nodes and sequence flows in flat vectors
// (sub-process contents point to their sub-process through `parent`), FEEL expressions compiled
// once at load against one Scope per Definitions. Immutable once read; shared by every instance.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "feel/feel.h"

namespace tongban::bpmn {

enum class NodeKind {
  kStartEvent,
  kEndEvent,
  kIntermediateCatchEvent,
  kIntermediateThrowEvent,
  kBoundaryEvent,
  kTask,  // task, manualTask: complete at once
  kUserTask,
  kServiceTask,
  kBusinessRuleTask,
  kScriptTask,  // FEEL script (zeebe:script) only
  kReceiveTask,
  kSendTask,
  kExclusiveGateway,
  kParallelGateway,
  kInclusiveGateway,
  kEventBasedGateway,
  kSubProcess,
  kCallActivity,
};

// The event definition of an event (kNone when it has none).
enum class EventKind { kNone, kTerminate, kMessage, kError, kTimer, kEscalation };

enum class TimerKind { kDuration, kDate, kCycle };

// An expression from the model: FEEL when written with a leading `=` (compiled at load), else
// a literal string.
struct Expression {
  std::string text;                     // without the leading `=`
  std::shared_ptr<feel::Program> feel;  // set for FEEL
  bool empty() const { return text.empty(); }
};

struct Timer {
  TimerKind kind = TimerKind::kDuration;
  Expression value;
};

struct MultiInstance {
  bool sequential = false;
  Expression input_collection;  // FEEL collection
  std::string input_element;    // variable name of each item
  Expression cardinality;       // loopCardinality, when no collection
  Expression completion_condition;
  std::string output_collection;
  Expression output_element;
};

struct IoMapping {
  Expression source;
  std::string target;
};

struct Node {
  std::string id;
  std::string name;
  NodeKind kind = NodeKind::kTask;
  int parent = -1;  // index of the enclosing sub-process node, -1 for the process
  EventKind event = EventKind::kNone;
  std::optional<Timer> timer;
  std::string
      error_code;  // error / escalation events: errorCode / escalationCode (empty: catch all)
  std::string message_name;    // message events, receive/send tasks
  Expression correlation_key;  // zeebe:subscription
  int attached_to = -1;        // boundary events
  bool cancel_activity = true;
  int default_flow = -1;
  std::vector<int> incoming;  // flow indices
  std::vector<int> outgoing;
  std::vector<int> boundaries;  // node indices of boundary events attached here
  std::optional<MultiInstance> loop;
  // zeebe extensions
  std::string task_type;  // zeebe:taskDefinition type: the platform action
  // camunda:asyncBefore="true": the action runs as a job after the step's commit, even when it
  // is registered to run inside the step's transaction.
  bool async_before = false;
  Expression assignee;
  std::vector<std::string> candidate_groups;  // a literal list: `window, 431128-rsj`
  // Written as FEEL (`=departments`, `=item.department`): a string (comma-separated) or a list
  // of strings, evaluated when the task is created, added to the literal ones.
  Expression candidate_groups_expr;
  std::vector<std::string> candidate_users;  // accounts that may take the task
  Expression candidate_users_expr;
  Expression due_date;  // zeebe:taskSchedule: a date and time (FEEL with `=`)
  std::map<std::string, std::string> headers;
  std::map<std::string, std::string> properties;
  std::vector<IoMapping> inputs;
  std::vector<IoMapping> outputs;
  std::string called_element;   // call activity: process id
  std::string called_decision;  // business rule task: decision id
  std::string result_variable;  // business rule / script task
  Expression script;            // script task (FEEL)
};

struct Flow {
  std::string id;
  int source = -1;
  int target = -1;
  std::optional<Expression> condition;
};

struct Process {
  std::string id;
  std::string name;
  std::vector<Node> nodes;
  std::vector<Flow> flows;
  std::map<std::string, int> node_index;  // id -> index into nodes

  // The nodes that start when the scope `parent` (a sub-process node, -1 for the process)
  // starts: its none start events (every start event when it has no none start), plus, as
  // BPMN says, every flow node without incoming flows (boundary events excepted).
  std::vector<int> ScopeStarts(int parent) const {
    std::vector<int> starts;
    std::vector<int> others;
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node& n = nodes[i];
      if (n.parent != parent || n.kind == NodeKind::kBoundaryEvent || !n.incoming.empty()) continue;
      if (n.kind != NodeKind::kStartEvent) {
        others.push_back(static_cast<int>(i));
      } else if (n.event == EventKind::kNone) {
        starts.push_back(static_cast<int>(i));
      }
    }
    if (starts.empty()) {
      for (size_t i = 0; i < nodes.size(); ++i) {
        if (nodes[i].parent == parent && nodes[i].kind == NodeKind::kStartEvent) {
          starts.push_back(static_cast<int>(i));
        }
      }
    }
    starts.insert(starts.end(), others.begin(), others.end());
    return starts;
  }

  int Find(const std::string& id) const {
    auto it = node_index.find(id);
    return it == node_index.end() ? -1 : it->second;
  }
};

enum class Severity { kError, kWarning };

// One problem of a model, always with the id of the element it is about.
struct Problem {
  Severity severity = Severity::kError;
  std::string element_id;
  std::string message;
};

// A read file: its executable processes and the FEEL scope their expressions were compiled in
// (every variable name an expression uses has a slot there).
struct Definitions {
  std::vector<Process> processes;
  std::shared_ptr<feel::Scope> scope;
  // Refusals (unsupported elements) and errors while reading; the model must not run if any is
  // an error.
  std::vector<Problem> problems;
  bool HasErrors() const;
};

}  // namespace tongban::bpmn
