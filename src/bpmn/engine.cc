#include "bpmn/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <set>

#include "bpmn/reader.h"
#include "feel/feel.h"
#include "feel/temporal.h"

namespace tongban::bpmn {
namespace {

constexpr int kMaxMovesPerStep = 100'000;

const feel::Zone& PlatformZone() {
  static const feel::Zone* zone =
      new feel::Zone(feel::Zone::Named("Asia/Shanghai").value_or(*feel::Zone::Offset(8 * 3600)));
  return *zone;
}

std::optional<Timestamp> ToTimestamp(const feel::DateTime& dt) {
  feel::DateTime zoned = dt;
  if (!dt.OffsetSeconds())
    zoned = feel::DateTime(dt.date(),
                           feel::Time::Parse(dt.time().ToString() + "+08:00").value_or(dt.time()));
  std::optional<feel::Instant> instant = zoned.ToInstant();
  if (!instant) return std::nullopt;
  return Timestamp(std::chrono::seconds(instant->seconds) +
                   std::chrono::microseconds(instant->nanos / 1000));
}

bool IsImmediateTask(NodeKind k) {
  return k == NodeKind::kTask || k == NodeKind::kServiceTask || k == NodeKind::kSendTask ||
         k == NodeKind::kBusinessRuleTask || k == NodeKind::kScriptTask;
}

}  // namespace

class Engine::Step {
 public:
  Step(const Engine& engine, InstanceState& state)
      : engine_(engine),
        p_(engine.process_),
        s_(state),
        clock_(engine.clock_),
        override_(engine.clock_) {}

  struct Token {
    int node;
    int flow;
    int scope;
  };

  // Runs the agenda to quiescence, then the checks that need it (inclusive joins, completed
  // scopes), until nothing moves.
  void Run() {
    for (;;) {
      while (!agenda_.empty() && Running()) {
        if (++moves_ > kMaxMovesPerStep) {
          Incident(p_.nodes[agenda_.front().node].id,
                   "more than 100000 moves in one step (an endless loop?)");
          return;
        }
        Token t = agenda_.front();
        agenda_.pop_front();
        Arrive(t);
      }
      if (!Running()) return;
      if (FireInclusiveJoin()) continue;
      if (CompleteScopes()) continue;
      return;
    }
  }

  void Enqueue(int node, int flow, int scope) { agenda_.push_back({node, flow, scope}); }

  bool Running() const { return s_.status == InstanceStatus::kRunning; }

  void Incident(const std::string& element, std::string message) {
    if (!Running()) return;
    s_.status = InstanceStatus::kIncident;
    s_.incident_element = element;
    s_.incident_message = std::move(message);
    agenda_.clear();
  }

  // ---- variables and FEEL

  const feel::Value* Lookup(const std::string& name, int scope) const {
    for (int a = scope; a >= 0;) {
      auto it = s_.activities.find(a);
      if (it == s_.activities.end()) break;
      auto v = it->second.locals.find(name);
      if (v != it->second.locals.end()) return &v->second;
      a = it->second.parent;
    }
    auto v = s_.variables.find(name);
    return v == s_.variables.end() ? nullptr : &v->second;
  }

  // Evaluates `e` (FEEL, or a literal string) with the variables visible from `scope`, plus
  // `extra` locals (an activity's inputs).
  feel::Value Eval(const Expression& e, int scope,
                   const std::map<std::string, feel::Value>* extra = nullptr) const {
    if (!e.feel) return feel::Value::String(e.text);
    const feel::Scope& fs = *engine_.definitions_.scope;
    feel::Bindings b(fs);
    for (int slot = 0; slot < fs.size(); ++slot) {
      const std::string& name = fs.name(slot);
      if (extra) {
        auto it = extra->find(name);
        if (it != extra->end()) {
          b.Set(slot, it->second);
          continue;
        }
      }
      if (const feel::Value* v = Lookup(name, scope)) b.Set(slot, *v);
    }
    return e.feel->EvaluateFast(b);
  }

  // Sets `name` where it is visible from `scope` (a local of an enclosing scope), else on the
  // process.
  void SetVariable(const std::string& name, feel::Value v, int scope) {
    for (int a = scope; a >= 0;) {
      auto it = s_.activities.find(a);
      if (it == s_.activities.end()) break;
      auto l = it->second.locals.find(name);
      if (l != it->second.locals.end()) {
        l->second = std::move(v);
        return;
      }
      a = it->second.parent;
    }
    s_.variables[name] = std::move(v);
  }

  void MergeVariables(const feel::Value& vars, int scope) {
    if (!vars.is(feel::Kind::kContext)) return;
    for (const feel::ContextEntry& e : vars.context()) SetVariable(e.name, e.value, scope);
  }

  // Output mappings of `node` after it ran, else nothing: locals stay local.
  void ApplyOutputs(const Node& n, int scope, const std::map<std::string, feel::Value>& locals) {
    for (const IoMapping& io : n.outputs)
      SetVariable(io.target, Eval(io.source, scope, &locals), scope);
  }

  // The variables seen from `scope` as one context (the called process's input).
  feel::Value Visible(int scope) const { return VisibleVariables(s_, scope); }

  std::map<std::string, feel::Value> EvalInputs(const Node& n, int scope) const {
    std::map<std::string, feel::Value> locals;
    for (const IoMapping& io : n.inputs) locals[io.target] = Eval(io.source, scope, &locals);
    return locals;
  }

  // ---- timers

  std::optional<Timestamp> Due(const Node& n, int scope, int* repeat) {
    const Timer& t = *n.timer;
    Timestamp now = clock_.Now();
    feel::Value v = Eval(t.value, scope);
    std::string text = v.is(feel::Kind::kString) ? v.string() : std::string();
    if (t.kind == TimerKind::kCycle && !text.empty()) {
      // R<n>/<duration>: the first firing after one duration.
      size_t slash = text.rfind('/');
      std::string count = text.substr(1, slash == std::string::npos ? 0 : slash - 1);
      *repeat = count.empty() ? -1 : std::max(0, std::atoi(count.c_str()) - 1);
      text = slash == std::string::npos ? text : text.substr(slash + 1);
      v = feel::Value();
    }
    if (!text.empty()) {
      if (auto d = feel::DaysTimeDuration::Parse(text)) {
        v = feel::Value::FromDuration(*d);
      } else if (auto ym = feel::YearsMonthsDuration::Parse(text)) {
        v = feel::Value::FromDuration(*ym);
      } else if (auto dt = feel::DateTime::Parse(text)) {
        v = feel::Value::FromDateTime(*dt);
      } else if (auto date = feel::Date::Parse(text)) {
        v = feel::Value::FromDate(*date);
      }
    }
    feel::DateTime local = feel::DateTime::FromTimestamp(now, PlatformZone());
    if (v.is(feel::Kind::kDaysTimeDuration)) {
      const feel::DaysTimeDuration& d = v.days_time_duration();
      return now + std::chrono::seconds(d.total_seconds()) +
             std::chrono::microseconds(d.nanos() / 1000);
    }
    if (v.is(feel::Kind::kYearsMonthsDuration)) {
      std::optional<feel::DateTime> at = local.Plus(v.years_months_duration());
      return at ? ToTimestamp(*at) : std::nullopt;
    }
    if (v.is(feel::Kind::kDateTime)) return ToTimestamp(v.date_time());
    if (v.is(feel::Kind::kDate)) {
      return ToTimestamp(feel::DateTime(v.date(), *feel::Time::Parse("00:00:00+08:00")));
    }
    return std::nullopt;
  }

  bool ArmTimer(int owner, int node, int scope) {
    int repeat = 0;
    std::optional<Timestamp> due = Due(p_.nodes[node], scope, &repeat);
    if (!due) {
      Incident(p_.nodes[node].id, fmt::format("timer `{}` is not a duration, date or cycle",
                                              p_.nodes[node].timer->value.text));
      return false;
    }
    s_.timers.push_back({s_.next_id++, *due, owner, node, repeat});
    return true;
  }

  // ---- activities

  int NewActivity(int node, int parent, WaitKind wait) {
    int id = s_.next_id++;
    ActivityInstance a;
    a.id = id;
    a.node = node;
    a.parent = parent;
    a.wait = wait;
    s_.activities.emplace(id, std::move(a));
    return id;
  }

  // Arms the boundary timers of an activity that now waits.
  void ArmBoundaries(int activity) {
    const Node& n = p_.nodes[s_.activities.at(activity).node];
    for (int b : n.boundaries) {
      if (p_.nodes[b].event == EventKind::kTimer && !ArmTimer(activity, b, activity)) return;
    }
  }

  // Removes `activity`, its timers, and everything inside it.
  void Cancel(int activity) {
    std::vector<int> children;
    for (const auto& [id, a] : s_.activities) {
      if (a.parent == activity) children.push_back(id);
    }
    for (int c : children) Cancel(c);
    std::erase_if(s_.timers, [&](const PendingTimer& t) { return t.owner == activity; });
    std::erase_if(s_.calls, [&](const CallRequest& c) { return c.activity == activity; });
    std::erase_if(s_.joins, [&](const JoinWait& j) { return j.scope == activity; });
    std::erase_if(agenda_, [&](const Token& t) { return t.scope == activity; });
    s_.activities.erase(activity);
  }

  void Arrive(const Token& t) {
    const Node& n = p_.nodes[t.node];
    bool join = n.incoming.size() > 1 &&
                (n.kind == NodeKind::kParallelGateway || n.kind == NodeKind::kInclusiveGateway);
    if (!join) {
      Enter(t.node, t.scope, -1);
      return;
    }
    JoinWait* w = nullptr;
    for (JoinWait& j : s_.joins) {
      if (j.node == t.node && j.scope == t.scope) w = &j;
    }
    if (!w) {
      s_.joins.push_back({t.node, t.scope, std::vector<int>(n.incoming.size(), 0)});
      w = &s_.joins.back();
    }
    for (size_t i = 0; i < n.incoming.size(); ++i) {
      if (n.incoming[i] == t.flow) ++w->arrived[i];
    }
    if (n.kind == NodeKind::kParallelGateway &&
        std::all_of(w->arrived.begin(), w->arrived.end(), [](int c) { return c > 0; })) {
      for (int& c : w->arrived) --c;
      int scope = w->scope;
      if (std::all_of(w->arrived.begin(), w->arrived.end(), [](int c) { return c == 0; })) {
        std::erase_if(s_.joins, [&](const JoinWait& j) { return &j == w; });
      }
      Leave(t.node, scope, nullptr);
    }
  }

  // Whether a token at `from` can still reach `to`, through flows, boundary events and
  // sub-process contents.
  bool Reaches(int from, int to) const {
    std::vector<bool> seen(p_.nodes.size(), false);
    std::vector<int> work{from};
    while (!work.empty()) {
      int i = work.back();
      work.pop_back();
      if (seen[i]) continue;
      seen[i] = true;
      for (int f : p_.nodes[i].outgoing) {
        if (p_.flows[f].target == to) return true;
        work.push_back(p_.flows[f].target);
      }
      for (int b : p_.nodes[i].boundaries) work.push_back(b);
    }
    return false;
  }

  // The node, in `scope`, of the activity `a` or of its ancestor there; -1 if outside it.
  int NodeInScope(int a, int scope) const {
    while (a >= 0) {
      const ActivityInstance& act = s_.activities.at(a);
      if (act.parent == scope) return act.node;
      a = act.parent;
    }
    return -1;
  }

  bool FireInclusiveJoin() {
    for (size_t i = 0; i < s_.joins.size(); ++i) {
      JoinWait w = s_.joins[i];
      if (p_.nodes[w.node].kind != NodeKind::kInclusiveGateway) continue;
      bool can_arrive = false;
      for (const auto& [id, a] : s_.activities) {
        int node = NodeInScope(id, w.scope);
        if (node >= 0 && Reaches(node, w.node)) can_arrive = true;
      }
      for (const JoinWait& other : s_.joins) {
        if (other.node != w.node && other.scope == w.scope && Reaches(other.node, w.node)) {
          can_arrive = true;
        }
      }
      if (can_arrive) continue;
      s_.joins.erase(s_.joins.begin() + static_cast<std::ptrdiff_t>(i));
      Leave(w.node, w.scope, nullptr);
      return true;
    }
    return false;
  }

  // Completes sub-processes that have nothing left inside, and the process.
  bool CompleteScopes() {
    for (const auto& [id, a] : s_.activities) {
      if (a.wait != WaitKind::kSubProcess) continue;
      bool busy = std::any_of(s_.activities.begin(), s_.activities.end(),
                              [&](const auto& e) { return e.second.parent == id; }) ||
                  std::any_of(s_.joins.begin(), s_.joins.end(),
                              [&](const JoinWait& j) { return j.scope == id; });
      if (busy) continue;
      CompleteActivity(id, nullptr);
      return true;
    }
    if (s_.activities.empty()) {
      if (!s_.joins.empty()) {
        Incident(p_.nodes[s_.joins.front().node].id,
                 "the join waits for a token that can never arrive");
      } else {
        s_.status = InstanceStatus::kCompleted;
      }
    }
    return false;
  }

  // A node is entered by a token in `scope`; `item` >= 0 for an inner multi-instance.
  void Enter(int node, int scope, int item) {
    const Node& n = p_.nodes[node];
    if (n.loop && item < 0) {
      StartMultiInstance(node, scope);
      return;
    }
    int local_scope = scope;
    auto locals = EvalInputs(n, scope);
    if (item >= 0) {
      const ActivityInstance& body = s_.activities.at(scope);
      if (!n.loop->input_element.empty()) locals[n.loop->input_element] = body.items[item];
      locals["loopCounter"] = feel::Value::Number(int64_t{item + 1});
    }
    switch (n.kind) {
      case NodeKind::kStartEvent:
      case NodeKind::kIntermediateThrowEvent:
      case NodeKind::kExclusiveGateway:
      case NodeKind::kParallelGateway:
      case NodeKind::kInclusiveGateway:
        ApplyOutputs(n, scope, locals);
        if (n.event == EventKind::kEscalation && ThrowEscalation(n.error_code, scope)) {
          s_.completed.push_back(n.id);  // an interrupting catch ended the thrower's scope
          return;
        }
        Leave(node, scope, &locals);
        return;
      case NodeKind::kEndEvent:
        s_.completed.push_back(n.id);
        if (n.event == EventKind::kTerminate) {
          Terminate(scope);
        } else if (n.event == EventKind::kError) {
          ThrowError(n.id, n.error_code, scope);
        } else if (n.event == EventKind::kEscalation) {
          ThrowEscalation(n.error_code, scope);
        }
        return;
      case NodeKind::kBoundaryEvent:
        Leave(node, scope, &locals);
        return;
      default:
        break;
    }
    bool job = n.kind == NodeKind::kServiceTask && !n.task_type.empty() &&
               engine_.options_.service_tasks == EngineOptions::ServiceTasks::kRunAsJobs;
    if (IsImmediateTask(n.kind) && !job) {
      if (n.kind == NodeKind::kScriptTask && !n.script.empty()) {
        feel::Value result = Eval(n.script, scope, &locals);
        if (!n.result_variable.empty()) SetVariable(n.result_variable, result, scope);
      }
      if (item >= 0) {
        ApplyOutputs(n, scope, locals);
        s_.completed.push_back(n.id);
        InnerCompleted(scope, item, local_scope, locals);
        return;
      }
      ApplyOutputs(n, scope, locals);
      Leave(node, scope, &locals);
      return;
    }
    WaitKind wait = job ? WaitKind::kJob : WaitKind::kTask;
    if (n.kind == NodeKind::kReceiveTask ||
        (n.kind == NodeKind::kIntermediateCatchEvent && n.event == EventKind::kMessage)) {
      wait = WaitKind::kMessage;
    } else if (n.kind == NodeKind::kIntermediateCatchEvent) {
      wait = WaitKind::kTimer;
    } else if (n.kind == NodeKind::kSubProcess) {
      wait = WaitKind::kSubProcess;
    } else if (n.kind == NodeKind::kEventBasedGateway) {
      wait = WaitKind::kEventGateway;
    } else if (n.kind == NodeKind::kCallActivity) {
      wait = WaitKind::kCall;
    }
    int a = NewActivity(node, scope, wait);
    ActivityInstance& act = s_.activities.at(a);
    act.locals = std::move(locals);
    act.item = item;
    if (wait == WaitKind::kTimer) {
      ArmTimer(a, node, a);
      return;
    }
    if (wait == WaitKind::kEventGateway) {
      for (int f : n.outgoing) {
        int target = p_.flows[f].target;
        if (p_.nodes[target].event == EventKind::kTimer && !ArmTimer(a, target, a)) return;
      }
      return;
    }
    if (wait == WaitKind::kCall) s_.calls.push_back({a, n.called_element, Visible(a)});
    if (item < 0) ArmBoundaries(a);  // an inner instance's boundaries are its body's
    if (wait == WaitKind::kSubProcess) {
      for (int start : p_.ScopeStarts(node)) Enqueue(start, -1, a);
    }
  }

  void StartMultiInstance(int node, int scope) {
    const Node& n = p_.nodes[node];
    const MultiInstance& mi = *n.loop;
    std::vector<feel::Value> items;
    if (!mi.input_collection.empty()) {
      feel::Value c = Eval(mi.input_collection, scope);
      if (!c.is(feel::Kind::kList)) {
        Incident(n.id, fmt::format("the input collection `{}` is {}, not a list",
                                   mi.input_collection.text, c.ToString()));
        return;
      }
      items = c.list();
    } else {
      feel::Value c = Eval(mi.cardinality, scope);
      if (!c.is_small_int() || c.small_int() < 0 || c.small_int() > 100'000) {
        Incident(n.id, fmt::format("the loop cardinality `{}` is {}, not a count",
                                   mi.cardinality.text, c.ToString()));
        return;
      }
      for (int64_t i = 1; i <= c.small_int(); ++i) items.push_back(feel::Value::Number(i));
    }
    int body = NewActivity(node, scope, WaitKind::kMultiInstance);
    ActivityInstance& b = s_.activities.at(body);
    b.items = std::move(items);
    b.outputs.assign(b.items.size(), feel::Value());
    b.locals["numberOfInstances"] = feel::Value::Number(static_cast<int64_t>(b.items.size()));
    ArmBoundaries(body);
    if (!Running()) return;
    if (b.items.empty()) {
      FinishMultiInstance(body);
      return;
    }
    int count = mi.sequential ? 1 : static_cast<int>(b.items.size());
    b.next_item = count;
    for (int i = 0; i < count && Running() && s_.activities.contains(body); ++i) {
      Enter(node, body, i);
    }
  }

  void InnerCompleted(int body_id, int item, int scope,
                      const std::map<std::string, feel::Value>& locals) {
    auto it = s_.activities.find(body_id);
    if (it == s_.activities.end()) return;
    ActivityInstance& body = it->second;
    const Node& n = p_.nodes[body.node];
    const MultiInstance& mi = *n.loop;
    if (!mi.output_element.empty()) {
      std::map<std::string, feel::Value> with_item = locals;
      if (!mi.input_element.empty()) with_item[mi.input_element] = body.items[item];
      body.outputs[item] = Eval(mi.output_element, scope, &with_item);
    }
    ++body.completed;
    body.locals["numberOfCompletedInstances"] = feel::Value::Number(int64_t{body.completed});
    bool done = body.completed == static_cast<int>(body.items.size());
    if (!done && !mi.completion_condition.empty()) {
      feel::Value c = Eval(mi.completion_condition, body_id);
      done = c.is(feel::Kind::kBoolean) && c.boolean();
    }
    if (done) {
      FinishMultiInstance(body_id);
    } else if (mi.sequential && body.next_item < static_cast<int>(body.items.size())) {
      Enter(body.node, body_id, body.next_item++);
    }
  }

  void FinishMultiInstance(int body_id) {
    ActivityInstance body = s_.activities.at(body_id);
    const Node& n = p_.nodes[body.node];
    Cancel(body_id);
    if (!n.loop->output_collection.empty()) {
      SetVariable(n.loop->output_collection, feel::Value::List(body.outputs), body.parent);
    }
    Leave(body.node, body.parent, nullptr);
  }

  // The waiting activity `id` completes (a task, a catch event, a sub-process).
  void CompleteActivity(int id, const feel::Value* variables) {
    ActivityInstance a = s_.activities.at(id);
    const Node& n = p_.nodes[a.node];
    if (variables && variables->is(feel::Kind::kContext)) {
      if (n.outputs.empty()) {
        MergeVariables(*variables, a.parent);
      } else {
        for (const feel::ContextEntry& e : variables->context()) a.locals[e.name] = e.value;
      }
    }
    Cancel(id);
    ApplyOutputs(n, a.parent, a.locals);
    if (a.item >= 0) {
      s_.completed.push_back(n.id);
      InnerCompleted(a.parent, a.item, a.parent, a.locals);
      return;
    }
    Leave(a.node, a.parent, &a.locals);
  }

  // The node completes; tokens go out on the flows its kind selects.
  void Leave(int node, int scope, const std::map<std::string, feel::Value>* locals) {
    const Node& n = p_.nodes[node];
    s_.completed.push_back(n.id);
    if (n.outgoing.empty()) return;
    std::vector<int> taken;
    bool exclusive = n.kind == NodeKind::kExclusiveGateway;
    bool all = n.kind == NodeKind::kParallelGateway;
    for (int f : n.outgoing) {
      const Flow& flow = p_.flows[f];
      if (f == n.default_flow) continue;
      if (all || !flow.condition) {
        taken.push_back(f);
      } else {
        feel::Value c = Eval(*flow.condition, scope, locals);
        if (c.is(feel::Kind::kBoolean) && c.boolean()) taken.push_back(f);
      }
      if (exclusive && !taken.empty()) break;
    }
    if (taken.empty() && n.default_flow >= 0) taken.push_back(n.default_flow);
    if (taken.empty()) {
      Incident(n.id,
               "no outgoing flow can be taken: every condition is false or null and "
               "there is no default flow");
      return;
    }
    for (int f : taken) Enqueue(p_.flows[f].target, f, scope);
  }

  // A terminate end event in `scope`: everything in it ends; the scope then completes.
  void Terminate(int scope) {
    std::vector<int> inside;
    for (const auto& [id, a] : s_.activities) {
      if (a.parent == scope) inside.push_back(id);
    }
    for (int a : inside) Cancel(a);
    std::erase_if(s_.joins, [&](const JoinWait& j) { return j.scope == scope; });
    std::erase_if(agenda_, [&](const Token& t) { return t.scope == scope; });
    if (scope < 0) s_.status = InstanceStatus::kCompleted;
  }

  void ThrowError(const std::string& thrower, const std::string& code, int scope) {
    for (int a = scope; a >= 0;) {
      const ActivityInstance& act = s_.activities.at(a);
      for (int b : act.item >= 0 ? std::vector<int>() : p_.nodes[act.node].boundaries) {
        const Node& bn = p_.nodes[b];
        if (bn.event == EventKind::kError && (bn.error_code.empty() || bn.error_code == code)) {
          int parent = act.parent;
          Cancel(a);
          Enter(b, parent, -1);
          return;
        }
      }
      a = act.parent;
    }
    Incident(thrower, fmt::format("error '{}' is not caught by any boundary event", code));
    s_.uncaught_error = code;
  }

  // An escalation goes up from `scope` to the first enclosing activity with a boundary event
  // that catches `code` (one naming the code before a catch-all). An interrupting catch ends that
  // activity, and the thrower inside it; a non-interrupting one starts its path beside it.
  // Uncaught, BPMN lets the thrower go on: not an incident. Returns whether the thrower's scope
  // was ended.
  bool ThrowEscalation(const std::string& code, int scope) {
    for (int a = scope; a >= 0;) {
      const ActivityInstance& act = s_.activities.at(a);
      int parent = act.parent;
      int caught = -1;
      for (int b : act.item >= 0 ? std::vector<int>() : p_.nodes[act.node].boundaries) {
        const Node& bn = p_.nodes[b];
        if (bn.event != EventKind::kEscalation) continue;
        if (bn.error_code == code) {
          caught = b;
          break;
        }
        if (bn.error_code.empty() && caught < 0) caught = b;
      }
      if (caught >= 0) {
        bool interrupting = p_.nodes[caught].cancel_activity;
        if (interrupting) Cancel(a);
        Enqueue(caught, -1, parent);
        return interrupting;
      }
      a = parent;
    }
    return false;
  }

  void FireTimer(const PendingTimer& t) {
    auto owner = s_.activities.find(t.owner);
    if (owner == s_.activities.end()) return;
    const Node& tn = p_.nodes[t.node];
    ActivityInstance& a = owner->second;
    if (a.wait == WaitKind::kEventGateway) {
      int scope = a.parent;
      int gateway = a.node;
      Cancel(t.owner);
      s_.completed.push_back(p_.nodes[gateway].id);
      Leave(t.node, scope, nullptr);
    } else if (tn.kind == NodeKind::kBoundaryEvent) {
      int scope = a.parent;
      if (tn.cancel_activity) {
        Cancel(t.owner);
      } else if (t.repeat != 0) {
        int repeat = 0;
        if (std::optional<Timestamp> due = Due(tn, t.owner, &repeat)) {
          s_.timers.push_back(
              {s_.next_id++, *due, t.owner, t.node, t.repeat < 0 ? -1 : t.repeat - 1});
        }
      }
      Leave(t.node, scope, nullptr);
    } else {
      CompleteActivity(t.owner, nullptr);
    }
  }

  bool Correlate(const std::string& name, const std::string& key, const feel::Value& vars) {
    for (auto& [id, a] : s_.activities) {
      const Node& n = p_.nodes[a.node];
      auto matches = [&](const Node& event, int scope) {
        if (event.message_name != name) return false;
        if (key.empty() || event.correlation_key.empty()) return true;
        feel::Value k = Eval(event.correlation_key, scope);
        return (k.is(feel::Kind::kString) ? k.string() : k.ToString()) == key;
      };
      if (a.wait == WaitKind::kMessage && matches(n, id)) {
        CompleteActivity(id, &vars);
        return true;
      }
      if (a.wait == WaitKind::kEventGateway) {
        for (int f : n.outgoing) {
          int target = p_.flows[f].target;
          if (p_.nodes[target].event == EventKind::kMessage ||
              p_.nodes[target].kind == NodeKind::kReceiveTask) {
            if (!matches(p_.nodes[target], id)) continue;
            int scope = a.parent;
            int gateway = a.node;
            Cancel(id);
            s_.completed.push_back(p_.nodes[gateway].id);
            MergeVariables(vars, scope);
            Leave(target, scope, nullptr);
            return true;
          }
        }
      }
      for (int b : a.item >= 0 ? std::vector<int>() : n.boundaries) {
        const Node& bn = p_.nodes[b];
        if (bn.event != EventKind::kMessage || !matches(bn, id)) continue;
        int scope = a.parent;
        if (bn.cancel_activity) Cancel(id);
        MergeVariables(vars, scope);
        Leave(b, scope, nullptr);
        return true;
      }
    }
    return false;
  }

  std::deque<Token>& agenda() { return agenda_; }

 private:
  const Engine& engine_;
  const Process& p_;
  InstanceState& s_;
  const Clock& clock_;
  ClockOverride override_;
  std::deque<Token> agenda_;
  int moves_ = 0;
};

Engine::Engine(const Definitions& definitions, const Process& process, const Clock& clock,
               EngineOptions options)
    : definitions_(definitions), process_(process), clock_(clock), options_(options) {}

Status Engine::Start(InstanceState& state, const feel::Value& variables) const {
  Step step(*this, state);
  step.MergeVariables(variables, -1);
  // Without a none start event, the instance starts as if its (timer, message) start event
  // had just triggered.
  std::vector<int> starts = process_.ScopeStarts(-1);
  if (starts.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("process '{}' has no start event", process_.id));
  }
  for (int s : starts) step.Enqueue(s, -1, -1);
  step.Run();
  return Ok();
}

feel::Value VisibleVariables(const InstanceState& state, int scope) {
  std::map<std::string, feel::Value> seen = state.variables;
  std::vector<int> chain;
  for (int a = scope; a >= 0 && state.activities.contains(a); a = state.activities.at(a).parent) {
    chain.push_back(a);
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    for (const auto& [k, v] : state.activities.at(*it).locals) seen[k] = v;
  }
  std::vector<feel::ContextEntry> entries;
  entries.reserve(seen.size());
  for (auto& [k, v] : seen) entries.push_back({k, std::move(v)});
  return feel::Value::Context(std::move(entries));
}

Status Engine::CompleteTask(InstanceState& state, int activity_id,
                            const feel::Value& variables) const {
  auto it = state.activities.find(activity_id);
  if (state.status != InstanceStatus::kRunning || it == state.activities.end() ||
      it->second.wait != WaitKind::kTask) {
    return Error(ErrorCode::kNotFound, fmt::format("no waiting task {}", activity_id));
  }
  Step step(*this, state);
  step.CompleteActivity(activity_id, &variables);
  step.Run();
  return Ok();
}

Status Engine::CompleteJob(InstanceState& state, int activity_id,
                           const feel::Value& variables) const {
  auto it = state.activities.find(activity_id);
  if (state.status != InstanceStatus::kRunning || it == state.activities.end() ||
      it->second.wait != WaitKind::kJob) {
    return Error(ErrorCode::kNotFound, fmt::format("no waiting job {}", activity_id));
  }
  Step step(*this, state);
  step.CompleteActivity(activity_id, &variables);
  step.Run();
  return Ok();
}

Status Engine::CompleteCall(InstanceState& state, int activity_id, const feel::Value& variables,
                            const std::optional<std::string>& error_code) const {
  auto it = state.activities.find(activity_id);
  if (state.status != InstanceStatus::kRunning || it == state.activities.end() ||
      it->second.wait != WaitKind::kCall) {
    return Error(ErrorCode::kNotFound, fmt::format("no waiting call activity {}", activity_id));
  }
  Step step(*this, state);
  if (error_code) {
    step.ThrowError(process_.nodes[it->second.node].id, *error_code, activity_id);
  } else {
    step.CompleteActivity(activity_id, &variables);
  }
  step.Run();
  return Ok();
}

Status Engine::FireTimer(InstanceState& state, int timer_id) const {
  auto it = std::find_if(state.timers.begin(), state.timers.end(),
                         [&](const PendingTimer& t) { return t.id == timer_id; });
  if (state.status != InstanceStatus::kRunning || it == state.timers.end()) {
    return Error(ErrorCode::kNotFound, fmt::format("no pending timer {}", timer_id));
  }
  PendingTimer t = *it;
  state.timers.erase(it);
  Step step(*this, state);
  step.FireTimer(t);
  step.Run();
  return Ok();
}

Status Engine::CorrelateMessage(InstanceState& state, const std::string& name,
                                const std::string& correlation_key,
                                const feel::Value& variables) const {
  if (state.status != InstanceStatus::kRunning) {
    return Error(ErrorCode::kNotFound, "the instance is not running");
  }
  Step step(*this, state);
  if (!step.Correlate(name, correlation_key, variables)) {
    return Error(ErrorCode::kNotFound, fmt::format("no subscription to message '{}'", name));
  }
  step.Run();
  return Ok();
}

Result<RunOutcome> RunInMemory(const Definitions& definitions, const Process& process,
                               const feel::Value& variables, const feel::Value& outputs,
                               FakeClock& clock, int max_steps) {
  Engine engine(definitions, process, clock);
  RunOutcome out;
  InstanceState& s = out.state;
  TB_RETURN_IF_ERROR(engine.Start(s, variables));
  for (int steps = 0; s.status == InstanceStatus::kRunning; ++steps) {
    if (steps >= max_steps) {
      s.status = InstanceStatus::kIncident;
      s.incident_element = process.id;
      s.incident_message = fmt::format("more than {} steps", max_steps);
      break;
    }
    if (!s.calls.empty()) {
      CallRequest call = s.calls.front();
      s.calls.erase(s.calls.begin());
      auto called = std::find_if(definitions.processes.begin(), definitions.processes.end(),
                                 [&](const Process& p) { return p.id == call.process_id; });
      if (called == definitions.processes.end()) {
        s.status = InstanceStatus::kIncident;
        s.incident_element = process.nodes[s.activities.at(call.activity).node].id;
        s.incident_message =
            fmt::format("called process '{}' is not in the model", call.process_id);
        break;
      }
      TB_ASSIGN_OR_RETURN(RunOutcome child, RunInMemory(definitions, *called, call.variables,
                                                        outputs, clock, max_steps - steps));
      s.completed.insert(s.completed.end(), child.state.completed.begin(),
                         child.state.completed.end());
      if (child.status == InstanceStatus::kCompleted) {
        std::vector<feel::ContextEntry> vars;
        vars.reserve(child.state.variables.size());
        for (const auto& [k, v] : child.state.variables) vars.push_back({k, v});
        TB_RETURN_IF_ERROR(
            engine.CompleteCall(s, call.activity, feel::Value::Context(std::move(vars))));
      } else if (!child.state.uncaught_error.empty()) {
        TB_RETURN_IF_ERROR(
            engine.CompleteCall(s, call.activity, feel::Value(), child.state.uncaught_error));
      } else {
        s.status = child.status;
        s.incident_element = child.state.incident_element;
        s.incident_message = child.state.incident_message;
        break;
      }
      continue;
    }
    auto task = std::find_if(s.activities.begin(), s.activities.end(),
                             [](const auto& e) { return e.second.wait == WaitKind::kTask; });
    if (task != s.activities.end()) {
      const std::string& id = process.nodes[task->second.node].id;
      const feel::Value* given = outputs.is(feel::Kind::kContext) ? outputs.Find(id) : nullptr;
      TB_RETURN_IF_ERROR(engine.CompleteTask(s, task->first, given ? *given : feel::Value()));
      continue;
    }
    if (s.timers.empty()) break;  // only message waits remain
    auto next = std::min_element(s.timers.begin(), s.timers.end(),
                                 [](const PendingTimer& a, const PendingTimer& b) {
                                   return std::tie(a.due, a.id) < std::tie(b.due, b.id);
                                 });
    if (next->due > clock.Now()) clock.Set(next->due);
    TB_RETURN_IF_ERROR(engine.FireTimer(s, next->id));
  }
  out.status = s.status;
  return out;
}

}  // namespace tongban::bpmn
