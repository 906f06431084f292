// Temporal built-ins (DMN 1.5 §10.3.4.6–7): day of year, day of week, month of year, week of
// year, last day of month, now, today, and `is`. Registered as the group "Temporal".
#include "feel/builtins_util.h"

namespace tongban::feel {
namespace {

using builtins::Fail;

// `now()` and `today()` read the system clock in China Standard Time, the zone a case's "today"
// is counted in (base/clock.h).
const Zone& PlatformZone() {
  static const Zone* zone =
      new Zone(Zone::Named("Asia/Shanghai").value_or(*Zone::Offset(8 * 3600)));
  return *zone;
}

std::optional<Date> DateOf(const Value& v) {
  if (v.is(Kind::kDate)) return v.date();
  if (v.is(Kind::kDateTime)) return v.date_time().date();
  return std::nullopt;
}

BuiltinFunction OnDate(std::string name, Value (*f)(const Date&)) {
  return [name = std::move(name), f](std::span<const Value> args, CallContext& ctx) -> Value {
    std::optional<Date> d = DateOf(args[0]);
    if (!d) return Fail(ctx, name, "date is not a date or date and time");
    return f(*d);
  };
}

Value Now(std::span<const Value> /*args*/, CallContext& /*ctx*/) {
  return Value::FromDateTime(
      DateTime::FromTimestamp(SystemClock::Instance().Now(), PlatformZone()));
}

Value Today(std::span<const Value> /*args*/, CallContext& /*ctx*/) {
  return Value::FromDate(
      DateTime::FromTimestamp(SystemClock::Instance().Now(), PlatformZone()).date());
}

// `is(a, b)`: the same kind and the same value, including the zone of times (where `=`
// compares instants).
Value Is(std::span<const Value> args, CallContext& /*ctx*/) {
  const Value& a = args[0];
  const Value& b = args[1];
  if (a.kind() != b.kind()) return Value::Boolean(false);
  if (a.is(Kind::kTime)) return Value::Boolean(a.time() == b.time());
  if (a.is(Kind::kDateTime)) return Value::Boolean(a.date_time() == b.date_time());
  return Value::Boolean(Equal(a, b).value_or(false));
}

}  // namespace

void RegisterTemporalBuiltins(Registry& r) {
  r.Add({"day of year", {"date"}, 1, false, OnDate("day of year", [](const Date& d) {
           return Value::Number(int64_t{d.DayOfYear()});
         })});
  r.Add({"day of week", {"date"}, 1, false, OnDate("day of week", [](const Date& d) {
           return Value::String(std::string(d.DayOfWeekName()));
         })});
  r.Add({"month of year", {"date"}, 1, false, OnDate("month of year", [](const Date& d) {
           return Value::String(std::string(d.MonthName()));
         })});
  r.Add({"week of year", {"date"}, 1, false, OnDate("week of year", [](const Date& d) {
           return Value::Number(int64_t{d.IsoWeekOfYear()});
         })});
  r.Add({"last day of month", {"date"}, 1, false, OnDate("last day of month", [](const Date& d) {
           return Value::Number(int64_t{d.LastDayOfMonth()});
         })});
  r.Add({"now", {}, 0, false, Now});
  r.Add({"today", {}, 0, false, Today});
  r.Add({"is", {"value1", "value2"}, 2, false, Is});
}

}  // namespace tongban::feel
