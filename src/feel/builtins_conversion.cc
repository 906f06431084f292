// Conversion built-ins (DMN 1.5 §10.3.4.1): date, date and time, time, number, string,
// duration, years and months duration. Registered as the group "Conversion".
#include <string>

#include "feel/builtins_util.h"

namespace tongban::feel {
namespace {

using builtins::Fail;
using builtins::Integer;

Value DateFrom(std::span<const Value> args, CallContext& ctx) {
  const Value& from = args[0];
  switch (from.kind()) {
    case Kind::kString:
      if (std::optional<Date> d = Date::Parse(from.string())) return Value::FromDate(*d);
      return Fail(ctx, "date", "'" + from.string() + "' is not a date");
    case Kind::kDate:
      return from;
    case Kind::kDateTime:
      return Value::FromDate(from.date_time().date());
    default:
      return Fail(ctx, "date", "the argument is not a string or a date and time");
  }
}

Value DateFromParts(std::span<const Value> args, CallContext& ctx) {
  std::optional<int64_t> y = Integer(args[0]);
  std::optional<int64_t> m = Integer(args[1]);
  std::optional<int64_t> d = Integer(args[2]);
  if (!y || !m || !d) return Fail(ctx, "date", "year, month and day must be integers");
  if (std::optional<Date> date = Date::FromCivil(*y, *m, *d)) return Value::FromDate(*date);
  return Fail(ctx, "date", "no such date");
}

Value DateTimeFrom(std::span<const Value> args, CallContext& ctx) {
  const Value& from = args[0];
  switch (from.kind()) {
    case Kind::kString: {
      if (std::optional<DateTime> dt = DateTime::Parse(from.string())) {
        return Value::FromDateTime(*dt);
      }
      if (std::optional<Date> d = Date::Parse(from.string())) {
        return Value::FromDateTime(DateTime(*d, Time()));
      }
      return Fail(ctx, "date and time", "'" + from.string() + "' is not a date and time");
    }
    case Kind::kDateTime:
      return from;
    case Kind::kDate:
      return Value::FromDateTime(DateTime(from.date(), Time()));
    default:
      return Fail(ctx, "date and time", "the argument is not a string");
  }
}

Value DateTimeFromParts(std::span<const Value> args, CallContext& ctx) {
  const Value& date = args[0];
  const Value& time = args[1];
  if (!time.is(Kind::kTime)) return Fail(ctx, "date and time", "time is not a time");
  if (date.is(Kind::kDate)) return Value::FromDateTime(DateTime(date.date(), time.time()));
  if (date.is(Kind::kDateTime)) {
    return Value::FromDateTime(DateTime(date.date_time().date(), time.time()));
  }
  return Fail(ctx, "date and time", "date is not a date");
}

Value TimeFrom(std::span<const Value> args, CallContext& ctx) {
  const Value& from = args[0];
  switch (from.kind()) {
    case Kind::kString:
      if (std::optional<Time> t = Time::Parse(from.string())) return Value::FromTime(*t);
      return Fail(ctx, "time", "'" + from.string() + "' is not a time");
    case Kind::kTime:
      return from;
    case Kind::kDateTime:
      return Value::FromTime(from.date_time().time());
    case Kind::kDate:
      // Midnight UTC, as the specification says for a date.
      return Value::FromTime(*Time::FromParts(0, 0, 0, 0, *Zone::Offset(0)));
    default:
      return Fail(ctx, "time", "the argument is not a string, date or date and time");
  }
}

Value TimeFromParts(std::span<const Value> args, CallContext& ctx) {
  std::optional<int64_t> h = Integer(args[0]);
  std::optional<int64_t> m = Integer(args[1]);
  if (!h || !m || !args[2].is(Kind::kNumber)) {
    return Fail(ctx, "time", "hour and minute must be integers and second a number");
  }
  // The second may carry a fraction: split it into whole seconds and nanoseconds.
  Decimal second = args[2].number();
  std::optional<Decimal> whole = second.Floor(0);
  std::optional<Decimal> nanos =
      whole ? second.Subtract(*whole)->Multiply(Decimal::FromInt64(kNanosPerSecond)) : std::nullopt;
  std::optional<int64_t> s = whole ? whole->ToInt64() : std::nullopt;
  std::optional<int64_t> n =
      nanos ? nanos->Round(0, RoundingMode::kHalfEven)->ToInt64() : std::nullopt;
  if (!s || !n) return Fail(ctx, "time", "second is out of range");
  Zone zone = Zone::Local();
  if (args.size() > 3 && !args[3].is_null()) {
    if (!args[3].is(Kind::kDaysTimeDuration)) {
      return Fail(ctx, "time", "offset is not a days and time duration");
    }
    const DaysTimeDuration& off = args[3].days_time_duration();
    std::optional<Zone> z =
        off.nanos() == 0 ? Zone::Offset(static_cast<int32_t>(off.total_seconds())) : std::nullopt;
    if (!z) return Fail(ctx, "time", "offset is out of range");
    zone = *z;
  }
  if (std::optional<Time> t = Time::FromParts(*h, *m, *s, *n, zone)) return Value::FromTime(*t);
  return Fail(ctx, "time", "no such time");
}

Value NumberFrom(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kString)) return Fail(ctx, "number", "from is not a string");
  std::string grouping;
  std::string decimal = ".";
  if (args.size() > 1 && !args[1].is_null()) {
    if (!args[1].is(Kind::kString))
      return Fail(ctx, "number", "grouping separator is not a string");
    grouping = args[1].string();
    if (grouping != " " && grouping != "," && grouping != ".") {
      return Fail(ctx, "number", "grouping separator must be ' ', ',' or '.'");
    }
  }
  if (args.size() > 2 && !args[2].is_null()) {
    if (!args[2].is(Kind::kString)) return Fail(ctx, "number", "decimal separator is not a string");
    decimal = args[2].string();
    if (decimal != "," && decimal != ".") {
      return Fail(ctx, "number", "decimal separator must be ',' or '.'");
    }
  }
  if (!grouping.empty() && grouping == decimal) {
    return Fail(ctx, "number", "the grouping and decimal separators must differ");
  }
  std::string text;
  for (char c : args[0].string()) {
    if (!grouping.empty() && c == grouping[0]) continue;
    if (c == decimal[0]) {
      text += '.';
    } else if (c == '.') {
      text += '#';  // a dot that is not the decimal separator makes the text invalid
    } else {
      text += c;
    }
  }
  if (std::optional<Decimal> d = Decimal::Parse(text)) return Value::Number(*d);
  return Fail(ctx, "number", "'" + args[0].string() + "' is not a number");
}

Value StringFrom(std::span<const Value> args, CallContext& /*ctx*/) {
  const Value& from = args[0];
  if (from.is_null()) return {};
  if (from.is(Kind::kString)) return from;
  return Value::String(from.ToString());
}

Value DurationFrom(std::span<const Value> args, CallContext& ctx) {
  const Value& from = args[0];
  if (from.is(Kind::kDaysTimeDuration) || from.is(Kind::kYearsMonthsDuration)) return from;
  if (!from.is(Kind::kString)) return Fail(ctx, "duration", "from is not a string");
  if (std::optional<YearsMonthsDuration> ym = YearsMonthsDuration::Parse(from.string())) {
    return Value::FromDuration(*ym);
  }
  if (std::optional<DaysTimeDuration> dt = DaysTimeDuration::Parse(from.string())) {
    return Value::FromDuration(*dt);
  }
  return Fail(ctx, "duration", "'" + from.string() + "' is not a duration");
}

std::optional<DateTime> AsDateTime(const Value& v) {
  if (v.is(Kind::kDateTime)) return v.date_time();
  if (v.is(Kind::kDate)) return DateTime(v.date(), Time());
  return std::nullopt;
}

Value YearsMonthsBetween(std::span<const Value> args, CallContext& ctx) {
  if (args[0].is(Kind::kDate) && args[1].is(Kind::kDate)) {
    return Value::FromDuration(YearsMonthsDuration::Between(args[0].date(), args[1].date()));
  }
  std::optional<DateTime> from = AsDateTime(args[0]);
  std::optional<DateTime> to = AsDateTime(args[1]);
  if (!from || !to) {
    return Fail(ctx, "years and months duration", "from and to must be dates or date and times");
  }
  // Whole months between the dates alone: the times and zones do not count (TCK 1121:
  // 2014-12-31T23:59:59 to 2016-12-31T00:00:01 is P2Y).
  return Value::FromDuration(YearsMonthsDuration::Between(from->date(), to->date()));
}

}  // namespace

void RegisterConversionBuiltins(Registry& r) {
  r.Add({"date", {"from"}, 1, false, DateFrom});
  r.Add({"date", {"year", "month", "day"}, 3, false, DateFromParts});
  r.Add({"date and time", {"from"}, 1, false, DateTimeFrom});
  r.Add({"date and time", {"date", "time"}, 2, false, DateTimeFromParts});
  r.Add({"time", {"from"}, 1, false, TimeFrom});
  r.Add({"time", {"hour", "minute", "second", "offset"}, 3, false, TimeFromParts});
  r.Add({"number", {"from", "grouping separator", "decimal separator"}, 1, false, NumberFrom});
  r.Add({"string", {"from"}, 1, false, StringFrom});
  r.Add({"duration", {"from"}, 1, false, DurationFrom});
  r.Add({"years and months duration", {"from", "to"}, 2, false, YearsMonthsBetween});
}

}  // namespace tongban::feel
