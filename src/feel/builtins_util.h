// Small helpers shared by the builtins_*.cc groups: argument checks that turn a wrong argument
// into null plus a warning naming the function, as FEEL wants.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "feel/builtins.h"

namespace tongban::feel::builtins {

// Warns "<fn>: <why>" and returns null.
inline Value Fail(CallContext& ctx, std::string_view fn, std::string_view why) {
  ctx.Warn(fmt::format("{}: {}", fn, why));
  return {};
}

// An integer number argument, else nullopt.
inline std::optional<int64_t> Integer(const Value& v) {
  if (!v.is(Kind::kNumber)) return std::nullopt;
  if (v.is_small_int()) return v.small_int();
  return v.number().ToInt64();
}

// A list argument, or the variadic arguments themselves (`mean(1, 2)` = `mean([1, 2])`).
inline std::span<const Value> Items(std::span<const Value> args) {
  if (args.size() == 1 && args[0].is(Kind::kList)) return args[0].list();
  return args;
}

// A number result, or null plus a warning when the arithmetic failed (overflow, NaN).
inline Value NumberOrFail(const std::optional<Decimal>& d, CallContext& ctx, std::string_view fn) {
  if (!d) return Fail(ctx, fn, "the result is not a finite number");
  return Value::Number(*d);
}

}  // namespace tongban::feel::builtins
