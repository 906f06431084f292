// The FEEL engine's entry point: compile a text once against a Scope of names, evaluate the
// Program many times against Bindings of those names (slots, not string lookups).
//
//   feel::Scope scope;
//   int age = scope.Declare("age", feel::Type::Number());
//   TB_ASSIGN_OR_RETURN(feel::Program rule, feel::Compile("age >= 18", scope));
//   feel::Bindings b(scope);
//   b.Set(age, feel::Value::Number(20));
//   feel::Evaluation e = rule.Evaluate(b);   // e.value is true
//
// Errors in the text are compile errors with line and column; errors while evaluating are a
// null result plus warnings, never an exception.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "feel/builtins.h"
#include "feel/type.h"
#include "feel/value.h"

namespace tongban::feel {

// A problem in the text; line and column are 1-based, the column counts code points.
struct Diagnostic {
  int line = 1;
  int column = 1;
  std::string message;
};

// Limits that keep any input from exhausting memory or the stack.
struct Limits {
  size_t max_text_bytes = 256 * 1024;
  int max_nesting = 120;              // parenthesised / nested expressions in the text
  int max_eval_depth = 600;           // evaluation frames, including calls of FEEL functions
  size_t max_list_size = 10'000'000;  // e.g. `for i in 1..1e9 return i`
  // Work per evaluation (nodes evaluated, list items copied): bounds nested loops such as
  // `every a in 1..1e6, b in 1..1e6 satisfies ...`. Exhausted: null plus a warning.
  int64_t max_steps = 100'000'000;
};

// Compile-time names: variables (each bound to a slot) and extra functions (platform
// functions such as `add working days`). Names may contain spaces and other characters.
class Scope {
 public:
  Scope() = default;
  // Declares `name` (or returns its existing slot) of type `type`.
  int Declare(std::string name, Type type = Type::Any());
  // Registers a function visible in this scope only (it shadows a standard built-in).
  void AddFunction(Builtin builtin);
  // Declares a named type for `instance of` (a DMN item definition: `x instance of tPerson`,
  // `list<tPerson>`); a later declaration of the same name replaces it.
  void DeclareType(std::string name, Type type);
  // The type declared as `name`, or nullptr.
  const Type* FindType(std::string_view name) const;

  int size() const { return static_cast<int>(names_.size()); }
  // The slot of `name`, or -1.
  int Find(std::string_view name) const;
  const std::string& name(int slot) const { return names_[slot]; }
  const Type& type(int slot) const { return types_[slot]; }
  const Registry& functions() const { return functions_; }

 private:
  std::vector<std::string> names_;
  std::vector<Type> types_;
  std::vector<std::pair<std::string, Type>> named_types_;
  Registry functions_;
};

// Values of a Scope's names for one evaluation. Unset slots are null.
class Bindings {
 public:
  explicit Bindings(const Scope& scope) : values_(scope.size()) {}
  // Precondition: slot was returned by Declare on the scope given to the constructor.
  void Set(int slot, Value v) { values_[slot] = std::move(v); }
  const Value& Get(int slot) const { return values_[slot]; }
  size_t size() const { return values_.size(); }

 private:
  std::vector<Value> values_;
};

struct EvalOptions {
  bool trace = false;
};

// One sub-expression as evaluated: its text and position in the rule, and its value.
struct TraceStep {
  int begin = 0;  // byte offsets into the rule's text
  int end = 0;
  int depth = 0;  // nesting: a step's children follow it with depth + 1
  std::string text;
  Value value;
};

struct Evaluation {
  Value value;
  std::vector<std::string> warnings;
  std::vector<TraceStep> trace;  // filled when EvalOptions::trace
};

enum class Mode {
  kExpression,  // a FEEL expression
  kUnaryTests,  // a decision-table input entry: `< 10`, `[18..60]`, `"A","B"`, `not(1)`, `-`
};

// A compiled text. Immutable, cheap to copy, thread-safe to evaluate concurrently.
class Program {
 public:
  struct Impl;
  explicit Program(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

  Evaluation Evaluate(const Bindings& bindings, EvalOptions options = {}) const;
  // Unary tests: whether `input` passes (true/false, or null when it cannot be decided).
  // In expression mode, `input` is available as `?` too.
  Evaluation Test(const Value& input, const Bindings& bindings, EvalOptions options = {}) const;
  // The same without the warnings and trace vectors, for hot loops: returns the value only.
  Value EvaluateFast(const Bindings& bindings) const;
  Value TestFast(const Value& input, const Bindings& bindings) const;

  const std::string& text() const;
  Mode mode() const;

 private:
  std::shared_ptr<const Impl> impl_;
};

// Compiles `text`. Errors: kInvalidArgument whose message is the first problem and whose
// fields are every Diagnostic ("line:column" -> message). Never throws on any input.
Result<Program> Compile(std::string_view text, const Scope& scope, Mode mode = Mode::kExpression,
                        const Limits& limits = {});
// Every problem of `text` (empty when it compiles).
std::vector<Diagnostic> Check(std::string_view text, const Scope& scope,
                              Mode mode = Mode::kExpression, const Limits& limits = {});
// The Diagnostics carried by an error returned from Compile.
std::vector<Diagnostic> DiagnosticsOf(const Error& error);

}  // namespace tongban::feel
