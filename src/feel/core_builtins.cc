// Core built-ins (DMN 1.5 §10.3.4): the boolean `not`, the list functions rules use most, and
// the string functions on code points. Registered as the group "Core".
#include <algorithm>

#include "base/utf8.h"
#include "feel/builtins.h"

namespace tongban::feel {
namespace {

// A list argument, or the variadic arguments themselves (`sum(1, 2)` = `sum([1, 2])`).
std::span<const Value> Items(std::span<const Value> args) {
  if (args.size() == 1 && args[0].is(Kind::kList)) return args[0].list();
  return args;
}

Value Not(std::span<const Value> args, CallContext& /*ctx*/) {
  if (!args[0].is(Kind::kBoolean)) return {};
  return Value::Boolean(!args[0].boolean());
}

Value Count(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) {
    ctx.Warn("count: the argument is not a list");
    return {};
  }
  return Value::Number(static_cast<int64_t>(args[0].list().size()));
}

Value Sum(std::span<const Value> args, CallContext& ctx) {
  std::span<const Value> items = Items(args);
  if (items.empty()) return {};
  Decimal total = Decimal::FromInt64(0);
  for (const Value& v : items) {
    if (!v.is(Kind::kNumber)) {
      ctx.Warn("sum: " + v.ToString() + " is not a number");
      return {};
    }
    std::optional<Decimal> t = total.Add(v.number());
    if (!t) {
      ctx.Warn("sum: overflow");
      return {};
    }
    total = *t;
  }
  return Value::Number(total);
}

Value MinMax(std::span<const Value> args, CallContext& ctx, int want, const char* name) {
  std::span<const Value> items = Items(args);
  if (items.empty()) return {};
  const Value* best = &items[0];
  for (const Value& v : items) {
    std::optional<int> c = Compare(v, *best);
    if (!c) {
      ctx.Warn(std::string(name) + ": the items cannot be compared");
      return {};
    }
    if (*c == want) best = &v;
  }
  return *best;
}

Value StringLength(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kString)) {
    ctx.Warn("string length: the argument is not a string");
    return {};
  }
  return Value::Number(static_cast<int64_t>(utf8::CodePointCount(args[0].string())));
}

Value StartsWith(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kString) || !args[1].is(Kind::kString)) {
    if (!args[0].is_null() && !args[1].is_null()) ctx.Warn("starts with: expects two strings");
    return {};
  }
  return Value::Boolean(args[0].string().starts_with(args[1].string()));
}

Value EndsWith(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kString) || !args[1].is(Kind::kString)) {
    if (!args[0].is_null() && !args[1].is_null()) ctx.Warn("ends with: expects two strings");
    return {};
  }
  return Value::Boolean(args[0].string().ends_with(args[1].string()));
}

Value Contains(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kString) || !args[1].is(Kind::kString)) {
    if (!args[0].is_null() && !args[1].is_null()) ctx.Warn("contains: expects two strings");
    return {};
  }
  return Value::Boolean(args[0].string().find(args[1].string()) != std::string::npos);
}

// Byte offsets of each code point of `s`, plus s.size() at the end.
std::vector<size_t> CodePointOffsets(const std::string& s) {
  std::vector<size_t> out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!utf8::IsContinuation(s[i])) out.push_back(i);
  }
  out.push_back(s.size());
  return out;
}

Value Substring(std::span<const Value> args, CallContext& ctx) {
  const Value& s = args[0];
  const Value& start = args[1];
  const Value& length = Arg(args, 2);
  if (!s.is(Kind::kString) || !start.is(Kind::kNumber) ||
      (args.size() > 2 && !length.is(Kind::kNumber))) {
    ctx.Warn("substring: expects a string and numbers");
    return {};
  }
  std::vector<size_t> offsets = CodePointOffsets(s.string());
  const auto n = static_cast<int64_t>(offsets.size() - 1);
  std::optional<int64_t> st = start.number().Floor()->ToInt64();
  if (!st || *st == 0 || *st > n || *st < -n) {
    ctx.Warn("substring: start position out of range");
    return {};
  }
  int64_t from = *st > 0 ? *st - 1 : n + *st;
  int64_t count = n - from;
  if (args.size() > 2) {
    std::optional<int64_t> l = length.number().Floor()->ToInt64();
    if (!l || *l < 0) {
      ctx.Warn("substring: negative length");
      return {};
    }
    count = std::min(count, *l);
  }
  return Value::String(s.string().substr(offsets[from], offsets[from + count] - offsets[from]));
}

Value ListContains(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) {
    ctx.Warn("list contains: the first argument is not a list");
    return {};
  }
  for (const Value& v : args[0].list()) {
    std::optional<bool> e = Equal(v, args[1]);
    if (e && *e) return Value::Boolean(true);
  }
  return Value::Boolean(false);
}

Value Append(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) {
    ctx.Warn("append: the first argument is not a list");
    return {};
  }
  std::vector<Value> out = args[0].list();
  for (size_t i = 1; i < args.size(); ++i) out.push_back(args[i]);
  return Value::List(std::move(out));
}

Value Flatten(const Value& v, std::vector<Value>* out, int depth) {
  if (depth > 200) return {};
  for (const Value& item : v.list()) {
    if (item.is(Kind::kList)) {
      Flatten(item, out, depth + 1);
    } else {
      out->push_back(item);
    }
  }
  return {};
}

Value FlattenFn(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) {
    ctx.Warn("flatten: the argument is not a list");
    return {};
  }
  std::vector<Value> out;
  Flatten(args[0], &out, 0);
  return Value::List(std::move(out));
}

}  // namespace

void RegisterCoreBuiltins(Registry& r) {
  r.Add({"not", {"negand"}, 1, false, Not});
  r.Add({"count", {"list"}, 1, false, Count});
  r.Add({"sum", {"list"}, 1, true, Sum});
  r.Add({"min", {"list"}, 1, true, [](std::span<const Value> a, CallContext& c) {
           return MinMax(a, c, -1, "min");
         }});
  r.Add({"max", {"list"}, 1, true, [](std::span<const Value> a, CallContext& c) {
           return MinMax(a, c, 1, "max");
         }});
  r.Add({"string length", {"string"}, 1, false, StringLength});
  r.Add({"starts with", {"string", "match"}, 2, false, StartsWith});
  r.Add({"ends with", {"string", "match"}, 2, false, EndsWith});
  r.Add({"contains", {"string", "match"}, 2, false, Contains});
  r.Add({"substring", {"string", "start position", "length"}, 2, false, Substring});
  r.Add({"list contains", {"list", "element"}, 2, false, ListContains});
  r.Add({"append", {"list", "item"}, 1, true, Append});
  r.Add({"flatten", {"list"}, 1, false, FlattenFn});
}

}  // namespace tongban::feel
