// The FEEL evaluator: walks the compiled tree (ast.h). Runtime errors are null plus a warning
// (DMN 1.5 §10.3.2.2); a depth guard covers nesting and recursive calls of FEEL functions, so no
// input can overflow the stack. Also: Compile, Check, Scope and Program.
#include <fmt/format.h>

#include <algorithm>

#include "feel/ast.h"
#include "feel/feel.h"
#include "feel/lexer.h"

namespace tongban::feel {

struct Program::Impl {
  std::string text;
  Mode mode = Mode::kExpression;
  Limits limits;
  int local_count = 0;
  std::unique_ptr<Node> root;
};

namespace {

struct Frame {
  const Program::Impl* prog = nullptr;
  const std::shared_ptr<const Program::Impl>* owner = nullptr;  // for closures
  const Value* globals = nullptr;
  size_t global_count = 0;
  Value* locals = nullptr;
  const Value* input = nullptr;
  std::vector<std::string>* warnings = nullptr;
  std::vector<TraceStep>* trace = nullptr;
  int depth = 0;
  bool depth_warned = false;
  int64_t* budget = nullptr;  // steps left, shared with FEEL functions called from here

  // The compiler only emits slots below the scope's and the program's counts; the checks
  // keep that invariant visible (and a null, not a crash, if it were ever broken).
  const Value& Global(int slot) const {
    return globals != nullptr && static_cast<size_t>(slot) < global_count ? globals[slot]
                                                                          : NullValue();
  }
  const Value& Local(int slot) const { return locals != nullptr ? locals[slot] : NullValue(); }
  static const Value& NullValue() {
    static const Value kNull = Value::Null();
    return kNull;
  }
};

// Charges `cost` steps; false (with one warning) once the budget is spent.
bool Spend(Frame& f, const Node& n, int64_t cost);

Value Eval(const Node& n, Frame& f);
int EvalTruth(const Node& n, Frame& f);
Value EvalNode(const Node& n, Frame& f);
Value TestMatch(const Node& t, const Value& input, Frame& f);

void Warn(Frame& f, const Node& n, std::string_view message) {
  if (f.warnings == nullptr) return;
  std::string_view text = std::string_view(f.prog->text).substr(n.begin, n.end - n.begin);
  if (text.size() > 60) text = text.substr(0, 60);
  f.warnings->push_back(fmt::format("{} (in '{}')", message, text));
}

// The value of a leaf without copying it; other nodes are evaluated into `tmp`.
const Value& Ref(const Node& n, Frame& f, Value& tmp) {
  if (f.trace == nullptr) {
    switch (n.op) {
      case Op::kConst:
        return n.value;
      case Op::kGlobal:
        return f.Global(n.slot);
      case Op::kLocal:
        return f.Local(n.slot);
      default:
        break;
    }
  }
  tmp = Eval(n, f);
  return tmp;
}

// A FEEL function defined in the text: its body, parameters and the values it closes over.
class Closure : public Function {
 public:
  Closure(std::shared_ptr<const Program::Impl> prog, const Node* def, std::vector<Value> locals,
          std::vector<Value> globals)
      : prog_(std::move(prog)),
        def_(def),
        locals_(std::move(locals)),
        globals_(std::move(globals)) {}
  const std::vector<std::string>& parameters() const override { return def_->names; }
  Value Call(std::span<const Value> args, CallContext& ctx) const override {
    if (args.size() != def_->names.size()) {
      ctx.Warn(fmt::format("a function of {} parameters was called with {} arguments",
                           def_->names.size(), args.size()));
      return {};
    }
    std::vector<Value> locals = locals_;
    // Typed parameters (`function(a: number)`): an argument of another type is null
    // (DMN 1.5 §10.3.2.9.4; TCK 0082-feel-coercion). def_->type is function<params>->Any.
    const bool typed = def_->type.tag() == Type::Tag::kFunction;
    for (size_t i = 0; i < args.size(); ++i) {
      if (typed && !args[i].is_null() && !def_->type.parameters()[i].IsInstance(args[i])) {
        ctx.Warn(fmt::format("argument {} ({}) is not a {}", def_->names[i],
                             KindName(args[i].kind()), def_->type.parameters()[i].ToString()));
        locals[def_->slots[i]] = Value();
      } else {
        locals[def_->slots[i]] = args[i];
      }
    }
    Frame f;
    f.prog = prog_.get();
    f.owner = &prog_;
    f.globals = globals_.data();
    f.global_count = globals_.size();
    f.locals = locals.data();
    f.warnings = ctx.warnings();
    f.depth = ctx.depth;
    int64_t own = prog_->limits.max_steps;
    f.budget = ctx.evaluator != nullptr ? static_cast<int64_t*>(ctx.evaluator) : &own;
    return Eval(def_->kid(0), f);
  }

 private:
  std::shared_ptr<const Program::Impl> prog_;
  const Node* def_;
  std::vector<Value> locals_;
  std::vector<Value> globals_;
};

Value CallFunction(const Function& fn, std::span<const Value> args, Frame& f, const Node& n) {
  if (args.size() < fn.required() || (!fn.variadic() && args.size() > fn.parameters().size())) {
    Warn(f, n,
         fmt::format("'{}' takes {} arguments, not {}", fn.name(), fn.parameters().size(),
                     args.size()));
    return {};
  }
  CallContext ctx(f.warnings);
  ctx.depth = f.depth;
  ctx.evaluator = f.budget;
  return fn.Call(args, ctx);
}

bool AddOverflows(int64_t a, int64_t b, int64_t* r) { return __builtin_add_overflow(a, b, r); }
bool SubOverflows(int64_t a, int64_t b, int64_t* r) { return __builtin_sub_overflow(a, b, r); }
bool MulOverflows(int64_t a, int64_t b, int64_t* r) { return __builtin_mul_overflow(a, b, r); }

Value FromOpt(const std::optional<Decimal>& d) { return d ? Value::Number(*d) : Value(); }

// 00:00:00Z: a date as an instant when it meets a date and time.
const Time& MidnightUtc() {
  static const Time kMidnight = *Time::FromParts(0, 0, 0, 0, *Zone::Offset(0));
  return kMidnight;
}

[[gnu::noinline]] Value Arithmetic(Op op, const Value& a, const Value& b, Frame& f, const Node& n) {
  if (a.is_null() || b.is_null()) return {};
  const Kind ka = a.kind();
  const Kind kb = b.kind();
  if (ka == Kind::kNumber && kb == Kind::kNumber) {
    if (a.is_small_int() && b.is_small_int()) {
      int64_t r = 0;
      switch (op) {
        case Op::kAdd:
          if (!AddOverflows(a.small_int(), b.small_int(), &r)) return Value::Number(r);
          break;
        case Op::kSub:
          if (!SubOverflows(a.small_int(), b.small_int(), &r)) return Value::Number(r);
          break;
        case Op::kMul:
          if (!MulOverflows(a.small_int(), b.small_int(), &r)) return Value::Number(r);
          break;
        default:
          break;
      }
    }
    const Decimal x = a.number();
    const Decimal y = b.number();
    std::optional<Decimal> r;
    switch (op) {
      case Op::kAdd:
        r = x.Add(y);
        break;
      case Op::kSub:
        r = x.Subtract(y);
        break;
      case Op::kMul:
        r = x.Multiply(y);
        break;
      case Op::kDiv:
        if (y.IsZero()) {
          Warn(f, n, "division by zero");
          return {};
        }
        r = x.Divide(y);
        break;
      case Op::kPow:
        r = x.Pow(y);
        break;
      default:
        break;
    }
    if (!r) Warn(f, n, "the result is not a finite number");
    return FromOpt(r);
  }
  if (op == Op::kAdd && ka == Kind::kString && kb == Kind::kString) {
    return Value::String(a.string() + b.string());
  }
  auto dt = [](const std::optional<DateTime>& v) { return v ? Value::FromDateTime(*v) : Value(); };
  auto dd = [](const std::optional<Date>& v) { return v ? Value::FromDate(*v) : Value(); };
  auto date_of = [](const std::optional<DateTime>& v) {
    return v ? Value::FromDate(v->date()) : Value();
  };
  auto dtd = [](const std::optional<DaysTimeDuration>& v) {
    return v ? Value::FromDuration(*v) : Value();
  };
  auto ymd = [](const std::optional<YearsMonthsDuration>& v) {
    return v ? Value::FromDuration(*v) : Value();
  };
  if (op == Op::kAdd || op == Op::kSub) {
    const bool sub = op == Op::kSub;
    // temporal ± duration
    if (kb == Kind::kDaysTimeDuration) {
      const DaysTimeDuration d = sub ? b.days_time_duration().Negate() : b.days_time_duration();
      if (ka == Kind::kDateTime) return dt(a.date_time().Plus(d));
      if (ka == Kind::kDate) {
        // date ± days and time duration: the date of that date and time at midnight plus the
        // duration (DMN 1.5 Table 57: the result is a date; TCK 0100-arithmetic).
        return date_of(DateTime(a.date(), Time()).Plus(d));
      }
      if (ka == Kind::kTime) return Value::FromTime(a.time().Plus(d));
      if (ka == Kind::kDaysTimeDuration) return dtd(a.days_time_duration().Plus(d));
    }
    if (kb == Kind::kYearsMonthsDuration) {
      const YearsMonthsDuration d =
          sub ? b.years_months_duration().Negate() : b.years_months_duration();
      if (ka == Kind::kDateTime) return dt(a.date_time().Plus(d));
      if (ka == Kind::kDate) return dd(a.date().Plus(d));
      if (ka == Kind::kYearsMonthsDuration) return ymd(a.years_months_duration().Plus(d));
    }
    if (!sub && ka == Kind::kDaysTimeDuration) {
      if (kb == Kind::kDateTime) return dt(b.date_time().Plus(a.days_time_duration()));
      if (kb == Kind::kDate) {
        return date_of(DateTime(b.date(), Time()).Plus(a.days_time_duration()));
      }
      if (kb == Kind::kTime) return Value::FromTime(b.time().Plus(a.days_time_duration()));
    }
    if (!sub && ka == Kind::kYearsMonthsDuration) {
      if (kb == Kind::kDateTime) return dt(b.date_time().Plus(a.years_months_duration()));
      if (kb == Kind::kDate) return dd(b.date().Plus(a.years_months_duration()));
    }
    if (sub) {
      if (ka == Kind::kDateTime && kb == Kind::kDateTime) {
        return dtd(a.date_time().Minus(b.date_time()));
      }
      if (ka == Kind::kDate && kb == Kind::kDate) {
        return Value::FromDuration(
            DaysTimeDuration::FromSeconds((a.date().days() - b.date().days()) * kSecondsPerDay));
      }
      // A date against a date and time is that date at midnight UTC (DMN 1.5 §10.3.2.3.6), so a
      // local date and time minus a date is null.
      if (ka == Kind::kDateTime && kb == Kind::kDate) {
        return dtd(a.date_time().Minus(DateTime(b.date(), MidnightUtc())));
      }
      if (ka == Kind::kDate && kb == Kind::kDateTime) {
        return dtd(DateTime(a.date(), MidnightUtc()).Minus(b.date_time()));
      }
      if (ka == Kind::kTime && kb == Kind::kTime) return dtd(a.time().Minus(b.time()));
    }
  }
  if (op == Op::kMul || op == Op::kDiv) {
    if (ka == Kind::kDaysTimeDuration && kb == Kind::kNumber) {
      if (op == Op::kMul) return dtd(a.days_time_duration().Times(b.number()));
      if (b.number().IsZero()) {
        Warn(f, n, "division by zero");
        return {};
      }
      return dtd(a.days_time_duration().DividedBy(b.number()));
    }
    if (ka == Kind::kYearsMonthsDuration && kb == Kind::kNumber) {
      if (op == Op::kMul) return ymd(a.years_months_duration().Times(b.number()));
      if (b.number().IsZero()) {
        Warn(f, n, "division by zero");
        return {};
      }
      return ymd(a.years_months_duration().DividedBy(b.number()));
    }
    if (op == Op::kMul && ka == Kind::kNumber && kb == Kind::kDaysTimeDuration) {
      return dtd(b.days_time_duration().Times(a.number()));
    }
    if (op == Op::kMul && ka == Kind::kNumber && kb == Kind::kYearsMonthsDuration) {
      return ymd(b.years_months_duration().Times(a.number()));
    }
    if (op == Op::kDiv && ka == Kind::kDaysTimeDuration && kb == Kind::kDaysTimeDuration) {
      return FromOpt(a.days_time_duration().DividedBy(b.days_time_duration()));
    }
    if (op == Op::kDiv && ka == Kind::kYearsMonthsDuration && kb == Kind::kYearsMonthsDuration) {
      return FromOpt(a.years_months_duration().DividedBy(b.years_months_duration()));
    }
  }
  static constexpr std::string_view kVerb[] = {"add", "subtract", "multiply", "divide", "raise"};
  const int i = static_cast<int>(op) - static_cast<int>(Op::kAdd);
  Warn(f, n, fmt::format("cannot {} {} and {}", kVerb[i], KindName(ka), KindName(kb)));
  return {};
}

[[gnu::noinline]] Value Comparison(Op op, const Value& a, const Value& b, Frame& f, const Node& n) {
  if (op == Op::kEq || op == Op::kNe) {
    // DMN 1.5 §10.3.2.9: `=` between two non-null values of different kinds is null, not false.
    if (a.kind() != b.kind() && !a.is_null() && !b.is_null()) {
      Warn(f, n, fmt::format("cannot compare {} and {}", KindName(a.kind()), KindName(b.kind())));
      return {};
    }
    std::optional<bool> e = Equal(a, b);
    if (!e) return {};
    return Value::Boolean(op == Op::kEq ? *e : !*e);
  }
  if (a.is_null() || b.is_null()) return {};
  if (a.is_small_int() && b.is_small_int()) {
    const int64_t x = a.small_int();
    const int64_t y = b.small_int();
    switch (op) {
      case Op::kLt:
        return Value::Boolean(x < y);
      case Op::kLe:
        return Value::Boolean(x <= y);
      case Op::kGt:
        return Value::Boolean(x > y);
      default:
        return Value::Boolean(x >= y);
    }
  }
  std::optional<int> c = Compare(a, b);
  if (!c) {
    Warn(f, n, fmt::format("cannot compare {} with {}", KindName(a.kind()), KindName(b.kind())));
    return {};
  }
  switch (op) {
    case Op::kLt:
      return Value::Boolean(*c < 0);
    case Op::kLe:
      return Value::Boolean(*c <= 0);
    case Op::kGt:
      return Value::Boolean(*c > 0);
    default:
      return Value::Boolean(*c >= 0);
  }
}

// -1 false, 0 null, 1 true.
int Truth(const Value& v) {
  if (!v.is(Kind::kBoolean)) return 0;
  return v.boolean() ? 1 : -1;
}

Value FromTruth(int t) { return t == 0 ? Value() : Value::Boolean(t > 0); }

// `and` / `or` over any number of operands, left to right: for `and` false wins, for `or`
// true wins; otherwise null if any operand was null (not boolean).
int AndOrTruth(const Node& n, Frame& f) {
  const int winner = n.op == Op::kAnd ? -1 : 1;
  int result = -winner;
  for (const auto& k : n.kids) {
    const int t = EvalTruth(*k, f);
    if (t == winner) return winner;
    if (t == 0) result = 0;
  }
  return result;
}

// The truth of a boolean-valued node (-1 false, 0 null, 1 true) without building Values: the
// hot path of rules, which are chains of `and` over comparisons.
int EvalTruth(const Node& n, Frame& f) {
  if (f.trace != nullptr || f.depth >= f.prog->limits.max_eval_depth) [[unlikely]] {
    return Truth(Eval(n, f));
  }
  switch (n.op) {
    case Op::kAnd:
    case Op::kOr: {
      ++f.depth;
      const int r = AndOrTruth(n, f);
      --f.depth;
      return r;
    }
    case Op::kNot: {
      ++f.depth;
      const int r = -EvalTruth(n.kid(0), f);
      --f.depth;
      return r;
    }
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      Value ta;
      Value tb;
      const Value& a = Ref(n.kid(0), f, ta);
      const Value& b = Ref(n.kid(1), f, tb);
      if (a.is_small_int() && b.is_small_int()) {
        const int64_t x = a.small_int();
        const int64_t y = b.small_int();
        bool r = false;
        switch (n.op) {
          case Op::kLt:
            r = x < y;
            break;
          case Op::kLe:
            r = x <= y;
            break;
          case Op::kGt:
            r = x > y;
            break;
          default:
            r = x >= y;
            break;
        }
        return r ? 1 : -1;
      }
      return Truth(Comparison(n.op, a, b, f, n));
    }
    case Op::kGlobal:
      return Truth(f.Global(n.slot));
    case Op::kLocal:
      return Truth(f.Local(n.slot));
    default:
      return Truth(Eval(n, f));
  }
}

[[gnu::noinline]] Value Property(const Value& v, const std::string& name, Frame& f, const Node& n) {
  auto num = [](int64_t x) { return Value::Number(x); };
  // The properties a time and a date and time share: the clock from `clock`, the zone from
  // `zoned`.
  auto time_property = [&](const Time& clock, const auto& zoned) -> std::optional<Value> {
    if (name == "hour") return num(clock.hour());
    if (name == "minute") return num(clock.minute());
    if (name == "second") return num(clock.second());
    if (name == "time offset") {
      auto o = zoned.TimeOffset();
      return o ? Value::FromDuration(*o) : Value();
    }
    if (name == "timezone") {
      auto z = zoned.TimezoneName();
      return z ? Value::String(*z) : Value();
    }
    return std::nullopt;
  };
  switch (v.kind()) {
    case Kind::kDate: {
      const Date& d = v.date();
      if (name == "year") return num(d.year());
      if (name == "month") return num(d.month());
      if (name == "day") return num(d.day());
      if (name == "weekday") return num(d.weekday());
      break;
    }
    case Kind::kDateTime: {
      const DateTime& dt = v.date_time();
      if (name == "year") return num(dt.date().year());
      if (name == "month") return num(dt.date().month());
      if (name == "day") return num(dt.date().day());
      if (name == "weekday") return num(dt.date().weekday());
      if (auto p = time_property(dt.time(), dt)) return *p;
      break;
    }
    case Kind::kTime: {
      const Time& t = v.time();
      if (auto p = time_property(t, t)) return *p;
      break;
    }
    case Kind::kDaysTimeDuration: {
      const DaysTimeDuration& d = v.days_time_duration();
      if (name == "days") return num(d.days());
      if (name == "hours") return num(d.hours());
      if (name == "minutes") return num(d.minutes());
      if (name == "seconds") return num(d.seconds());
      break;
    }
    case Kind::kYearsMonthsDuration: {
      const YearsMonthsDuration& d = v.years_months_duration();
      if (name == "years") return num(d.years());
      if (name == "months") return num(d.months());
      break;
    }
    case Kind::kRange: {
      const Range& r = v.range();
      if (name == "start") return r.low;
      if (name == "end") return r.high;
      if (name == "start included") return Value::Boolean(r.low_closed);
      if (name == "end included") return Value::Boolean(r.high_closed);
      break;
    }
    case Kind::kNull:
      return {};
    default:
      break;
  }
  Warn(f, n, fmt::format("a {} has no property '{}'", KindName(v.kind()), name));
  return {};
}

[[gnu::noinline]] Value Path(const Value& v, const std::string& name, Frame& f, const Node& n) {
  if (v.is(Kind::kContext)) {
    const Value* e = v.Find(name);
    return e != nullptr ? *e : Value();
  }
  if (v.is(Kind::kList)) {
    std::vector<Value> out;
    out.reserve(v.list().size());
    for (const Value& item : v.list()) out.push_back(Path(item, name, f, n));
    return Value::List(std::move(out));
  }
  return Property(v, name, f, n);
}

// The values a for/some/every iterator walks: a list; a domain `a..b` of whole numbers or of
// dates (one day apart), ascending or descending; a range value `[a..b]` of whole numbers,
// ascending; or one value. Other ranges are refused (DMN 1.5 §10.3.2.14, TCK 0084).
[[gnu::noinline]] bool DomainValues(const Node& d, Frame& f, std::vector<Value>* out) {
  if (d.op == Op::kRangeDomain) {
    Value lo = Eval(d.kid(0), f);
    Value hi = Eval(d.kid(1), f);
    const bool dates = lo.is(Kind::kDate) && hi.is(Kind::kDate);
    if (!dates && (!lo.is_small_int() || !hi.is_small_int())) {
      Warn(f, d, "a range to iterate over needs whole numbers or dates at both ends");
      return false;
    }
    const int64_t a = dates ? lo.date().days() : lo.small_int();
    const int64_t b = dates ? hi.date().days() : hi.small_int();
    const uint64_t count =
        (a <= b ? static_cast<uint64_t>(b - a) : static_cast<uint64_t>(a - b)) + 1;
    if (count > f.prog->limits.max_list_size) {
      Warn(f, d, "the range to iterate over is too large");
      return false;
    }
    out->reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      const int64_t k = a <= b ? a + static_cast<int64_t>(i) : a - static_cast<int64_t>(i);
      out->push_back(dates ? Value::FromDate(Date::FromDays(k)) : Value::Number(k));
    }
    return true;
  }
  Value v = Eval(d, f);
  if (v.is(Kind::kList)) {
    *out = v.list();
  } else if (v.is(Kind::kRange)) {
    if (!v.range().low.is_small_int() || !v.range().high.is_small_int() ||
        v.range().low.small_int() > v.range().high.small_int()) {
      Warn(f, d, "a range to iterate over needs whole numbers at both ends, the low one first");
      return false;
    }
    int64_t a = v.range().low.small_int() + (v.range().low_closed ? 0 : 1);
    int64_t b = v.range().high.small_int() - (v.range().high_closed ? 0 : 1);
    if (b >= a && static_cast<uint64_t>(b - a) >= f.prog->limits.max_list_size) {
      Warn(f, d, "the range to iterate over is too large");
      return false;
    }
    for (int64_t i = a; i <= b; ++i) out->push_back(Value::Number(i));
  } else if (v.is_null()) {
    return false;
  } else {
    out->push_back(std::move(v));
  }
  return true;
}

// Walks the cartesian product of the iterators `level..`, calling `each` per combination;
// `each` returns false to stop early. Returns false if a domain failed.
template <typename Each>
bool Iterate(const Node& n, size_t level, size_t levels, Frame& f, Each& each, bool* stop) {
  if (level == levels) {
    if (!Spend(f, n, 1) || !each()) *stop = true;
    return true;
  }
  std::vector<Value> values;
  if (!DomainValues(n.kid(level), f, &values)) return false;
  for (Value& v : values) {
    f.locals[n.slots[level]] = std::move(v);
    if (!Iterate(n, level + 1, levels, f, each, stop)) return false;
    if (*stop) break;
  }
  return true;
}

[[gnu::noinline]] Value EvalFor(const Node& n, Frame& f) {
  const size_t levels = n.kids.size() - 1;
  std::vector<Value> out;
  const int partial = n.slots.back();
  bool too_large = false;
  auto each = [&]() {
    if (out.size() >= f.prog->limits.max_list_size) {
      too_large = true;
      return false;
    }
    if (n.flag) {
      if (!Spend(f, n, static_cast<int64_t>(out.size()))) {
        too_large = true;
        return false;
      }
      f.locals[partial] = Value::List(out);
    }
    out.push_back(Eval(n.kid(levels), f));
    return true;
  };
  bool stop = false;
  if (!Iterate(n, 0, levels, f, each, &stop) || *f.budget < 0) return {};
  if (too_large) {
    Warn(f, n, "the result list is too large");
    return {};
  }
  return Value::List(std::move(out));
}

[[gnu::noinline]] Value EvalQuantified(const Node& n, Frame& f, bool every) {
  const size_t levels = n.kids.size() - 1;
  int result = every ? 1 : -1;
  bool unknown = false;
  auto each = [&]() {
    const int t = Truth(Eval(n.kid(levels), f));
    if (every && t < 0) {
      result = -1;
      return false;
    }
    if (!every && t > 0) {
      result = 1;
      return false;
    }
    if (t == 0) unknown = true;
    return true;
  };
  bool stop = false;
  if (!Iterate(n, 0, levels, f, each, &stop) || *f.budget < 0) return {};
  if (!stop && unknown) return {};
  return Value::Boolean(result > 0);
}

[[gnu::noinline]] Value EvalFilter(const Node& n, Frame& f) {
  Value list = Eval(n.kid(0), f);
  if (list.is_null()) return {};
  if (!list.is(Kind::kList)) list = Value::List({list});
  const std::vector<Value>& items = list.list();
  // A number is a 1-based index (negative: from the end); out of range, null.
  const auto at = [&items](const Value& c) -> Value {
    std::optional<Decimal> fl = c.number().Floor();
    std::optional<int64_t> i = fl ? fl->ToInt64() : std::nullopt;
    const auto size = static_cast<int64_t>(items.size());
    if (!i || *i == 0 || *i > size || *i < -size) return {};
    return items[*i > 0 ? *i - 1 : size + *i];
  };
  if (!n.flag) {
    Value c = Eval(n.kid(1), f);
    if (c.is(Kind::kNumber)) return at(c);
    if (c.is(Kind::kBoolean)) return c.boolean() ? list : Value::List({});
    return {};
  }
  std::vector<Value> out;
  for (size_t k = 0; k < items.size(); ++k) {
    f.locals[n.slot] = items[k];
    Value c = Eval(n.kid(1), f);
    // A name that may be the item's member but is a variable outside (`[1, 2, 3][i]` with `i` a
    // number): the filter is an index, as a number literal is.
    if (k == 0 && c.is(Kind::kNumber)) return at(c);
    if (c.is(Kind::kBoolean) && c.boolean()) out.push_back(items[k]);
  }
  return Value::List(std::move(out));
}

[[gnu::noinline]] Value EvalCallNamed(const Node& n, Frame& f) {
  Value callee = Eval(n.kid(0), f);
  if (!callee.is(Kind::kFunction)) {
    Warn(f, n, "this is not a function");
    return {};
  }
  const Function& fn = callee.function();
  const std::vector<std::string>& params = fn.parameters();
  std::vector<Value> args(params.size());
  size_t last = 0;
  for (size_t i = 0; i < n.names.size(); ++i) {
    auto it = std::find(params.begin(), params.end(), n.names[i]);
    if (it == params.end()) {
      Warn(f, n, fmt::format("'{}' has no parameter named '{}'", fn.name(), n.names[i]));
      return {};
    }
    const size_t at = it - params.begin();
    args[at] = Eval(n.kid(i + 1), f);
    last = std::max(last, at + 1);
  }
  args.resize(std::max(last, fn.required()));
  return CallFunction(fn, args, f, n);
}

[[gnu::noinline]] Value EvalStartsWith(const Node& n, Frame& f) {
  Value ta;
  Value tb;
  const Value& a = Ref(n.kid(0), f, ta);
  const Value& b = Ref(n.kid(1), f, tb);
  if (a.is(Kind::kString) && b.is(Kind::kString)) {
    return Value::Boolean(a.string().starts_with(b.string()));
  }
  const Value args[2] = {a, b};
  CallContext ctx(f.warnings);
  return n.builtin->body(args, ctx);
}

[[gnu::noinline]] Value EvalContext(const Node& n, Frame& f) {
  std::vector<ContextEntry> entries;
  entries.reserve(n.kids.size());
  for (size_t i = 0; i < n.kids.size(); ++i) {
    Value v = Eval(n.kid(i), f);
    f.locals[n.slots[i]] = v;
    entries.push_back({n.names[i], std::move(v)});
  }
  return Value::Context(std::move(entries));
}

[[gnu::noinline]] Value EvalList(const Node& n, Frame& f) {
  std::vector<Value> items;
  items.reserve(n.kids.size());
  for (const auto& k : n.kids) items.push_back(Eval(*k, f));
  return Value::List(std::move(items));
}

[[gnu::noinline]] Value EvalRange(const Node& n, Frame& f) {
  Range r;
  r.low = Eval(n.kid(0), f);
  r.high = Eval(n.kid(1), f);
  r.low_closed = n.low_closed;
  r.high_closed = n.high_closed;
  // A written range `a..b` whose end is null (not the unbounded side of `< 10`, marked by flag).
  r.low_null = !n.flag && r.low.is_null();
  r.high_null = !n.flag && r.high.is_null();
  if (!r.low.is_null() && !r.high.is_null() && !Compare(r.low, r.high)) {
    Warn(f, n, "the ends of the range cannot be compared");
    return {};
  }
  return Value::FromRange(std::move(r));
}

[[gnu::noinline]] Value EvalFunctionDef(const Node& n, Frame& f) {
  std::vector<Value> locals(f.locals, f.locals + f.prog->local_count);
  std::vector<Value> globals(f.globals, f.globals + f.global_count);
  return Value::FromFunction(
      std::make_shared<Closure>(*f.owner, &n, std::move(locals), std::move(globals)));
}

[[gnu::noinline]] Value EvalCallBuiltin(const Node& n, Frame& f) {
  const size_t count = n.kids.size();
  Value small[4];
  std::vector<Value> big;
  Value* args = small;
  if (count > 4) {
    big.resize(count);
    args = big.data();
  }
  for (size_t i = 0; i < count; ++i) args[i] = Eval(n.kid(i), f);
  if ((n.builtin->list_parameters | n.builtin->string_parameters) != 0) {
    CoerceArguments(*n.builtin, std::span<Value>(args, count));
  }
  CallContext ctx(f.warnings);
  ctx.depth = f.depth;
  ctx.evaluator = f.budget;
  return n.builtin->body(std::span<const Value>(args, count), ctx);
}

[[gnu::noinline]] Value EvalCallValue(const Node& n, Frame& f) {
  Value callee = Eval(n.kid(0), f);
  if (!callee.is(Kind::kFunction)) {
    Warn(f, n, fmt::format("a {} cannot be called", KindName(callee.kind())));
    return {};
  }
  std::vector<Value> args;
  args.reserve(n.kids.size() - 1);
  for (size_t i = 1; i < n.kids.size(); ++i) args.push_back(Eval(n.kid(i), f));
  return CallFunction(callee.function(), args, f, n);
}

[[gnu::noinline]] Value EvalNeg(const Node& n, Frame& f) {
  Value v = Eval(n.kid(0), f);
  if (v.is_small_int() && v.small_int() != INT64_MIN) return Value::Number(-v.small_int());
  if (v.is(Kind::kNumber)) return Value::Number(v.number().Negate());
  if (v.is(Kind::kDaysTimeDuration)) return Value::FromDuration(v.days_time_duration().Negate());
  if (v.is(Kind::kYearsMonthsDuration)) {
    return Value::FromDuration(v.years_months_duration().Negate());
  }
  if (!v.is_null()) Warn(f, n, fmt::format("cannot negate a {}", KindName(v.kind())));
  return {};
}

[[gnu::noinline]] Value EvalBetween(const Node& n, Frame& f) {
  Value v = Eval(n.kid(0), f);
  Value lo = Eval(n.kid(1), f);
  Value hi = Eval(n.kid(2), f);
  const int a = Truth(Comparison(Op::kGe, v, lo, f, n));
  if (a < 0) return Value::Boolean(false);
  const int b = Truth(Comparison(Op::kLe, v, hi, f, n));
  if (b < 0) return Value::Boolean(false);
  return FromTruth(a > 0 && b > 0 ? 1 : 0);
}

Value EvalNode(const Node& n, Frame& f) {
  switch (n.op) {
    case Op::kConst:
      return n.value;
    case Op::kGlobal:
      return f.Global(n.slot);
    case Op::kLocal:
      return f.Local(n.slot);
    case Op::kInput:
      return f.input != nullptr ? *f.input : Value();
    case Op::kItemField: {
      const Value& item = f.Local(n.slot);
      if (const Value* e = item.Find(n.name)) return *e;
      if (!n.kids.empty()) return Eval(n.kid(0), f);
      return {};
    }
    case Op::kNeg:
      return EvalNeg(n, f);
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
    case Op::kDiv:
    case Op::kPow: {
      Value ta;
      Value tb;
      const Value& a = Ref(n.kid(0), f, ta);
      const Value& b = Ref(n.kid(1), f, tb);
      return Arithmetic(n.op, a, b, f, n);
    }
    case Op::kEq:
    case Op::kNe:
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      Value ta;
      Value tb;
      const Value& a = Ref(n.kid(0), f, ta);
      const Value& b = Ref(n.kid(1), f, tb);
      return Comparison(n.op, a, b, f, n);
    }
    case Op::kAnd:
    case Op::kOr:
      return FromTruth(AndOrTruth(n, f));
    case Op::kNot:
      return FromTruth(-EvalTruth(n.kid(0), f));
    case Op::kBetween:
      return EvalBetween(n, f);
    case Op::kIn: {
      Value v = Eval(n.kid(0), f);
      return TestMatch(n.kid(1), v, f);
    }
    case Op::kInConstList: {
      Value t;
      const Value& v = Ref(n.kid(0), f, t);
      if (v.is_small_int() && n.flag) {
        for (const Value& item : n.value.list()) {
          if (item.small_int() == v.small_int()) return Value::Boolean(true);
        }
        return Value::Boolean(false);
      }
      for (const Value& item : n.value.list()) {
        std::optional<bool> e = Equal(v, item);
        if (e && *e) return Value::Boolean(true);
      }
      return Value::Boolean(false);
    }
    case Op::kStartsWith:
      return EvalStartsWith(n, f);
    case Op::kInstanceOf: {
      Value v = Eval(n.kid(0), f);
      return Value::Boolean(n.type.IsInstance(v));
    }
    case Op::kIf: {
      const int c = Truth(Eval(n.kid(0), f));
      return Eval(n.kid(c > 0 ? 1 : 2), f);
    }
    case Op::kFor:
      return EvalFor(n, f);
    case Op::kSome:
      return EvalQuantified(n, f, false);
    case Op::kEvery:
      return EvalQuantified(n, f, true);
    case Op::kFilter:
      return EvalFilter(n, f);
    case Op::kPath: {
      Value v = Eval(n.kid(0), f);
      return Path(v, n.name, f, n);
    }
    case Op::kContext:
      return EvalContext(n, f);
    case Op::kList:
      return EvalList(n, f);
    case Op::kRange:
      return EvalRange(n, f);
    case Op::kFunctionDef:
      return EvalFunctionDef(n, f);
    case Op::kCallBuiltin:
      return EvalCallBuiltin(n, f);
    case Op::kCallValue:
      return EvalCallValue(n, f);
    case Op::kCallNamed:
      return EvalCallNamed(n, f);
    case Op::kTests:
    case Op::kTest:
    case Op::kTestCompare:
    case Op::kTestNot:
    case Op::kTestAny:
      return TestMatch(n, f.input != nullptr ? *f.input : Value(), f);
    case Op::kRangeDomain:
      return {};
  }
  return {};
}

bool Spend(Frame& f, const Node& n, int64_t cost) {
  *f.budget -= cost;
  if (*f.budget >= 0) return true;
  if (!f.depth_warned) {
    f.depth_warned = true;
    Warn(f, n, "evaluation takes too long (work limit reached)");
  }
  return false;
}

Value EvalSlow(const Node& n, Frame& f) {
  if (f.depth >= f.prog->limits.max_eval_depth || --*f.budget < 0) {
    if (!f.depth_warned) {
      f.depth_warned = true;
      Warn(f, n, "evaluation nested too deeply (recursion without end?)");
    }
    return {};
  }
  ++f.depth;
  const size_t at = f.trace->size();
  TraceStep step;
  step.begin = n.begin;
  step.end = n.end;
  step.depth = f.depth - 1;
  step.text = f.prog->text.substr(n.begin, n.end - n.begin);
  f.trace->push_back(std::move(step));
  Value v = EvalNode(n, f);
  (*f.trace)[at].value = v;
  --f.depth;
  return v;
}

Value Eval(const Node& n, Frame& f) {
  if (f.trace != nullptr && n.op != Op::kConst) [[unlikely]] {
    return EvalSlow(n, f);
  }
  if (f.depth >= f.prog->limits.max_eval_depth || --*f.budget < 0) [[unlikely]] {
    if (!f.depth_warned) {
      f.depth_warned = true;
      Warn(f, n,
           *f.budget < 0 ? "evaluation takes too long (work limit reached)"
                         : "evaluation nested too deeply (recursion without end?)");
    }
    *f.budget = std::min<int64_t>(*f.budget, -1);
    return {};
  }
  struct DepthScope {
    Frame& f;
    explicit DepthScope(Frame& frame) : f(frame) { ++f.depth; }
    ~DepthScope() { --f.depth; }
    DepthScope(const DepthScope&) = delete;
    DepthScope& operator=(const DepthScope&) = delete;
  } scope(f);
  return EvalNode(n, f);
}

// Whether `input` passes the unary test `t`: true, false or null.
[[gnu::noinline]] Value TestMatch(const Node& t, const Value& input, Frame& f) {
  switch (t.op) {
    case Op::kTestAny:
      return Value::Boolean(true);
    case Op::kTests: {
      bool unknown = false;
      for (const auto& k : t.kids) {
        const int r = Truth(TestMatch(*k, input, f));
        if (r > 0) return Value::Boolean(true);
        if (r == 0) unknown = true;
      }
      return unknown ? Value() : Value::Boolean(false);
    }
    case Op::kTestNot:
      return FromTruth(-Truth(TestMatch(t.kid(0), input, f)));
    case Op::kTestCompare: {
      Value tmp;
      const Value& b = Ref(t.kid(0), f, tmp);
      return Comparison(t.cmp, input, b, f, t);
    }
    case Op::kTest: {
      const Value* saved = f.input;
      f.input = &input;
      Value v = Eval(t.kid(0), f);
      f.input = saved;
      if (t.flag) return v.is(Kind::kBoolean) ? v : Value();
      if (v.is(Kind::kRange)) {
        std::optional<bool> r = InRange(input, v.range());
        return r ? Value::Boolean(*r) : Value();
      }
      if (v.is(Kind::kList)) {
        if (input.is(Kind::kList)) {
          std::optional<bool> e = Equal(input, v);
          if (e && *e) return Value::Boolean(true);
        }
        // `e in [a, b]` is `e in a or e in b` (DMN 1.5 §10.3.2.15): a range an input cannot be
        // placed in (null, another kind) leaves the answer unknown unless another item matches.
        bool unknown = false;
        for (const Value& item : v.list()) {
          std::optional<bool> e =
              item.is(Kind::kRange) ? InRange(input, item.range()) : Equal(input, item);
          if (e && *e) return Value::Boolean(true);
          if (!e && item.is(Kind::kRange)) unknown = true;
        }
        return unknown ? Value() : Value::Boolean(false);
      }
      if (v.is(Kind::kBoolean) && !input.is(Kind::kBoolean) && !input.is_null()) return v;
      std::optional<bool> e = Equal(input, v);
      return e ? Value::Boolean(*e) : Value();
    }
    default: {
      // Any other expression used as a test.
      Value v = Eval(t, f);
      std::optional<bool> e = Equal(input, v);
      return e ? Value::Boolean(*e) : Value();
    }
  }
}

Value Run(const Program::Impl& p, const std::shared_ptr<const Program::Impl>& owner,
          const Bindings& b, const Value* input, std::vector<std::string>* warnings,
          std::vector<TraceStep>* trace) {
  Frame f;
  f.prog = &p;
  f.owner = &owner;
  f.global_count = b.size();
  f.globals = b.size() > 0 ? &b.Get(0) : nullptr;
  f.input = input;
  f.warnings = warnings;
  f.trace = trace;
  int64_t budget = p.limits.max_steps;
  f.budget = &budget;
  std::vector<Value> locals;
  if (p.local_count > 0) {
    locals.resize(p.local_count);
    f.locals = locals.data();
  }
  if (p.mode == Mode::kUnaryTests) {
    static const Value kNull = Value::Null();
    return TestMatch(*p.root, input != nullptr ? *input : kNull, f);
  }
  if (p.root->op == Op::kAnd || p.root->op == Op::kOr) return FromTruth(EvalTruth(*p.root, f));
  return Eval(*p.root, f);
}

}  // namespace

Evaluation Program::Evaluate(const Bindings& bindings, EvalOptions options) const {
  Evaluation e;
  e.value = Run(*impl_, impl_, bindings, nullptr, &e.warnings, options.trace ? &e.trace : nullptr);
  return e;
}

Evaluation Program::Test(const Value& input, const Bindings& bindings, EvalOptions options) const {
  Evaluation e;
  e.value = Run(*impl_, impl_, bindings, &input, &e.warnings, options.trace ? &e.trace : nullptr);
  return e;
}

Value Program::EvaluateFast(const Bindings& bindings) const {
  return Run(*impl_, impl_, bindings, nullptr, nullptr, nullptr);
}

Value Program::TestFast(const Value& input, const Bindings& bindings) const {
  return Run(*impl_, impl_, bindings, &input, nullptr, nullptr);
}

const std::string& Program::text() const { return impl_->text; }
Mode Program::mode() const { return impl_->mode; }

int Scope::Declare(std::string name, Type type) {
  const int existing = Find(name);
  if (existing >= 0) {
    types_[existing] = std::move(type);
    return existing;
  }
  names_.push_back(std::move(name));
  types_.push_back(std::move(type));
  return static_cast<int>(names_.size()) - 1;
}

void Scope::AddFunction(Builtin builtin) { functions_.Add(std::move(builtin)); }

void Scope::DeclareType(std::string name, Type type) {
  for (auto& [n, t] : named_types_) {
    if (n == name) {
      t = std::move(type);
      return;
    }
  }
  named_types_.emplace_back(std::move(name), std::move(type));
}

const Type* Scope::FindType(std::string_view name) const {
  for (const auto& [n, t] : named_types_) {
    if (n == name) return &t;
  }
  return nullptr;
}

int Scope::Find(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<Diagnostic> Check(std::string_view text, const Scope& scope, Mode mode,
                              const Limits& limits) {
  ParseResult r = Parse(text, scope, mode, limits);
  std::vector<Diagnostic> out;
  Lexer lex(text);
  for (const ParseResult::Problem& p : r.problems) {
    Diagnostic d;
    lex.LineColumn(p.offset, &d.line, &d.column);
    d.message = p.message;
    out.push_back(std::move(d));
  }
  return out;
}

Result<Program> Compile(std::string_view text, const Scope& scope, Mode mode,
                        const Limits& limits) {
  ParseResult r = Parse(text, scope, mode, limits);
  if (!r.problems.empty() || !r.root) {
    Lexer lex(text);
    std::vector<FieldError> fields;
    for (const ParseResult::Problem& p : r.problems) {
      int line = 0;
      int column = 0;
      lex.LineColumn(p.offset, &line, &column);
      fields.push_back({fmt::format("{}:{}", line, column), p.message});
    }
    if (fields.empty()) fields.push_back({"1:1", "the expression is empty"});
    std::string message =
        fmt::format("line {}, column {}: {}", fields[0].field.substr(0, fields[0].field.find(':')),
                    fields[0].field.substr(fields[0].field.find(':') + 1), fields[0].message);
    return Error(ErrorCode::kInvalidArgument, std::move(message), std::move(fields));
  }
  auto impl = std::make_shared<Program::Impl>();
  impl->text = std::string(text);
  impl->mode = mode;
  impl->limits = limits;
  impl->local_count = r.local_count;
  impl->root = std::move(r.root);
  return Program(std::move(impl));
}

std::vector<Diagnostic> DiagnosticsOf(const Error& error) {
  std::vector<Diagnostic> out;
  for (const FieldError& fe : error.fields()) {
    Diagnostic d;
    const size_t colon = fe.field.find(':');
    if (colon == std::string::npos) continue;
    d.line = std::atoi(fe.field.substr(0, colon).c_str());
    d.column = std::atoi(fe.field.substr(colon + 1).c_str());
    d.message = fe.message;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace tongban::feel
