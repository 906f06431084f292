// List built-ins (DMN 1.5 §10.3.4.4) beyond the core ones: all, any, sublist, concatenate,
// insert before, remove, reverse, index of, union, distinct values, product, mean, median,
// stddev, mode, sort, list replace. Registered as the group "List".
#include <algorithm>

#include "feel/builtins_util.h"

namespace tongban::feel {
namespace {

using builtins::Fail;
using builtins::Integer;
using builtins::Items;

// A 1-based position (negative counts from the end) to an index in [0, size), or nullopt.
std::optional<size_t> Index(const Value& position, size_t size) {
  std::optional<int64_t> p = Integer(position);
  if (!p || *p == 0) return std::nullopt;
  const auto n = static_cast<int64_t>(size);
  int64_t i = *p > 0 ? *p - 1 : n + *p;
  if (i < 0 || i >= n) return std::nullopt;
  return static_cast<size_t>(i);
}

// all/any: three-valued over booleans; a non-boolean item makes the result null.
BuiltinFunction Quantifier(std::string name, bool all) {
  return [name = std::move(name), all](std::span<const Value> args, CallContext& ctx) -> Value {
    if (args.size() == 1 && !args[0].is(Kind::kList) && !args[0].is(Kind::kBoolean)) {
      return Fail(ctx, name, "list is not a list");
    }
    bool saw_null = false;
    for (const Value& v : Items(args)) {
      if (v.is(Kind::kBoolean)) {
        if (v.boolean() != all) return Value::Boolean(!all);
      } else if (v.is_null()) {
        saw_null = true;
      } else {
        return Fail(ctx, name, "an item is not a boolean");
      }
    }
    if (saw_null) return {};
    return Value::Boolean(all);
  };
}

Value Sublist(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) return Fail(ctx, "sublist", "list is not a list");
  const std::vector<Value>& list = args[0].list();
  std::optional<size_t> start = Index(args[1], list.size());
  if (!start) return Fail(ctx, "sublist", "start position is out of range");
  size_t end = list.size();
  if (args.size() > 2 && !args[2].is_null()) {
    std::optional<int64_t> length = Integer(args[2]);
    if (!length || *length < 0 || static_cast<uint64_t>(*length) > list.size() - *start) {
      return Fail(ctx, "sublist", "length is out of range");
    }
    end = *start + static_cast<size_t>(*length);
  }
  return Value::List(std::vector<Value>(list.begin() + static_cast<ptrdiff_t>(*start),
                                        list.begin() + static_cast<ptrdiff_t>(end)));
}

Value Concatenate(std::span<const Value> args, CallContext& ctx) {
  std::vector<Value> out;
  for (const Value& l : args) {
    if (!l.is(Kind::kList)) return Fail(ctx, "concatenate", "an argument is not a list");
    out.insert(out.end(), l.list().begin(), l.list().end());
  }
  return Value::List(std::move(out));
}

Value InsertBefore(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) return Fail(ctx, "insert before", "list is not a list");
  std::vector<Value> out = args[0].list();
  std::optional<size_t> i = Index(args[1], out.size());
  if (!i) return Fail(ctx, "insert before", "position is out of range");
  out.insert(out.begin() + static_cast<ptrdiff_t>(*i), args[2]);
  return Value::List(std::move(out));
}

Value Remove(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) return Fail(ctx, "remove", "list is not a list");
  std::vector<Value> out = args[0].list();
  std::optional<size_t> i = Index(args[1], out.size());
  if (!i) return Fail(ctx, "remove", "position is out of range");
  out.erase(out.begin() + static_cast<ptrdiff_t>(*i));
  return Value::List(std::move(out));
}

Value Reverse(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) return Fail(ctx, "reverse", "list is not a list");
  std::vector<Value> out(args[0].list().rbegin(), args[0].list().rend());
  return Value::List(std::move(out));
}

bool Same(const Value& a, const Value& b) { return Equal(a, b).value_or(false); }

Value IndexOf(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) return Fail(ctx, "index of", "list is not a list");
  std::vector<Value> out;
  const std::vector<Value>& list = args[0].list();
  for (size_t i = 0; i < list.size(); ++i) {
    if (Same(list[i], args[1])) out.push_back(Value::Number(static_cast<int64_t>(i + 1)));
  }
  return Value::List(std::move(out));
}

void AddDistinct(const Value& v, std::vector<Value>& out) {
  for (const Value& o : out) {
    if (Same(o, v)) return;
  }
  out.push_back(v);
}

Value Union(std::span<const Value> args, CallContext& ctx) {
  std::vector<Value> out;
  for (const Value& l : args) {
    if (!l.is(Kind::kList)) return Fail(ctx, "union", "an argument is not a list");
    for (const Value& v : l.list()) AddDistinct(v, out);
  }
  return Value::List(std::move(out));
}

Value DistinctValues(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) return Fail(ctx, "distinct values", "list is not a list");
  std::vector<Value> out;
  for (const Value& v : args[0].list()) AddDistinct(v, out);
  return Value::List(std::move(out));
}

// The numbers of a list/variadic argument; nullopt (after a warning) if any is not a number.
std::optional<std::vector<Decimal>> Numbers(std::span<const Value> args, CallContext& ctx,
                                            std::string_view name) {
  if (args.size() == 1 && !args[0].is(Kind::kList) && !args[0].is(Kind::kNumber)) {
    Fail(ctx, name, "list is not a list");
    return std::nullopt;
  }
  std::vector<Decimal> out;
  for (const Value& v : Items(args)) {
    if (!v.is(Kind::kNumber)) {
      Fail(ctx, name, v.ToString() + " is not a number");
      return std::nullopt;
    }
    out.push_back(v.number());
  }
  return out;
}

Value Product(std::span<const Value> args, CallContext& ctx) {
  std::optional<std::vector<Decimal>> ns = Numbers(args, ctx, "product");
  if (!ns || ns->empty()) return {};
  std::optional<Decimal> p = Decimal::FromInt64(1);
  for (const Decimal& d : *ns) {
    if (p) p = p->Multiply(d);
  }
  return builtins::NumberOrFail(p, ctx, "product");
}

std::optional<Decimal> MeanOf(const std::vector<Decimal>& ns) {
  std::optional<Decimal> sum = Decimal::FromInt64(0);
  for (const Decimal& d : ns) {
    if (sum) sum = sum->Add(d);
  }
  if (!sum) return std::nullopt;
  return sum->Divide(Decimal::FromInt64(static_cast<int64_t>(ns.size())));
}

Value Mean(std::span<const Value> args, CallContext& ctx) {
  std::optional<std::vector<Decimal>> ns = Numbers(args, ctx, "mean");
  if (!ns || ns->empty()) return {};
  return builtins::NumberOrFail(MeanOf(*ns), ctx, "mean");
}

Value Median(std::span<const Value> args, CallContext& ctx) {
  std::optional<std::vector<Decimal>> ns = Numbers(args, ctx, "median");
  if (!ns || ns->empty()) return {};
  std::sort(ns->begin(), ns->end());
  const size_t n = ns->size();
  if (n % 2 == 1) return Value::Number((*ns)[n / 2]);
  std::optional<Decimal> sum = (*ns)[n / 2 - 1].Add((*ns)[n / 2]);
  return builtins::NumberOrFail(sum ? sum->Divide(Decimal::FromInt64(2)) : std::nullopt, ctx,
                                "median");
}

Value Stddev(std::span<const Value> args, CallContext& ctx) {
  std::optional<std::vector<Decimal>> ns = Numbers(args, ctx, "stddev");
  if (!ns || ns->size() < 2) return {};  // the sample deviation needs two values
  std::optional<Decimal> mean = MeanOf(*ns);
  std::optional<Decimal> squares = Decimal::FromInt64(0);
  for (const Decimal& d : *ns) {
    std::optional<Decimal> diff = mean ? d.Subtract(*mean) : std::nullopt;
    std::optional<Decimal> sq = diff ? diff->Multiply(*diff) : std::nullopt;
    squares = squares && sq ? squares->Add(*sq) : std::nullopt;
  }
  std::optional<Decimal> variance =
      squares ? squares->Divide(Decimal::FromInt64(static_cast<int64_t>(ns->size() - 1)))
              : std::nullopt;
  return builtins::NumberOrFail(variance ? variance->Sqrt() : std::nullopt, ctx, "stddev");
}

Value Mode(std::span<const Value> args, CallContext& ctx) {
  std::optional<std::vector<Decimal>> ns = Numbers(args, ctx, "mode");
  if (!ns) return {};
  std::sort(ns->begin(), ns->end());
  size_t best = 0;
  std::vector<Value> out;
  for (size_t i = 0; i < ns->size();) {
    size_t j = i;
    while (j < ns->size() && (*ns)[j] == (*ns)[i]) ++j;
    if (j - i > best) {
      best = j - i;
      out.clear();
    }
    if (j - i == best) out.push_back(Value::Number((*ns)[i]));
    i = j;
  }
  return Value::List(std::move(out));
}

Value Sort(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) return Fail(ctx, "sort", "list is not a list");
  std::vector<Value> out = args[0].list();
  bool failed = false;
  if (args.size() > 1 && !args[1].is_null()) {
    if (!args[1].is(Kind::kFunction)) return Fail(ctx, "sort", "precedes is not a function");
    const feel::Function& precedes = args[1].function();
    std::stable_sort(out.begin(), out.end(), [&](const Value& a, const Value& b) {
      if (failed) return false;
      std::array<Value, 2> pair = {a, b};
      Value r = precedes.Call(pair, ctx);
      if (!r.is(Kind::kBoolean)) {
        failed = true;
        return false;
      }
      return r.boolean();
    });
  } else {
    std::stable_sort(out.begin(), out.end(), [&](const Value& a, const Value& b) {
      std::optional<int> c = Compare(a, b);
      if (!c) failed = true;
      return c.value_or(0) < 0;
    });
  }
  if (failed) return Fail(ctx, "sort", "the items cannot be ordered");
  return Value::List(std::move(out));
}

Value ListReplace(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) return Fail(ctx, "list replace", "list is not a list");
  std::vector<Value> out = args[0].list();
  if (args[1].is(Kind::kFunction)) {
    const feel::Function& match = args[1].function();
    if (match.required() > 2 || (!match.variadic() && match.parameters().size() < 2)) {
      return Fail(ctx, "list replace", "match must take two parameters (item, newItem)");
    }
    for (Value& item : out) {
      std::array<Value, 2> pair = {item, args[2]};
      Value r = match.Call(pair, ctx);
      if (!r.is(Kind::kBoolean)) return Fail(ctx, "list replace", "match did not return a boolean");
      if (r.boolean()) item = args[2];
    }
    return Value::List(std::move(out));
  }
  // A fractional position is truncated (TCK 1155-list-replace-function: 2.5 is 2).
  Value position = args[1];
  if (position.is(Kind::kNumber) && !position.is_small_int()) {
    if (std::optional<Decimal> t = position.number().Round(0, RoundingMode::kDown)) {
      position = Value::Number(*t);
    }
  }
  std::optional<size_t> i = Index(position, out.size());
  if (!i) return Fail(ctx, "list replace", "position is out of range");
  out[*i] = args[2];
  return Value::List(std::move(out));
}

}  // namespace

void RegisterListBuiltins(Registry& r) {
  r.Add({"all", {"list"}, 1, true, Quantifier("all", true)});
  r.Add({"any", {"list"}, 1, true, Quantifier("any", false)});
  r.Add({"sublist", {"list", "start position", "length"}, 2, false, Sublist});
  r.Add({"concatenate", {"list"}, 0, true, Concatenate});
  r.Add({"insert before", {"list", "position", "newItem"}, 3, false, InsertBefore});
  r.Add({"remove", {"list", "position"}, 2, false, Remove});
  r.Add({"reverse", {"list"}, 1, false, Reverse});
  r.Add({"index of", {"list", "match"}, 2, false, IndexOf});
  r.Add({"union", {"list"}, 0, true, Union});
  r.Add({"distinct values", {"list"}, 1, false, DistinctValues});
  r.Add({"product", {"list"}, 1, true, Product});
  r.Add({"mean", {"list"}, 1, true, Mean});
  r.Add({"median", {"list"}, 1, true, Median});
  r.Add({"stddev", {"list"}, 1, true, Stddev});
  r.Add({"mode", {"list"}, 1, true, Mode});
  r.Add({"sort", {"list", "precedes"}, 1, false, Sort});
  r.Add({"list replace", {"list", "position", "newItem"}, 3, false, ListReplace});
  r.Add({"list replace", {"list", "match", "newItem"}, 3, false, ListReplace});
}

}  // namespace tongban::feel
