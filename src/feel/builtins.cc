// The built-in registry and the core built-ins the language itself needs (`not`, `count`,
// `sum`, `string length`, `starts with`, ...); the other DMN 1.5 groups are in builtins_*.cc.
#include "feel/builtins.h"

#include <algorithm>

namespace tongban::feel {
namespace {

class BuiltinFunctionValue : public Function {
 public:
  explicit BuiltinFunctionValue(std::shared_ptr<const Builtin> b) : b_(std::move(b)) {}
  const std::vector<std::string>& parameters() const override { return b_->parameters; }
  size_t required() const override { return b_->required; }
  bool variadic() const override { return b_->variadic; }
  Value Call(std::span<const Value> args, CallContext& ctx) const override {
    if (args.size() < b_->required || (!b_->variadic && args.size() > b_->parameters.size())) {
      ctx.Warn(b_->name + ": wrong number of arguments (" + std::to_string(args.size()) + ")");
      return {};
    }
    if ((b_->list_parameters | b_->string_parameters) != 0) {
      std::vector<Value> coerced(args.begin(), args.end());
      CoerceArguments(*b_, coerced);
      return b_->body(coerced, ctx);
    }
    return b_->body(args, ctx);
  }
  std::string_view name() const override { return b_->name; }

 private:
  std::shared_ptr<const Builtin> b_;
};

}  // namespace

void CoerceArguments(const Builtin& builtin, std::span<Value> args) {
  const size_t n = std::min<size_t>(args.size(), 32);
  for (size_t i = 0; i < n; ++i) {
    Value& a = args[i];
    if ((builtin.list_parameters >> i & 1U) != 0 && !a.is_null() && !a.is(Kind::kList)) {
      a = Value::List({a});
    } else if ((builtin.string_parameters >> i & 1U) != 0 && a.is(Kind::kList) &&
               a.list().size() == 1) {
      a = Value(a.list()[0]);
    }
  }
}

void Registry::Add(Builtin builtin) {
  if (!builtin.variadic) {
    for (size_t i = 0; i < builtin.parameters.size() && i < 32; ++i) {
      const std::string& p = builtin.parameters[i];
      if (p == "list" || p == "entries" || p == "contexts") builtin.list_parameters |= 1U << i;
      if (p == "string") builtin.string_parameters |= 1U << i;
    }
  }
  auto& overloads = by_name_[builtin.name];
  auto b = std::make_shared<const Builtin>(std::move(builtin));
  for (auto& o : overloads) {
    if (o->parameters == b->parameters) {
      o = b;
      return;
    }
  }
  overloads.push_back(std::move(b));
}

const std::vector<std::shared_ptr<const Builtin>>* Registry::Find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : &it->second;
}

const Builtin* Registry::FindByArity(std::string_view name, size_t count) const {
  const auto* overloads = Find(name);
  if (overloads == nullptr) return nullptr;
  for (const auto& b : *overloads) {
    if (count >= b->required && (b->variadic || count <= b->parameters.size())) return b.get();
  }
  return nullptr;
}

const Builtin* Registry::FindByNames(std::string_view name,
                                     std::span<const std::string> names) const {
  const auto* overloads = Find(name);
  if (overloads == nullptr) return nullptr;
  for (const auto& b : *overloads) {
    bool all = true;
    for (const std::string& n : names) {
      if (std::find(b->parameters.begin(), b->parameters.end(), n) == b->parameters.end()) {
        all = false;
      }
    }
    if (all) return b.get();
  }
  return nullptr;
}

std::vector<std::string> Registry::Names() const {
  std::vector<std::string> out;
  out.reserve(by_name_.size());
  for (const auto& [name, overloads] : by_name_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

const Registry& Registry::Standard() {
  static const Registry* registry = [] {
    auto* r = new Registry();
#define TONGBAN_FEEL_BUILTIN_GROUP(group) Register##group##Builtins(*r);
#include "feel/builtin_groups.def"
#undef TONGBAN_FEEL_BUILTIN_GROUP
    return r;
  }();
  return *registry;
}

Value BuiltinValue(std::shared_ptr<const Builtin> builtin) {
  return Value::FromFunction(std::make_shared<BuiltinFunctionValue>(std::move(builtin)));
}

}  // namespace tongban::feel
