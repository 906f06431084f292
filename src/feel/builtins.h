// The registry of built-in functions: what a FEEL name such as `string length` calls. The
// compiler resolves names against it (longest match, names with spaces), checks arities, and
// binds each call to its C++ function once, so evaluation does no lookup.
//
// Groups of built-ins live in builtins_*.cc files, each defining one `RegisterXxxBuiltins`
// listed in builtin_groups.def (add a line there when you add a group): a static library drops
// self-registering objects nobody references, so registration is explicit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feel/value.h"

namespace tongban::feel {

// A built-in's body: the arguments in parameter order (omitted optional ones are absent:
// args.size() may be less than parameters.size(); with `variadic`, the extra ones follow).
// Errors: return Value::Null() after ctx.Warn("<name>: why"). Must not throw.
using BuiltinFunction = std::function<Value(std::span<const Value> args, CallContext& ctx)>;

struct Builtin {
  std::string name;                     // "string length"
  std::vector<std::string> parameters;  // {"string"}: names for named invocation
  size_t required = 0;                  // parameters that must be given
  bool variadic = false;                // the last parameter repeats (`sum(1, 2, 3)`)
  BuiltinFunction body;
  // Set by Registry::Add from the parameter names: bit i when parameter i takes a list
  // (`list`, `entries`, `contexts`) or a string (`string`), for CoerceArguments.
  uint32_t list_parameters = 0;
  uint32_t string_parameters = 0;
};

// DMN 1.5 §10.3.2.9.4 conversions of arguments, applied before a built-in's body runs: a
// value given for a list parameter becomes a singleton list (`string join("a")`), and a
// singleton list given for a string parameter becomes its element (`upper case(["bob"])`).
void CoerceArguments(const Builtin& builtin, std::span<Value> args);

// Names to built-ins. One name may have several overloads told apart by arity (`substring` with
// 2 or 3 arguments is one entry with required = 2; `date(text)` and `date(y, m, d)` are two
// entries). Not thread-safe to modify; read concurrently once built.
class Registry {
 public:
  // Adds or replaces the overload with the same name and parameter list.
  void Add(Builtin builtin);
  // All overloads of `name`, or nullptr.
  const std::vector<std::shared_ptr<const Builtin>>* Find(std::string_view name) const;
  // The overload taking `count` positional arguments, or nullptr.
  const Builtin* FindByArity(std::string_view name, size_t count) const;
  // The overload whose parameter names include all of `names` (named invocation), or nullptr.
  const Builtin* FindByNames(std::string_view name, std::span<const std::string> names) const;
  // Every name, for the resolution of names with spaces and for "did you mean".
  std::vector<std::string> Names() const;

  // The DMN 1.5 built-ins plus the core ones. Built once, never modified afterwards.
  static const Registry& Standard();

 private:
  std::unordered_map<std::string, std::vector<std::shared_ptr<const Builtin>>> by_name_;
};

// A Value of kind function calling `builtin` (when a built-in is passed as an argument, e.g.
// `sort(l, precedes)`, or named as a value).
Value BuiltinValue(std::shared_ptr<const Builtin> builtin);

// Groups of built-ins (one per builtin_groups.def line).
#define TONGBAN_FEEL_BUILTIN_GROUP(group) void Register##group##Builtins(Registry& registry);
#include "feel/builtin_groups.def"
#undef TONGBAN_FEEL_BUILTIN_GROUP

// Shared helpers for builtin bodies.
// The argument `i`, or null when omitted.
inline const Value& Arg(std::span<const Value> args, size_t i) {
  static const Value kNull = Value::Null();
  return i < args.size() ? args[i] : kNull;
}

}  // namespace tongban::feel
