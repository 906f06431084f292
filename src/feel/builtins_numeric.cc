// Numeric built-ins (DMN 1.5 §10.3.4.5): decimal, floor, ceiling, round up/down/half up/half
// down, abs, modulo, sqrt, log, exp, odd, even. Registered as the group "Numeric".
#include "feel/builtins_util.h"

namespace tongban::feel {
namespace {

using builtins::Fail;
using builtins::NumberOrFail;

// The scale argument: an integer within decimal128's exponent range.
// A scale: its integer part (TCK 1100: `decimal(1/3, 2.5)` is 0.33), within decimal128's.
std::optional<int32_t> Scale(const Value& v) {
  if (!v.is(Kind::kNumber)) return std::nullopt;
  std::optional<Decimal> whole = v.number().Round(0, RoundingMode::kDown);
  std::optional<int64_t> s = whole ? whole->ToInt64() : std::nullopt;
  if (!s || *s < -6111 || *s > 6176) return std::nullopt;
  return static_cast<int32_t>(*s);
}

BuiltinFunction Rounding(std::string name, RoundingMode mode, bool scale_optional) {
  return [name = std::move(name), mode, scale_optional](std::span<const Value> args,
                                                        CallContext& ctx) -> Value {
    if (!args[0].is(Kind::kNumber)) return Fail(ctx, name, "n is not a number");
    int32_t scale = 0;
    if (args.size() > 1 || !scale_optional) {
      std::optional<int32_t> s = args.size() > 1 ? Scale(args[1]) : std::nullopt;
      if (!s) return Fail(ctx, name, "scale is not an integer in range");
      scale = *s;
    }
    return NumberOrFail(args[0].number().Round(scale, mode), ctx, name);
  };
}

BuiltinFunction FloorOrCeiling(std::string name, bool floor) {
  return [name = std::move(name), floor](std::span<const Value> args, CallContext& ctx) -> Value {
    if (!args[0].is(Kind::kNumber)) return Fail(ctx, name, "n is not a number");
    int32_t scale = 0;
    if (args.size() > 1 && !args[1].is_null()) {
      std::optional<int32_t> s = Scale(args[1]);
      if (!s) return Fail(ctx, name, "scale is not an integer in range");
      scale = *s;
    } else if (args.size() > 1) {
      return Fail(ctx, name, "scale is null");
    }
    Decimal n = args[0].number();
    return NumberOrFail(floor ? n.Floor(scale) : n.Ceiling(scale), ctx, name);
  };
}

Value Abs(std::span<const Value> args, CallContext& ctx) {
  const Value& n = args[0];
  if (n.is(Kind::kNumber)) return Value::Number(n.number().Abs());
  if (n.is(Kind::kDaysTimeDuration)) {
    const DaysTimeDuration& d = n.days_time_duration();
    return Value::FromDuration(d.IsNegative() ? d.Negate() : d);
  }
  if (n.is(Kind::kYearsMonthsDuration)) {
    const YearsMonthsDuration& d = n.years_months_duration();
    return Value::FromDuration(d.total_months() < 0 ? d.Negate() : d);
  }
  return Fail(ctx, "abs", "n is not a number or a duration");
}

Value Modulo(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kNumber) || !args[1].is(Kind::kNumber)) {
    return Fail(ctx, "modulo", "dividend and divisor must be numbers");
  }
  if (args[1].number().IsZero()) return Fail(ctx, "modulo", "division by zero");
  return NumberOrFail(args[0].number().Modulo(args[1].number()), ctx, "modulo");
}

BuiltinFunction Unary(std::string name, std::optional<Decimal> (Decimal::*op)() const) {
  return [name = std::move(name), op](std::span<const Value> args, CallContext& ctx) -> Value {
    if (!args[0].is(Kind::kNumber)) return Fail(ctx, name, "number is not a number");
    std::optional<Decimal> r = (args[0].number().*op)();
    if (!r) return Fail(ctx, name, "undefined for " + args[0].ToString());
    return Value::Number(*r);
  };
}

BuiltinFunction Parity(std::string name, bool odd) {
  return [name = std::move(name), odd](std::span<const Value> args, CallContext& ctx) -> Value {
    if (!args[0].is(Kind::kNumber)) return Fail(ctx, name, "number is not a number");
    Decimal n = args[0].number();
    if (!n.IsInteger()) return Fail(ctx, name, "number is not an integer");
    std::optional<Decimal> r = n.Modulo(Decimal::FromInt64(2));
    return Value::Boolean(r.has_value() && r->IsZero() != odd);
  };
}

}  // namespace

void RegisterNumericBuiltins(Registry& r) {
  r.Add({"decimal", {"n", "scale"}, 2, false, Rounding("decimal", RoundingMode::kHalfEven, false)});
  r.Add({"floor", {"n", "scale"}, 1, false, FloorOrCeiling("floor", true)});
  r.Add({"ceiling", {"n", "scale"}, 1, false, FloorOrCeiling("ceiling", false)});
  r.Add({"round up", {"n", "scale"}, 2, false, Rounding("round up", RoundingMode::kUp, false)});
  r.Add(
      {"round down", {"n", "scale"}, 2, false, Rounding("round down", RoundingMode::kDown, false)});
  r.Add({"round half up",
         {"n", "scale"},
         2,
         false,
         Rounding("round half up", RoundingMode::kHalfUp, false)});
  r.Add({"round half down",
         {"n", "scale"},
         2,
         false,
         Rounding("round half down", RoundingMode::kHalfDown, false)});
  r.Add({"abs", {"n"}, 1, false, Abs});
  r.Add({"modulo", {"dividend", "divisor"}, 2, false, Modulo});
  r.Add({"sqrt", {"number"}, 1, false, Unary("sqrt", &Decimal::Sqrt)});
  r.Add({"log", {"number"}, 1, false, Unary("log", &Decimal::Ln)});
  r.Add({"exp", {"number"}, 1, false, Unary("exp", &Decimal::Exp)});
  r.Add({"odd", {"number"}, 1, false, Parity("odd", true)});
  r.Add({"even", {"number"}, 1, false, Parity("even", false)});
}

}  // namespace tongban::feel
