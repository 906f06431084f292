// Compiling and evaluating DMN models. A boxed expression becomes a tree of Nodes; every FEEL
// text in it is compiled once against the names visible at its place (an Env), and evaluated
// against a Frame: the values of those names, pushed in the same order as the Env's names.
// Decisions are evaluated per request (memoised), BKMs and decision services are feel::Function
// values that rebuild their frame at each call.
#include "dmn/evaluator.h"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <utility>

#include "feel/feel.h"

namespace tongban::dmn {

using feel::Kind;
using feel::Value;

namespace {

using Frame = std::vector<Value>;

// Calls nested deeper than this (recursive BKMs) end with a warning, before the stack does.
constexpr int kMaxCallDepth = 180;

struct EvalState {
  std::vector<std::string>* warnings = nullptr;
  int depth = 0;
  std::vector<std::string>* explanation = nullptr;  // set when asked to explain
  void Warn(std::string message) const {
    if (warnings != nullptr) warnings->push_back(std::move(message));
  }
  bool explaining() const { return explanation != nullptr; }
  void Explain(std::string line) const {
    if (explanation != nullptr) explanation->push_back(std::move(line));
  }
};

// The names visible where a text is compiled, in Frame order.
struct Env {
  std::vector<std::string> names;
};

class Node {
 public:
  virtual ~Node() = default;
  virtual Value Eval(Frame& frame, EvalState& st) const = 0;
};
using NodePtr = std::unique_ptr<Node>;

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits unary tests at top-level commas (`"A", "B", [1..2]` → three tests), so the position of
// an output value can rank it (PRIORITY, OUTPUT ORDER).
std::vector<std::string> SplitUnaryTests(std::string_view text) {
  std::vector<std::string> out;
  int depth = 0;
  bool in_string = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.emplace_back(Trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.emplace_back(Trim(text.substr(start)));
  return out;
}

// One compiled text with the map from its slots to Frame positions.
struct Compiled {
  std::optional<feel::Program> program;
  std::string error;  // when program is empty
};

// A Scope over an Env: each name declared once; a later name of the same spelling wins.
struct ScopeOverEnv {
  feel::Scope scope;
  std::vector<int> slot_to_frame;

  explicit ScopeOverEnv(const Env& env) {
    for (size_t i = 0; i < env.names.size(); ++i) {
      int slot = scope.Declare(env.names[i]);
      if (slot >= static_cast<int>(slot_to_frame.size())) slot_to_frame.resize(slot + 1);
      slot_to_frame[slot] = static_cast<int>(i);
    }
  }
  feel::Bindings Bind(const Frame& frame) const {
    feel::Bindings b(scope);
    for (size_t slot = 0; slot < slot_to_frame.size(); ++slot) {
      b.Set(static_cast<int>(slot), frame[slot_to_frame[slot]]);
    }
    return b;
  }
};

void Forward(const feel::Evaluation& e, const EvalState& st, std::string_view where) {
  for (const std::string& w : e.warnings) st.Warn(fmt::format("{}: {}", where, w));
}

bool IsTrue(const Value& v) { return v.is(Kind::kBoolean) && v.boolean(); }

}  // namespace

// ---- Types ----------------------------------------------------------------------------------

namespace {

// Unary tests checked against a value (allowed values of an item definition).
struct UnaryCheck {
  std::string text;
  feel::Scope scope;
  std::optional<feel::Program> program;
};

// A declared type, compiled from an item definition or a FEEL type name.
struct DmnType {
  std::string name;
  bool collection = false;
  std::shared_ptr<const DmnType> element;  // when collection
  std::optional<feel::Type> feel_type;     // a FEEL type
  std::shared_ptr<const DmnType> alias;    // a reference to another item definition
  std::vector<std::pair<std::string, std::shared_ptr<const DmnType>>> fields;
  bool structure = false;
  bool function = false;
  std::shared_ptr<const UnaryCheck> allowed;
};
using TypePtr = std::shared_ptr<const DmnType>;

// The FEEL type of an item definition for `instance of` (its base type and structure; allowed
// values are not part of it: `256 instance of t255` is true, TCK 0070). nullopt for function
// items and what cannot be told.
std::optional<feel::Type> FeelTypeOf(const DmnType& t, int depth = 0) {
  if (depth > 32) return std::nullopt;
  if (t.collection) {
    if (!t.element) return feel::Type::List(feel::Type::Any());
    std::optional<feel::Type> e = FeelTypeOf(*t.element, depth + 1);
    if (!e) return std::nullopt;
    return feel::Type::List(*e);
  }
  if (t.feel_type) return t.feel_type;
  if (t.alias) return FeelTypeOf(*t.alias, depth + 1);
  if (t.structure) {
    std::vector<feel::Type::Field> fields;
    for (const auto& [name, type] : t.fields) {
      std::optional<feel::Type> f = type ? FeelTypeOf(*type, depth + 1) : feel::Type::Any();
      if (!f) return std::nullopt;
      fields.push_back({name, *f});
    }
    return feel::Type::Context(std::move(fields));
  }
  if (t.function) return std::nullopt;
  return feel::Type::Any();
}

bool Conforms(const Value& v, const DmnType& t, int depth = 0) {
  if (v.is_null()) return true;
  if (depth > 64) return true;
  if (t.collection) {
    if (!v.is(Kind::kList)) return false;
    for (const Value& item : v.list()) {
      if (!Conforms(item, *t.element, depth + 1)) return false;
    }
    return true;
  }
  if (t.feel_type && !t.feel_type->IsInstance(v)) return false;
  if (t.alias && !Conforms(v, *t.alias, depth + 1)) return false;
  if (t.structure) {
    if (!v.is(Kind::kContext)) return false;
    for (const auto& [name, type] : t.fields) {
      const Value* field = v.Find(name);
      if (field == nullptr) return false;
      if (type && !Conforms(*field, *type, depth + 1)) return false;
    }
  }
  if (t.function && !v.is(Kind::kFunction)) return false;
  if (t.allowed && t.allowed->program) {
    feel::Bindings b(t.allowed->scope);
    if (!IsTrue(t.allowed->program->TestFast(v, b))) return false;
  }
  return true;
}

// DMN 1.5 §10.3.2.9.4: a value that conforms is kept; a singleton list becomes its element and
// an element a singleton list when that makes it conform; anything else becomes null.
Value Coerce(Value v, const TypePtr& type, const EvalState& st, std::string_view where) {
  if (!type || v.is_null()) return v;
  if (Conforms(v, *type)) return v;
  if (!type->collection && v.is(Kind::kList) && v.list().size() == 1 &&
      Conforms(v.list()[0], *type)) {
    return v.list()[0];
  }
  if (type->collection && !v.is(Kind::kList) && Conforms(v, *type->element)) {
    return Value::List({v});
  }
  st.Warn(fmt::format("{}: {} does not conform to type {}", where, v.ToString(), type->name));
  return Value::Null();
}

// An argument of a call: coerced like any value, but one that does not conform makes the call
// fail (nullopt) instead of passing null (DMN 1.5 §10.3.2.9.4, invocation).
std::optional<Value> CoerceArgument(const Value& v, const TypePtr& type, const EvalState& st,
                                    std::string_view where, std::string_view parameter) {
  if (!type || v.is_null()) return v;
  Value coerced = Coerce(v, type, EvalState{}, where);
  if (coerced.is_null()) {
    st.Warn(fmt::format("{}: argument {} for parameter '{}' does not conform to type {}", where,
                        v.ToString(), parameter, type->name));
    return std::nullopt;
  }
  return coerced;
}

}  // namespace

// ---- Model-wide state -----------------------------------------------------------------------

namespace {

enum class ElementKind { kInput, kDecision, kBkm, kService };

struct ElementRef {
  ElementKind kind = ElementKind::kInput;
  int index = 0;
};

// A name in a decision's (or BKM's) scope: one element, or a context of elements of an
// imported model under the import's name (`myimport.Say Hello`).
struct Visible {
  std::string name;
  bool group = false;
  ElementRef element;
  std::vector<std::pair<std::string, ElementRef>> members;
};

struct ModelInfo {
  const Definitions* defs = nullptr;
  std::map<std::string, std::shared_ptr<DmnType>, std::less<>> types;
};

struct CompiledInput {
  const InputData* input = nullptr;
  const ModelInfo* model = nullptr;
  TypePtr type;
};

struct CompiledDecision {
  const Decision* decision = nullptr;
  const ModelInfo* model = nullptr;
  std::vector<Visible> visible;
  NodePtr logic;
  TypePtr type;
  std::string where;
};

struct Parameter {
  std::string name;
  TypePtr type;
};

// Pushes the arguments of a call onto `frame`, coerced to the parameters' types. False (with a
// warning) when their number differs or one does not conform: the call's value is then null.
bool BindArguments(std::span<const Value> args, const std::vector<Parameter>& parameters,
                   Frame& frame, const EvalState& st, std::string_view where) {
  if (args.size() != parameters.size()) {
    st.Warn(
        fmt::format("{}: {} arguments for {} parameters", where, args.size(), parameters.size()));
    return false;
  }
  for (size_t i = 0; i < parameters.size(); ++i) {
    std::optional<Value> arg =
        CoerceArgument(args[i], parameters[i].type, st, where, parameters[i].name);
    if (!arg) return false;
    frame.push_back(std::move(*arg));
  }
  return true;
}

struct CompiledBkm {
  const BusinessKnowledgeModel* bkm = nullptr;
  const ModelInfo* model = nullptr;
  std::vector<Visible> visible;
  std::vector<Parameter> parameters;
  NodePtr body;
  std::string refusal;  // Java/PMML functions: why they are not evaluated
  std::string where;
};

struct CompiledService {
  const DecisionService* service = nullptr;
  const ModelInfo* model = nullptr;
  std::vector<int> outputs;          // decision indexes
  std::vector<int> input_decisions;  // decision indexes
  std::vector<int> input_data;       // input indexes
  std::vector<std::string> parameters;
  TypePtr type;
  std::string where;
};

}  // namespace

struct DecisionModel::Impl {
  ModelSet models;
  std::vector<std::unique_ptr<ModelInfo>> infos;
  std::vector<CompiledInput> inputs;
  std::vector<CompiledDecision> decisions;
  std::vector<CompiledBkm> bkms;
  std::vector<CompiledService> services;
  std::map<std::pair<std::string, std::string>, ElementRef> by_key;  // (namespace, id)
  std::vector<std::string> problems;
};

namespace {

using Impl = DecisionModel::Impl;

// The state of one request: input values and the decisions evaluated so far.
struct Request {
  const Impl* impl = nullptr;
  std::vector<Value> inputs;
  std::vector<uint8_t> state;  // per decision: 0 not evaluated, 1 in progress, 2 done
  std::vector<Value> values;

  explicit Request(const Impl* i)
      : impl(i),
        inputs(i->inputs.size()),
        state(i->decisions.size(), 0),
        values(i->decisions.size()) {}
};

Value EvaluateDecisionAt(int index, Request& req, EvalState& st);
Value ValueOf(const ElementRef& ref, Request* req, const Impl* impl, EvalState& st);

void PushVisible(const std::vector<Visible>& visible, Request* req, const Impl* impl, Frame& frame,
                 EvalState& st) {
  for (const Visible& v : visible) {
    if (!v.group) {
      frame.push_back(ValueOf(v.element, req, impl, st));
      continue;
    }
    std::vector<feel::ContextEntry> entries;
    entries.reserve(v.members.size());
    for (const auto& [name, ref] : v.members) {
      entries.push_back({name, ValueOf(ref, req, impl, st)});
    }
    frame.push_back(Value::Context(std::move(entries)));
  }
}

class BkmFunction : public feel::Function {
 public:
  BkmFunction(const Impl* impl, int index) : impl_(impl), index_(index) {
    for (const Parameter& p : impl->bkms[index].parameters) names_.push_back(p.name);
  }
  const std::vector<std::string>& parameters() const override { return names_; }
  std::string_view name() const override { return impl_->bkms[index_].bkm->name; }

  Value Call(std::span<const Value> args, feel::CallContext& ctx) const override {
    const CompiledBkm& bkm = impl_->bkms[index_];
    if (!bkm.refusal.empty()) {
      ctx.Warn(bkm.refusal);
      return Value::Null();
    }
    if (ctx.depth > kMaxCallDepth) {
      ctx.Warn(fmt::format("{}: calls nested deeper than {}", bkm.where, kMaxCallDepth));
      return Value::Null();
    }
    if (!bkm.body) return Value::Null();
    std::vector<std::string> warnings;
    EvalState st{.warnings = &warnings, .depth = ctx.depth + 1};
    Frame frame;
    PushVisible(bkm.visible, nullptr, impl_, frame, st);
    if (!BindArguments(args, bkm.parameters, frame, st, bkm.where)) {
      for (std::string& w : warnings) ctx.Warn(std::move(w));
      return Value::Null();
    }
    Value result = bkm.body->Eval(frame, st);
    for (std::string& w : warnings) ctx.Warn(std::move(w));
    return result;
  }

 private:
  const Impl* impl_;
  int index_;
  std::vector<std::string> names_;
};

Value InvokeService(const Impl* impl, int index, std::span<const Value> args, EvalState& st,
                    bool strict_arguments);

class ServiceFunction : public feel::Function {
 public:
  ServiceFunction(const Impl* impl, int index) : impl_(impl), index_(index) {}
  const std::vector<std::string>& parameters() const override {
    return impl_->services[index_].parameters;
  }
  std::string_view name() const override { return impl_->services[index_].service->name; }

  Value Call(std::span<const Value> args, feel::CallContext& ctx) const override {
    const CompiledService& s = impl_->services[index_];
    if (ctx.depth > kMaxCallDepth) {
      ctx.Warn(fmt::format("{}: calls nested deeper than {}", s.where, kMaxCallDepth));
      return Value::Null();
    }
    if (args.size() != s.parameters.size()) {
      ctx.Warn(fmt::format("{}: {} arguments for {} parameters", s.where, args.size(),
                           s.parameters.size()));
      return Value::Null();
    }
    std::vector<std::string> warnings;
    EvalState st{.warnings = &warnings, .depth = ctx.depth + 1};
    Value result = InvokeService(impl_, index_, args, st, /*strict_arguments=*/true);
    for (std::string& w : warnings) ctx.Warn(std::move(w));
    return result;
  }

 private:
  const Impl* impl_;
  int index_;
};

Value ValueOf(const ElementRef& ref, Request* req, const Impl* impl, EvalState& st) {
  switch (ref.kind) {
    case ElementKind::kInput:
      return req != nullptr ? req->inputs[ref.index] : Value::Null();
    case ElementKind::kDecision:
      return req != nullptr ? EvaluateDecisionAt(ref.index, *req, st) : Value::Null();
    case ElementKind::kBkm:
      return Value::FromFunction(std::make_shared<BkmFunction>(impl, ref.index));
    case ElementKind::kService:
      return Value::FromFunction(std::make_shared<ServiceFunction>(impl, ref.index));
  }
  return Value::Null();
}

Value EvaluateDecisionAt(int index, Request& req, EvalState& st) {
  const CompiledDecision& d = req.impl->decisions[index];
  if (req.state[index] == 2) return req.values[index];
  if (req.state[index] == 1) {
    st.Warn(fmt::format("{}: requires itself (a cycle in the requirements)", d.where));
    return Value::Null();
  }
  req.state[index] = 1;
  Frame frame;
  PushVisible(d.visible, &req, req.impl, frame, st);
  Value v = d.logic ? d.logic->Eval(frame, st) : Value::Null();
  v = Coerce(std::move(v), d.type, st, d.where);
  if (st.explaining()) st.Explain(fmt::format("{} = {}", d.where, v.ToString()));
  req.state[index] = 2;
  req.values[index] = v;
  return v;
}

// Parameters are the input data, then the input decisions (DMN 1.5 §10.4). With
// `strict_arguments` (a FEEL call) an argument that does not conform fails the call; a direct
// invocation coerces it to null like an input.
Value InvokeService(const Impl* impl, int index, std::span<const Value> args, EvalState& st,
                    bool strict_arguments) {
  const CompiledService& s = impl->services[index];
  Request req(impl);
  size_t arg = 0;
  auto next = [&](const TypePtr& type, const std::string& name) -> std::optional<Value> {
    Value v = arg < args.size() ? args[arg] : Value::Null();
    ++arg;
    if (strict_arguments) return CoerceArgument(v, type, st, s.where, name);
    return Coerce(std::move(v), type, st, s.where);
  };
  for (int i : s.input_data) {
    std::optional<Value> v = next(impl->inputs[i].type, impl->inputs[i].input->name);
    if (!v) return Value::Null();
    req.inputs[i] = std::move(*v);
  }
  for (int d : s.input_decisions) {
    std::optional<Value> v = next(impl->decisions[d].type, impl->decisions[d].decision->name);
    if (!v) return Value::Null();
    req.values[d] = std::move(*v);
    req.state[d] = 2;
  }
  Value result;
  if (s.outputs.size() == 1) {
    result = EvaluateDecisionAt(s.outputs[0], req, st);
  } else {
    std::vector<feel::ContextEntry> entries;
    entries.reserve(s.outputs.size());
    for (int d : s.outputs) {
      entries.push_back({impl->decisions[d].decision->name, EvaluateDecisionAt(d, req, st)});
    }
    result = Value::Context(std::move(entries));
  }
  return Coerce(std::move(result), s.type, st, s.where);
}

}  // namespace

// ---- Nodes ----------------------------------------------------------------------------------

namespace {

class ErrorNode : public Node {
 public:
  explicit ErrorNode(std::string message) : message_(std::move(message)) {}
  Value Eval(Frame&, EvalState& st) const override {
    st.Warn(message_);
    return Value::Null();
  }

 private:
  std::string message_;
};

class LiteralNode : public Node {
 public:
  LiteralNode(const Env& env, feel::Program program, std::string where)
      : scope_(env), program_(std::move(program)), where_(std::move(where)) {}
  Value Eval(Frame& frame, EvalState& st) const override {
    feel::Bindings b = scope_.Bind(frame);
    feel::Evaluation e = program_.Evaluate(b);
    Forward(e, st, where_);
    return std::move(e.value);
  }

 private:
  ScopeOverEnv scope_;
  feel::Program program_;
  std::string where_;
};

class CoerceNode : public Node {
 public:
  CoerceNode(NodePtr inner, TypePtr type, std::string where)
      : inner_(std::move(inner)), type_(std::move(type)), where_(std::move(where)) {}
  Value Eval(Frame& frame, EvalState& st) const override {
    return Coerce(inner_->Eval(frame, st), type_, st, where_);
  }

 private:
  NodePtr inner_;
  TypePtr type_;
  std::string where_;
};

class ContextNode : public Node {
 public:
  struct Entry {
    std::string name;  // empty: the result entry
    NodePtr value;     // null: no expression (null)
  };
  explicit ContextNode(std::vector<Entry> entries) : entries_(std::move(entries)) {}
  Value Eval(Frame& frame, EvalState& st) const override {
    size_t base = frame.size();
    std::vector<feel::ContextEntry> out;
    std::optional<Value> result;
    for (const Entry& e : entries_) {
      Value v = e.value ? e.value->Eval(frame, st) : Value::Null();
      if (e.name.empty()) {
        result = std::move(v);
        continue;
      }
      frame.push_back(v);
      out.push_back({e.name, std::move(v)});
    }
    frame.resize(base);
    if (result) return std::move(*result);
    return Value::Context(std::move(out));
  }

 private:
  std::vector<Entry> entries_;
};

class ListNode : public Node {
 public:
  explicit ListNode(std::vector<NodePtr> items) : items_(std::move(items)) {}
  Value Eval(Frame& frame, EvalState& st) const override {
    std::vector<Value> out;
    out.reserve(items_.size());
    for (const NodePtr& n : items_) out.push_back(n->Eval(frame, st));
    return Value::List(std::move(out));
  }

 private:
  std::vector<NodePtr> items_;
};

class RelationNode : public Node {
 public:
  RelationNode(std::vector<std::string> columns, std::vector<std::vector<NodePtr>> rows)
      : columns_(std::move(columns)), rows_(std::move(rows)) {}
  Value Eval(Frame& frame, EvalState& st) const override {
    std::vector<Value> out;
    out.reserve(rows_.size());
    for (const auto& row : rows_) {
      std::vector<feel::ContextEntry> entries;
      for (size_t c = 0; c < row.size(); ++c) {
        entries.push_back({columns_[c], row[c]->Eval(frame, st)});
      }
      out.push_back(Value::Context(std::move(entries)));
    }
    return Value::List(std::move(out));
  }

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<NodePtr>> rows_;
};

Value CallFunction(const Value& f, std::span<const Value> args, EvalState& st,
                   std::string_view where) {
  if (!f.is(Kind::kFunction)) {
    st.Warn(fmt::format("{}: {} is not a function", where, f.ToString()));
    return Value::Null();
  }
  std::vector<std::string> warnings;
  feel::CallContext ctx(&warnings);
  ctx.depth = st.depth + 1;
  Value v = f.function().Call(args, ctx);
  for (std::string& w : warnings) st.Warn(std::move(w));
  return v;
}

class InvocationNode : public Node {
 public:
  InvocationNode(NodePtr callee, std::vector<std::pair<std::string, NodePtr>> bindings,
                 std::string where)
      : callee_(std::move(callee)), bindings_(std::move(bindings)), where_(std::move(where)) {}
  Value Eval(Frame& frame, EvalState& st) const override {
    Value f = callee_->Eval(frame, st);
    if (!f.is(Kind::kFunction)) {
      st.Warn(fmt::format("{}: the invoked {} is not a function", where_, f.ToString()));
      return Value::Null();
    }
    const std::vector<std::string>& params = f.function().parameters();
    std::vector<Value> args(params.size());
    for (const auto& [name, node] : bindings_) {
      size_t i = 0;
      while (i < params.size() && params[i] != name) ++i;
      if (i == params.size()) {
        st.Warn(fmt::format("{}: the function has no parameter '{}'", where_, name));
        return Value::Null();
      }
      args[i] = node ? node->Eval(frame, st) : Value::Null();
    }
    return CallFunction(f, args, st, where_);
  }

 private:
  NodePtr callee_;
  std::vector<std::pair<std::string, NodePtr>> bindings_;
  std::string where_;
};

class FunctionNode;

class ClosureFunction : public feel::Function {
 public:
  ClosureFunction(const FunctionNode* node, Frame captured);
  const std::vector<std::string>& parameters() const override;
  Value Call(std::span<const Value> args, feel::CallContext& ctx) const override;

 private:
  const FunctionNode* node_;
  Frame captured_;
};

class FunctionNode : public Node {
 public:
  FunctionNode(std::vector<Parameter> parameters, NodePtr body, std::string refusal,
               std::string where)
      : parameters_(std::move(parameters)),
        body_(std::move(body)),
        refusal_(std::move(refusal)),
        where_(std::move(where)) {
    for (const Parameter& p : parameters_) names_.push_back(p.name);
  }
  Value Eval(Frame& frame, EvalState&) const override {
    return Value::FromFunction(std::make_shared<ClosureFunction>(this, frame));
  }

  std::vector<Parameter> parameters_;
  std::vector<std::string> names_;
  NodePtr body_;
  std::string refusal_;
  std::string where_;
};

ClosureFunction::ClosureFunction(const FunctionNode* node, Frame captured)
    : node_(node), captured_(std::move(captured)) {}

const std::vector<std::string>& ClosureFunction::parameters() const { return node_->names_; }

Value ClosureFunction::Call(std::span<const Value> args, feel::CallContext& ctx) const {
  if (!node_->refusal_.empty()) {
    ctx.Warn(node_->refusal_);
    return Value::Null();
  }
  if (ctx.depth > kMaxCallDepth) {
    ctx.Warn(fmt::format("{}: calls nested deeper than {}", node_->where_, kMaxCallDepth));
    return Value::Null();
  }
  if (!node_->body_) return Value::Null();
  std::vector<std::string> warnings;
  EvalState st{.warnings = &warnings, .depth = ctx.depth + 1};
  Frame frame = captured_;
  if (!BindArguments(args, node_->parameters_, frame, st, node_->where_)) {
    for (std::string& w : warnings) ctx.Warn(std::move(w));
    return Value::Null();
  }
  Value v = node_->body_->Eval(frame, st);
  for (std::string& w : warnings) ctx.Warn(std::move(w));
  return v;
}

class ConditionalNode : public Node {
 public:
  ConditionalNode(NodePtr c, NodePtr t, NodePtr e)
      : if_(std::move(c)), then_(std::move(t)), else_(std::move(e)) {}
  Value Eval(Frame& frame, EvalState& st) const override {
    Value condition = if_->Eval(frame, st);
    if (!condition.is_null() && !condition.is(Kind::kBoolean)) {
      st.Warn(fmt::format("conditional: the condition {} is not a boolean", condition.ToString()));
      return Value::Null();
    }
    return IsTrue(condition) ? then_->Eval(frame, st) : else_->Eval(frame, st);
  }

 private:
  NodePtr if_, then_, else_;
};

class IteratorNode : public Node {
 public:
  IteratorNode(IteratorKind kind, NodePtr in, NodePtr body, std::string where)
      : kind_(kind), in_(std::move(in)), body_(std::move(body)), where_(std::move(where)) {}
  Value Eval(Frame& frame, EvalState& st) const override {
    Value in = in_->Eval(frame, st);
    if (!in.is(Kind::kList)) {
      st.Warn(fmt::format("{}: iterates over {}, not a list", where_, in.ToString()));
      return Value::Null();
    }
    std::vector<Value> out;
    bool any_null = false;
    for (const Value& item : in.list()) {
      frame.push_back(item);
      Value v = body_->Eval(frame, st);
      frame.pop_back();
      if (kind_ != IteratorKind::kFor && !v.is_null() && !v.is(Kind::kBoolean)) {
        st.Warn(fmt::format("{}: satisfies gives {}, not a boolean", where_, v.ToString()));
        return Value::Null();
      }
      switch (kind_) {
        case IteratorKind::kFor:
          out.push_back(std::move(v));
          break;
        case IteratorKind::kSome:
          if (IsTrue(v)) return Value::Boolean(true);
          any_null = any_null || !v.is(Kind::kBoolean);
          break;
        case IteratorKind::kEvery:
          if (v.is(Kind::kBoolean) && !v.boolean()) return Value::Boolean(false);
          any_null = any_null || !v.is(Kind::kBoolean);
          break;
      }
    }
    if (kind_ == IteratorKind::kFor) return Value::List(std::move(out));
    if (any_null) return Value::Null();
    return Value::Boolean(kind_ == IteratorKind::kEvery);
  }

 private:
  IteratorKind kind_;
  NodePtr in_, body_;
  std::string where_;
};

class FilterNode : public Node {
 public:
  FilterNode(NodePtr in, NodePtr match, std::string where)
      : in_(std::move(in)), match_(std::move(match)), where_(std::move(where)) {}
  Value Eval(Frame& frame, EvalState& st) const override {
    Value in = in_->Eval(frame, st);
    if (!in.is(Kind::kList)) {
      st.Warn(fmt::format("{}: filters {}, not a list", where_, in.ToString()));
      return Value::Null();
    }
    std::vector<Value> out;
    for (const Value& item : in.list()) {
      frame.push_back(item);
      Value keep = match_->Eval(frame, st);
      frame.pop_back();
      if (!keep.is_null() && !keep.is(Kind::kBoolean)) {
        st.Warn(fmt::format("{}: match gives {}, not a boolean", where_, keep.ToString()));
        return Value::Null();
      }
      if (IsTrue(keep)) out.push_back(item);
    }
    return Value::List(std::move(out));
  }

 private:
  NodePtr in_, match_;
  std::string where_;
};

// A decision table: every cell compiled once against one scope.
class TableNode : public Node {
 public:
  struct Cell {
    bool any = false;  // `-` or empty: matches everything
    std::optional<feel::Program> program;
    std::string error;
  };
  struct Input {
    std::string label;
    Cell expression;
    std::optional<Cell> values;
  };
  struct Output {
    std::string name;
    TypePtr type;
    std::vector<Cell> values;  // each output value on its own, in order (priority)
    std::optional<Cell> all_values;
    std::optional<Cell> default_value;
  };
  struct Rule {
    std::vector<Cell> inputs;
    std::vector<Cell> outputs;
  };

  TableNode(const Env& env, std::string where) : scope_(env), where_(std::move(where)) {}

  const feel::Scope& scope() const { return scope_.scope; }

  Value Eval(Frame& frame, EvalState& st) const override {
    feel::Bindings b = scope_.Bind(frame);
    std::vector<Value> in(inputs_.size());
    for (size_t i = 0; i < inputs_.size(); ++i) {
      in[i] = EvalCell(inputs_[i].expression, b, st);
      if (inputs_[i].values && !inputs_[i].values->any) {
        Value ok = TestCell(*inputs_[i].values, in[i], b, st);
        if (!IsTrue(ok)) {
          st.Warn(fmt::format("{}: input '{}' = {} is not one of its input values", where_,
                              inputs_[i].label, in[i].ToString()));
          return Value::Null();
        }
      }
    }
    std::vector<size_t> matched;
    for (size_t r = 0; r < rules_.size(); ++r) {
      bool match = true;
      for (size_t i = 0; i < inputs_.size() && match; ++i) {
        const Cell& cell = rules_[r].inputs[i];
        if (cell.any) continue;
        match = IsTrue(TestCell(cell, in[i], b, st));
      }
      if (match) matched.push_back(r);
    }
    if (st.explaining()) Explain(in, matched, st);
    if (matched.empty()) return Defaults(b, st);

    bool failed = false;
    auto outputs_of = [&](size_t r) {
      std::vector<Value> values(outputs_.size());
      for (size_t o = 0; o < outputs_.size(); ++o) {
        values[o] = EvalCell(rules_[r].outputs[o], b, st);
        const Output& out = outputs_[o];
        if (out.all_values && !out.all_values->any && !values[o].is_null() &&
            !IsTrue(TestCell(*out.all_values, values[o], b, st))) {
          st.Warn(fmt::format("{}: rule {} gives {}, not one of the output values", where_, r + 1,
                              values[o].ToString()));
          failed = true;
        }
        values[o] = Coerce(std::move(values[o]), out.type, st, where_);
      }
      return values;
    };
    auto shape = [&](std::vector<Value> values) {
      if (outputs_.size() == 1) return std::move(values[0]);
      std::vector<feel::ContextEntry> entries;
      for (size_t o = 0; o < outputs_.size(); ++o) {
        entries.push_back({outputs_[o].name, std::move(values[o])});
      }
      return Value::Context(std::move(entries));
    };

    switch (hit_policy_) {
      case HitPolicy::kUnique: {
        if (matched.size() > 1) {
          st.Warn(
              fmt::format("{}: hit policy UNIQUE but rules {} match", where_, RuleList(matched)));
          return Value::Null();
        }
        Value v = shape(outputs_of(matched[0]));
        return failed ? Value::Null() : v;
      }
      case HitPolicy::kFirst: {
        Value v = shape(outputs_of(matched[0]));
        return failed ? Value::Null() : v;
      }
      case HitPolicy::kAny: {
        Value first = shape(outputs_of(matched[0]));
        for (size_t k = 1; k < matched.size(); ++k) {
          Value other = shape(outputs_of(matched[k]));
          if (Equal(first, other) != std::optional<bool>(true)) {
            st.Warn(fmt::format("{}: hit policy ANY but rules {} give different outputs", where_,
                                RuleList(matched)));
            return Value::Null();
          }
        }
        return failed ? Value::Null() : first;
      }
      case HitPolicy::kPriority:
      case HitPolicy::kOutputOrder: {
        std::vector<std::pair<std::vector<size_t>, std::vector<Value>>> ranked;
        for (size_t r : matched) {
          std::vector<Value> values = outputs_of(r);
          std::vector<size_t> rank;
          for (size_t o = 0; o < outputs_.size(); ++o) {
            rank.push_back(Priority(outputs_[o], values[o], b, st));
          }
          ranked.emplace_back(std::move(rank), std::move(values));
        }
        std::stable_sort(ranked.begin(), ranked.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        if (failed) return Value::Null();
        if (hit_policy_ == HitPolicy::kPriority) return shape(std::move(ranked[0].second));
        std::vector<Value> out;
        out.reserve(ranked.size());
        for (auto& [rank, values] : ranked) out.push_back(shape(std::move(values)));
        return Value::List(std::move(out));
      }
      case HitPolicy::kRuleOrder:
      case HitPolicy::kCollect: {
        std::vector<Value> out;
        out.reserve(matched.size());
        for (size_t r : matched) out.push_back(shape(outputs_of(r)));
        if (failed) return Value::Null();
        if (hit_policy_ == HitPolicy::kRuleOrder || aggregation_ == Aggregation::kNone) {
          return Value::List(std::move(out));
        }
        return Aggregate(out, st);
      }
    }
    return Value::Null();
  }

  std::vector<Input> inputs_;
  std::vector<Output> outputs_;
  std::vector<Rule> rules_;
  HitPolicy hit_policy_ = HitPolicy::kUnique;
  Aggregation aggregation_ = Aggregation::kNone;

 private:
  // "…, decision table: 年龄 = 70, 残疾等级 = 3; rules matched: 1" (or "no rule matched").
  void Explain(const std::vector<Value>& in, const std::vector<size_t>& matched,
               const EvalState& st) const {
    std::string line = where_ + ":";
    for (size_t i = 0; i < inputs_.size(); ++i) {
      line += fmt::format("{} {} = {}", i == 0 ? "" : ",", inputs_[i].label, in[i].ToString());
    }
    line += matched.empty() ? "; no rule matched" : "; rules matched: " + RuleList(matched);
    st.Explain(std::move(line));
  }

  static std::string RuleList(const std::vector<size_t>& rules) {
    std::string s;
    for (size_t r : rules) s += (s.empty() ? "" : ", ") + std::to_string(r + 1);
    return s;
  }

  Value EvalCell(const Cell& cell, const feel::Bindings& b, EvalState& st) const {
    if (!cell.program) {
      if (!cell.error.empty()) st.Warn(cell.error);
      return Value::Null();
    }
    feel::Evaluation e = cell.program->Evaluate(b);
    Forward(e, st, where_);
    return std::move(e.value);
  }

  Value TestCell(const Cell& cell, const Value& input, const feel::Bindings& b,
                 EvalState& st) const {
    if (cell.any) return Value::Boolean(true);
    if (!cell.program) {
      if (!cell.error.empty()) st.Warn(cell.error);
      return Value::Null();
    }
    feel::Evaluation e = cell.program->Test(input, b);
    Forward(e, st, where_);
    return std::move(e.value);
  }

  size_t Priority(const Output& out, const Value& v, const feel::Bindings& b, EvalState& st) const {
    for (size_t k = 0; k < out.values.size(); ++k) {
      if (IsTrue(TestCell(out.values[k], v, b, st))) return k;
    }
    return out.values.size();
  }

  Value Defaults(const feel::Bindings& b, EvalState& st) const {
    bool any_default = false;
    std::vector<Value> values(outputs_.size());
    for (size_t o = 0; o < outputs_.size(); ++o) {
      if (!outputs_[o].default_value) continue;
      any_default = true;
      values[o] = Coerce(EvalCell(*outputs_[o].default_value, b, st), outputs_[o].type, st, where_);
    }
    if (!any_default) return Value::Null();
    if (outputs_.size() == 1) return values[0];
    std::vector<feel::ContextEntry> entries;
    for (size_t o = 0; o < outputs_.size(); ++o) {
      entries.push_back({outputs_[o].name, std::move(values[o])});
    }
    return Value::Context(std::move(entries));
  }

  Value Aggregate(const std::vector<Value>& values, EvalState& st) const {
    if (aggregation_ == Aggregation::kCount) {
      return Value::Number(static_cast<int64_t>(values.size()));
    }
    if (outputs_.size() != 1) {
      st.Warn(fmt::format("{}: an aggregation needs a single output", where_));
      return Value::Null();
    }
    if (aggregation_ == Aggregation::kSum) {
      feel::Decimal sum;
      for (const Value& v : values) {
        if (!v.is(Kind::kNumber)) {
          st.Warn(fmt::format("{}: SUM of {}, not a number", where_, v.ToString()));
          return Value::Null();
        }
        std::optional<feel::Decimal> next = sum.Add(v.number());
        if (!next) return Value::Null();
        sum = *next;
      }
      return Value::Number(sum);
    }
    Value best = values[0];
    for (size_t i = 1; i < values.size(); ++i) {
      std::optional<int> c = feel::Compare(values[i], best);
      if (!c) {
        st.Warn(fmt::format("{}: cannot compare {} and {}", where_, values[i].ToString(),
                            best.ToString()));
        return Value::Null();
      }
      if ((aggregation_ == Aggregation::kMin && *c < 0) ||
          (aggregation_ == Aggregation::kMax && *c > 0)) {
        best = values[i];
      }
    }
    if (!values[0].is_null() && !feel::Compare(best, best)) {
      st.Warn(fmt::format("{}: {} cannot be ordered", where_, best.ToString()));
      return Value::Null();
    }
    return best;
  }

  ScopeOverEnv scope_;
  std::string where_;
};

}  // namespace

// ---- Compiler -------------------------------------------------------------------------------

namespace {

class Compiler {
 public:
  explicit Compiler(Impl& impl) : impl_(impl) {}

  void Run() {
    for (const auto& defs : impl_.models.models) {
      auto info = std::make_unique<ModelInfo>();
      info->defs = defs.get();
      impl_.infos.push_back(std::move(info));
    }
    // Types first (two passes: shells, then contents, so types may refer to each other).
    for (auto& info : impl_.infos) {
      for (const ItemDefinition& item : info->defs->item_definitions) {
        auto t = std::make_shared<DmnType>();
        t->name = item.name;
        info->types[item.name] = t;
      }
    }
    for (auto& info : impl_.infos) {
      for (const ItemDefinition& item : info->defs->item_definitions) {
        FillType(*info->types[item.name], item, *info, 0);
      }
    }
    // Elements, indexed by (namespace, id).
    for (auto& info : impl_.infos) {
      const Definitions& defs = *info->defs;
      for (const InputData& in : defs.input_data) {
        Register(defs, in.id, ElementKind::kInput, impl_.inputs.size());
        impl_.inputs.push_back(
            {.input = &in, .model = info.get(), .type = ResolveType(in.type_ref, *info)});
      }
      for (const Decision& d : defs.decisions) {
        Register(defs, d.id, ElementKind::kDecision, impl_.decisions.size());
        CompiledDecision cd;
        cd.decision = &d;
        cd.model = info.get();
        cd.type = ResolveType(d.type_ref, *info);
        cd.where = fmt::format("decision '{}'", d.name);
        impl_.decisions.push_back(std::move(cd));
      }
      for (const BusinessKnowledgeModel& b : defs.knowledge_models) {
        Register(defs, b.id, ElementKind::kBkm, impl_.bkms.size());
        CompiledBkm cb;
        cb.bkm = &b;
        cb.model = info.get();
        cb.where = fmt::format("business knowledge model '{}'", b.name);
        impl_.bkms.push_back(std::move(cb));
      }
      for (const DecisionService& s : defs.decision_services) {
        Register(defs, s.id, ElementKind::kService, impl_.services.size());
        CompiledService cs;
        cs.service = &s;
        cs.model = info.get();
        cs.where = fmt::format("decision service '{}'", s.name);
        impl_.services.push_back(std::move(cs));
      }
    }
    for (CompiledService& s : impl_.services) CompileService(s);
    for (CompiledBkm& b : impl_.bkms) CompileBkm(b);
    for (CompiledDecision& d : impl_.decisions) CompileDecision(d);
  }

 private:
  void Register(const Definitions& defs, const std::string& id, ElementKind kind, size_t index) {
    impl_.by_key[{defs.namespace_uri, id}] = {kind, static_cast<int>(index)};
  }

  void Problem(std::string message) { impl_.problems.push_back(std::move(message)); }

  std::optional<ElementRef> Lookup(const Reference& ref, const ModelInfo& model) const {
    std::string ns = ref.namespace_uri.empty() ? model.defs->namespace_uri : ref.namespace_uri;
    auto it = impl_.by_key.find({ns, ref.id});
    if (it == impl_.by_key.end()) return std::nullopt;
    return it->second;
  }

  const ModelInfo* ModelOf(std::string_view namespace_uri) const {
    for (const auto& info : impl_.infos) {
      if (info->defs->namespace_uri == namespace_uri) return info.get();
    }
    return nullptr;
  }

  std::string ElementName(const ElementRef& ref) const {
    switch (ref.kind) {
      case ElementKind::kInput:
        return impl_.inputs[ref.index].input->name;
      case ElementKind::kDecision:
        return impl_.decisions[ref.index].decision->name;
      case ElementKind::kBkm:
        return impl_.bkms[ref.index].bkm->name;
      case ElementKind::kService:
        return impl_.services[ref.index].service->name;
    }
    return {};
  }

  // ---- types ----

  TypePtr ResolveType(const std::string& raw, const ModelInfo& model, int depth = 0) {
    std::string_view ref = Trim(raw);
    if (ref.empty() || ref == "Any" || depth > 16) return nullptr;
    if (auto it = model.types.find(ref); it != model.types.end()) return it->second;
    // `import.tType`
    for (const Import& import : model.defs->imports) {
      if (!import.name.empty() && ref.size() > import.name.size() + 1 &&
          ref.starts_with(import.name) && ref[import.name.size()] == '.') {
        const ModelInfo* other = ModelOf(import.namespace_uri);
        if (other != nullptr) {
          return ResolveType(std::string(ref.substr(import.name.size() + 1)), *other, depth + 1);
        }
      }
    }
    auto parsed = feel::Type::Parse(ref);
    if (!parsed.ok()) {
      Problem(fmt::format("{}: unknown type '{}'", model.defs->source, ref));
      return nullptr;
    }
    if (parsed->tag() == feel::Type::Tag::kAny) return nullptr;
    auto t = std::make_shared<DmnType>();
    t->name = std::string(ref);
    t->feel_type = *parsed;
    return t;
  }

  void FillType(DmnType& t, const ItemDefinition& item, const ModelInfo& model, int depth) {
    if (depth > 32) return;
    auto element = std::make_shared<DmnType>();
    element->name = item.name;
    if (!item.type_ref.empty()) element->alias = ResolveType(item.type_ref, model);
    if (!item.components.empty()) {
      element->structure = true;
      for (const ItemDefinition& c : item.components) {
        auto ct = std::make_shared<DmnType>();
        ct->name = c.name;
        FillType(*ct, c, model, depth + 1);
        element->fields.emplace_back(c.name, std::move(ct));
      }
    }
    if (item.function_item) element->function = true;
    if (!item.allowed_values.empty()) {
      element->allowed = CompileCheck(item.allowed_values, model, item.name);
    }
    if (item.is_collection) {
      t.collection = true;
      t.element = std::move(element);
    } else {
      t.alias = element->alias;
      t.structure = element->structure;
      t.fields = std::move(element->fields);
      t.function = element->function;
      t.allowed = std::move(element->allowed);
    }
    if (!item.type_constraint.empty()) {
      // A constraint on the whole value: wrap what we have so far.
      auto inner = std::make_shared<DmnType>(t);
      t = DmnType();
      t.name = item.name;
      t.alias = std::move(inner);
      t.allowed = CompileCheck(item.type_constraint, model, item.name);
    }
  }

  std::shared_ptr<const UnaryCheck> CompileCheck(const std::string& text, const ModelInfo& model,
                                                 const std::string& name) {
    auto check = std::make_shared<UnaryCheck>();
    check->text = text;
    auto program = feel::Compile(text, check->scope, feel::Mode::kUnaryTests);
    if (!program.ok()) {
      Problem(fmt::format("{}: allowed values of '{}': {}", model.defs->source, name,
                          program.error().message()));
      return nullptr;
    }
    check->program = std::move(*program);
    return check;
  }

  // ---- scopes of DRG elements ----

  // The visible names of an element with these requirements: the model's BKMs and decision
  // services first (so a knowledge requirement left out still works), then the requirements,
  // imported ones grouped under the import's name.
  std::vector<Visible> VisibleFor(const ModelInfo& model,
                                  const std::vector<const std::vector<Reference>*>& lists,
                                  std::string_view where) {
    std::vector<Visible> visible;
    for (const auto& [key, ref] : impl_.by_key) {
      if (key.first != model.defs->namespace_uri) continue;
      if (ref.kind != ElementKind::kBkm && ref.kind != ElementKind::kService) continue;
      visible.push_back({.name = ElementName(ref), .group = false, .element = ref, .members = {}});
    }
    std::map<std::string, size_t> groups;
    for (const auto* list : lists) {
      for (const Reference& r : *list) {
        std::optional<ElementRef> ref = Lookup(r, model);
        if (!ref) {
          Problem(fmt::format("{}: requires '{}{}{}', which is not in the model", where,
                              r.namespace_uri, r.namespace_uri.empty() ? "" : "#", r.id));
          continue;
        }
        std::string import_name;
        if (!r.namespace_uri.empty() && r.namespace_uri != model.defs->namespace_uri) {
          for (const Import& import : model.defs->imports) {
            if (import.namespace_uri == r.namespace_uri) import_name = import.name;
          }
        }
        if (import_name.empty()) {
          visible.push_back(
              {.name = ElementName(*ref), .group = false, .element = *ref, .members = {}});
          continue;
        }
        auto [it, inserted] = groups.try_emplace(import_name, visible.size());
        if (inserted) {
          visible.push_back({.name = import_name, .group = true, .element = {}, .members = {}});
        }
        visible[it->second].members.emplace_back(ElementName(*ref), *ref);
      }
    }
    return visible;
  }

  static Env EnvOf(const std::vector<Visible>& visible) {
    Env env;
    for (const Visible& v : visible) env.names.push_back(v.name);
    return env;
  }

  void CompileDecision(CompiledDecision& d) {
    const Decision& decision = *d.decision;
    d.visible = VisibleFor(
        *d.model,
        {&decision.required_inputs, &decision.required_decisions, &decision.required_knowledge},
        d.where);
    if (!decision.logic) return;
    Env env = EnvOf(d.visible);
    d.logic = CompileExpression(*decision.logic, env, *d.model, d.where);
  }

  void CompileBkm(CompiledBkm& b) {
    b.visible = VisibleFor(*b.model, {&b.bkm->required_knowledge}, b.where);
    if (!b.bkm->logic) return;
    const FunctionDefinition& f = *b.bkm->logic;
    if (f.kind != FunctionKind::kFeel) {
      b.refusal = fmt::format("{}: {} functions are not supported", b.where,
                              f.kind == FunctionKind::kJava ? "Java" : "PMML");
    }
    Env env = EnvOf(b.visible);
    for (const FormalParameter& p : f.parameters) {
      b.parameters.push_back({p.name, ResolveType(p.type_ref, *b.model)});
      env.names.push_back(p.name);
    }
    if (f.body && b.refusal.empty()) b.body = CompileExpression(*f.body, env, *b.model, b.where);
  }

  void CompileService(CompiledService& s) {
    auto decisions_of = [&](const std::vector<Reference>& refs, std::vector<int>& out) {
      for (const Reference& r : refs) {
        std::optional<ElementRef> ref = Lookup(r, *s.model);
        if (!ref || ref->kind != ElementKind::kDecision) {
          Problem(fmt::format("{}: '{}' is not a decision", s.where, r.id));
          continue;
        }
        out.push_back(ref->index);
      }
    };
    s.type = ResolveType(s.service->type_ref, *s.model);
    decisions_of(s.service->output_decisions, s.outputs);
    decisions_of(s.service->input_decisions, s.input_decisions);
    for (const Reference& r : s.service->input_data) {
      std::optional<ElementRef> ref = Lookup(r, *s.model);
      if (!ref || ref->kind != ElementKind::kInput) {
        Problem(fmt::format("{}: '{}' is not an input data", s.where, r.id));
        continue;
      }
      s.input_data.push_back(ref->index);
      s.parameters.push_back(impl_.inputs[ref->index].input->name);
    }
    for (int d : s.input_decisions) s.parameters.push_back(impl_.decisions[d].decision->name);
  }

  // ---- expressions ----

  NodePtr CompileText(std::string_view text, const Env& env, const std::string& where,
                      const ModelInfo* model = nullptr) {
    ScopeOverEnv over(env);
    if (model != nullptr) {
      for (const auto& [name, type] : model->types) {
        if (std::optional<feel::Type> t = type ? FeelTypeOf(*type) : std::nullopt) {
          over.scope.DeclareType(name, *t);
        }
      }
    }
    auto program = feel::Compile(text, over.scope);
    if (!program.ok()) {
      std::string message =
          fmt::format("{}: cannot compile `{}`: {}", where, text, program.error().message());
      Problem(message);
      return std::make_unique<ErrorNode>(std::move(message));
    }
    return std::make_unique<LiteralNode>(env, std::move(*program), where);
  }

  NodePtr CompileExpression(const Expression& e, Env& env, const ModelInfo& model,
                            const std::string& where) {
    if (++depth_ > 200) {
      --depth_;
      return std::make_unique<ErrorNode>(where + ": boxed expressions nested too deeply");
    }
    NodePtr node = CompileBody(e, env, model, where);
    --depth_;
    TypePtr type = ResolveType(e.type_ref, model);
    if (type) node = std::make_unique<CoerceNode>(std::move(node), std::move(type), where);
    return node;
  }

  NodePtr CompileOptional(const ExpressionPtr& e, Env& env, const ModelInfo& model,
                          const std::string& where) {
    if (!e) return std::make_unique<ErrorNode>(where + ": missing expression");
    return CompileExpression(*e, env, model, where);
  }

  NodePtr CompileBody(const Expression& e, Env& env, const ModelInfo& model,
                      const std::string& where) {
    if (const auto* lit = std::get_if<LiteralExpression>(&e.body)) {
      return CompileText(lit->text, env, where, &model);
    }
    if (const auto* table = std::get_if<DecisionTable>(&e.body)) {
      return CompileTable(*table, env, model, where);
    }
    if (const auto* context = std::get_if<Context>(&e.body)) {
      std::vector<ContextNode::Entry> entries;
      size_t base = env.names.size();
      for (const ContextEntry& ce : context->entries) {
        std::string entry_where =
            ce.name.empty() ? where : fmt::format("{}, entry '{}'", where, ce.name);
        NodePtr value;
        if (ce.value) value = CompileExpression(*ce.value, env, model, entry_where);
        if (TypePtr type = ResolveType(ce.type_ref, model); type && value) {
          value = std::make_unique<CoerceNode>(std::move(value), std::move(type), entry_where);
        }
        if (!ce.name.empty()) env.names.push_back(ce.name);
        entries.push_back({ce.name, std::move(value)});
      }
      env.names.resize(base);
      return std::make_unique<ContextNode>(std::move(entries));
    }
    if (const auto* list = std::get_if<List>(&e.body)) {
      std::vector<NodePtr> items;
      items.reserve(list->items.size());
      for (const ExpressionPtr& item : list->items) {
        items.push_back(CompileOptional(item, env, model, where));
      }
      return std::make_unique<ListNode>(std::move(items));
    }
    if (const auto* relation = std::get_if<Relation>(&e.body)) {
      std::vector<std::string> columns;
      std::vector<TypePtr> types;
      for (const RelationColumn& c : relation->columns) {
        columns.push_back(c.name);
        types.push_back(ResolveType(c.type_ref, model));
      }
      std::vector<std::vector<NodePtr>> rows;
      for (const auto& row : relation->rows) {
        std::vector<NodePtr> cells;
        for (size_t c = 0; c < row.size(); ++c) {
          NodePtr cell = CompileOptional(row[c], env, model, where);
          if (types[c]) cell = std::make_unique<CoerceNode>(std::move(cell), types[c], where);
          cells.push_back(std::move(cell));
        }
        rows.push_back(std::move(cells));
      }
      return std::make_unique<RelationNode>(std::move(columns), std::move(rows));
    }
    if (const auto* invocation = std::get_if<Invocation>(&e.body)) {
      NodePtr callee = CompileOptional(invocation->callee, env, model, where);
      std::vector<std::pair<std::string, NodePtr>> bindings;
      for (const Binding& b : invocation->bindings) {
        NodePtr value;
        if (b.value) value = CompileExpression(*b.value, env, model, where);
        bindings.emplace_back(b.parameter, std::move(value));
      }
      return std::make_unique<InvocationNode>(std::move(callee), std::move(bindings), where);
    }
    if (const auto* function = std::get_if<FunctionDefinition>(&e.body)) {
      std::string refusal;
      if (function->kind != FunctionKind::kFeel) {
        refusal = fmt::format("{}: {} functions are not supported", where,
                              function->kind == FunctionKind::kJava ? "Java" : "PMML");
      }
      std::vector<Parameter> parameters;
      size_t base = env.names.size();
      for (const FormalParameter& p : function->parameters) {
        parameters.push_back({p.name, ResolveType(p.type_ref, model)});
        env.names.push_back(p.name);
      }
      NodePtr body;
      if (function->body && refusal.empty()) {
        body = CompileExpression(*function->body, env, model, where);
      }
      env.names.resize(base);
      return std::make_unique<FunctionNode>(std::move(parameters), std::move(body),
                                            std::move(refusal), where);
    }
    if (const auto* c = std::get_if<Conditional>(&e.body)) {
      return std::make_unique<ConditionalNode>(
          CompileOptional(c->if_expression, env, model, where),
          CompileOptional(c->then_expression, env, model, where),
          CompileOptional(c->else_expression, env, model, where));
    }
    if (const auto* it = std::get_if<Iterator>(&e.body)) {
      NodePtr in = CompileOptional(it->in, env, model, where);
      env.names.push_back(it->variable);
      NodePtr body = CompileOptional(it->body, env, model, where);
      env.names.pop_back();
      return std::make_unique<IteratorNode>(it->kind, std::move(in), std::move(body), where);
    }
    if (const auto* f = std::get_if<Filter>(&e.body)) {
      NodePtr in = CompileOptional(f->in, env, model, where);
      env.names.emplace_back("item");
      NodePtr match = CompileOptional(f->match, env, model, where);
      env.names.pop_back();
      return std::make_unique<FilterNode>(std::move(in), std::move(match), where);
    }
    return std::make_unique<ErrorNode>(where + ": unsupported expression");
  }

  TableNode::Cell CompileCell(std::string_view text, const feel::Scope& scope, feel::Mode mode,
                              const std::string& where, bool blank_matches) {
    TableNode::Cell cell;
    std::string_view t = Trim(text);
    if (mode == feel::Mode::kUnaryTests && (t == "-" || (t.empty() && blank_matches))) {
      cell.any = true;
      return cell;
    }
    if (t.empty()) return cell;  // null
    auto program = feel::Compile(t, scope, mode);
    if (!program.ok()) {
      cell.error = fmt::format("{}: cannot compile `{}`: {}", where, t, program.error().message());
      Problem(cell.error);
      return cell;
    }
    cell.program = std::move(*program);
    return cell;
  }

  NodePtr CompileTable(const DecisionTable& table, const Env& env, const ModelInfo& model,
                       const std::string& where) {
    std::string table_where = where + ", decision table";
    auto node = std::make_unique<TableNode>(env, table_where);
    const feel::Scope& scope = node->scope();
    node->hit_policy_ = table.hit_policy;
    node->aggregation_ = table.aggregation;
    for (size_t i = 0; i < table.inputs.size(); ++i) {
      const DecisionTableInput& in = table.inputs[i];
      TableNode::Input input;
      input.label = in.label.empty() ? in.expression : in.label;
      input.expression = CompileCell(in.expression, scope, feel::Mode::kExpression,
                                     fmt::format("{}, input {}", table_where, i + 1), false);
      if (!Trim(in.input_values).empty()) {
        input.values = CompileCell(in.input_values, scope, feel::Mode::kUnaryTests,
                                   fmt::format("{}, input values {}", table_where, i + 1), true);
      }
      node->inputs_.push_back(std::move(input));
    }
    for (size_t o = 0; o < table.outputs.size(); ++o) {
      const DecisionTableOutput& out = table.outputs[o];
      TableNode::Output output;
      output.name = out.name;
      output.type = ResolveType(out.type_ref, model);
      std::string ow = fmt::format("{}, output {}", table_where, o + 1);
      if (!Trim(out.output_values).empty()) {
        output.all_values =
            CompileCell(out.output_values, scope, feel::Mode::kUnaryTests, ow, true);
        for (const std::string& piece : SplitUnaryTests(out.output_values)) {
          output.values.push_back(CompileCell(piece, scope, feel::Mode::kUnaryTests, ow, true));
        }
      }
      if (!Trim(out.default_output).empty()) {
        output.default_value =
            CompileCell(out.default_output, scope, feel::Mode::kExpression, ow, false);
      }
      node->outputs_.push_back(std::move(output));
    }
    for (size_t r = 0; r < table.rules.size(); ++r) {
      const DecisionRule& rule = table.rules[r];
      TableNode::Rule compiled;
      std::string rw = fmt::format("{}, rule {}", table_where, r + 1);
      for (const std::string& text : rule.input_entries) {
        compiled.inputs.push_back(CompileCell(text, scope, feel::Mode::kUnaryTests, rw, true));
      }
      for (const std::string& text : rule.output_entries) {
        compiled.outputs.push_back(CompileCell(text, scope, feel::Mode::kExpression, rw, false));
      }
      node->rules_.push_back(std::move(compiled));
    }
    return node;
  }

  Impl& impl_;
  int depth_ = 0;
};

}  // namespace

// ---- Public API -----------------------------------------------------------------------------

DecisionModel::DecisionModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DecisionModel::~DecisionModel() = default;

Result<std::shared_ptr<const DecisionModel>> DecisionModel::Build(ModelSet models) {
  if (models.models.empty()) return Error(ErrorCode::kInvalidArgument, "no model");
  auto impl = std::make_unique<Impl>();
  impl->models = std::move(models);
  Compiler(*impl).Run();
  return std::shared_ptr<const DecisionModel>(std::make_shared<DecisionModel>(std::move(impl)));
}

const std::vector<std::string>& DecisionModel::problems() const { return impl_->problems; }
const ModelSet& DecisionModel::models() const { return impl_->models; }

namespace {

// Fills a request's inputs: by namespace and name, else by name alone.
void SetInputs(const Impl& impl, Request& req, std::span<const InputValue> inputs, EvalState& st) {
  const std::string& main_ns = impl.models.main().namespace_uri;
  for (size_t i = 0; i < impl.inputs.size(); ++i) {
    const CompiledInput& in = impl.inputs[i];
    const std::string& ns = in.model->defs->namespace_uri;
    const InputValue* found = nullptr;
    for (const InputValue& v : inputs) {
      if (v.name != in.input->name) continue;
      if (v.namespace_uri == ns || (v.namespace_uri.empty() && ns == main_ns)) {
        found = &v;
        break;
      }
      if (v.namespace_uri.empty() && found == nullptr) found = &v;
    }
    if (found != nullptr) {
      req.inputs[i] =
          Coerce(found->value, in.type, st, fmt::format("input data '{}'", in.input->name));
    }
  }
}

std::optional<int> FindDecision(const Impl& impl, std::string_view name) {
  const Definitions& main = impl.models.main();
  std::optional<int> by_id;
  for (size_t i = 0; i < impl.decisions.size(); ++i) {
    const CompiledDecision& d = impl.decisions[i];
    if (d.model->defs != &main) continue;
    if (d.decision->name == name) return static_cast<int>(i);
    if (d.decision->id == name) by_id = static_cast<int>(i);
  }
  return by_id;
}

}  // namespace

Result<std::vector<Outcome>> DecisionModel::EvaluateDecisions(std::span<const std::string> names,
                                                              std::span<const InputValue> inputs,
                                                              EvaluateOptions options) const {
  std::vector<int> indexes;
  for (const std::string& name : names) {
    std::optional<int> index = FindDecision(*impl_, name);
    if (!index) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("{}: no decision '{}'", impl_->models.main().source, name));
    }
    indexes.push_back(*index);
  }
  Request req(impl_.get());
  std::vector<std::string> input_warnings;
  EvalState input_state{.warnings = &input_warnings, .depth = 0};
  SetInputs(*impl_, req, inputs, input_state);
  std::vector<Outcome> out;
  for (int index : indexes) {
    Outcome o;
    o.warnings = input_warnings;
    EvalState st{.warnings = &o.warnings,
                 .depth = 0,
                 .explanation = options.explain ? &o.explanation : nullptr};
    o.value = EvaluateDecisionAt(index, req, st);
    out.push_back(std::move(o));
  }
  return out;
}

Result<Outcome> DecisionModel::EvaluateDecision(std::string_view name,
                                                std::span<const InputValue> inputs,
                                                EvaluateOptions options) const {
  std::string n(name);
  TB_ASSIGN_OR_RETURN(auto outcomes, EvaluateDecisions(std::span(&n, 1), inputs, options));
  return std::move(outcomes[0]);
}

namespace {

// A JSON string as the temporal value its declared type asks for.
Value FromJsonString(Value v, const DmnType* type, int depth = 0) {
  while (type != nullptr && !type->feel_type && type->alias && !type->collection && depth < 16) {
    type = type->alias.get();
    ++depth;
  }
  if (type == nullptr || depth >= 16) return v;
  if (type->collection && v.is(Kind::kList)) {
    std::vector<Value> items;
    for (const Value& item : v.list()) {
      items.push_back(FromJsonString(item, type->element.get(), depth + 1));
    }
    return Value::List(std::move(items));
  }
  if (!type->feel_type || !v.is(Kind::kString)) return v;
  const std::string& text = v.string();
  switch (type->feel_type->tag()) {
    case feel::Type::Tag::kDate:
      if (auto d = feel::Date::Parse(text)) return Value::FromDate(*d);
      break;
    case feel::Type::Tag::kTime:
      if (auto t = feel::Time::Parse(text)) return Value::FromTime(*t);
      break;
    case feel::Type::Tag::kDateTime:
      if (auto dt = feel::DateTime::Parse(text)) return Value::FromDateTime(*dt);
      break;
    case feel::Type::Tag::kDaysTimeDuration:
      if (auto d = feel::DaysTimeDuration::Parse(text)) return Value::FromDuration(*d);
      break;
    case feel::Type::Tag::kYearsMonthsDuration:
      if (auto d = feel::YearsMonthsDuration::Parse(text)) return Value::FromDuration(*d);
      break;
    default:
      break;
  }
  return v;
}

}  // namespace

std::vector<InputValue> DecisionModel::InputsFromContext(const Value& context) const {
  std::vector<InputValue> out;
  if (!context.is(Kind::kContext)) return out;
  const Definitions* main = &impl_->models.main();
  for (const feel::ContextEntry& entry : context.context()) {
    const DmnType* type = nullptr;
    for (const CompiledInput& in : impl_->inputs) {
      if (in.model->defs == main && in.input->name == entry.name) type = in.type.get();
    }
    out.push_back(
        {.namespace_uri = "", .name = entry.name, .value = FromJsonString(entry.value, type)});
  }
  return out;
}

namespace {

// Arranges arguments given by name in the order of `parameters`; unknown names are errors.
Result<std::vector<Value>> ArgumentsByName(const std::vector<std::string>& parameters,
                                           std::span<const InputValue> arguments,
                                           std::string_view where) {
  std::vector<Value> args(parameters.size());
  for (const InputValue& a : arguments) {
    size_t i = 0;
    while (i < parameters.size() && parameters[i] != a.name) ++i;
    if (i == parameters.size()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("{} has no parameter '{}'", where, a.name));
    }
    args[i] = a.value;
  }
  return args;
}

}  // namespace

Result<Outcome> DecisionModel::InvokeDecisionService(std::string_view name,
                                                     std::span<const InputValue> arguments) const {
  for (size_t i = 0; i < impl_->services.size(); ++i) {
    const CompiledService& s = impl_->services[i];
    if (s.service->name != name && s.service->id != name) continue;
    TB_ASSIGN_OR_RETURN(auto args, ArgumentsByName(s.parameters, arguments, s.where));
    Outcome o;
    EvalState st{.warnings = &o.warnings, .depth = 0};
    o.value = InvokeService(impl_.get(), static_cast<int>(i), args, st,
                            /*strict_arguments=*/false);
    return o;
  }
  return Error(ErrorCode::kNotFound, fmt::format("no decision service '{}'", name));
}

Result<Outcome> DecisionModel::InvokeKnowledgeModel(std::string_view name,
                                                    std::span<const InputValue> arguments) const {
  for (size_t i = 0; i < impl_->bkms.size(); ++i) {
    const CompiledBkm& b = impl_->bkms[i];
    if (b.bkm->name != name && b.bkm->id != name) continue;
    std::vector<std::string> names;
    names.reserve(b.parameters.size());
    for (const Parameter& p : b.parameters) names.push_back(p.name);
    TB_ASSIGN_OR_RETURN(auto args, ArgumentsByName(names, arguments, b.where));
    Outcome o;
    EvalState st{.warnings = &o.warnings, .depth = 0};
    Value f = Value::FromFunction(std::make_shared<BkmFunction>(impl_.get(), static_cast<int>(i)));
    o.value = CallFunction(f, args, st, b.where);
    return o;
  }
  return Error(ErrorCode::kNotFound, fmt::format("no business knowledge model '{}'", name));
}

}  // namespace tongban::dmn
