// FEEL functions over base/calendar.h.
#include "feel/platform_functions.h"

namespace tongban::feel {
namespace {

// A FEEL date as a calendar date, or nullopt outside years 1..9999.
std::optional<tongban::Date> ToCalendarDate(const Value& v) {
  if (!v.is(Kind::kDate)) return std::nullopt;
  const int64_t days = v.date().days();
  if (!tongban::Date::InRange(days)) return std::nullopt;
  return tongban::Date::FromDays(days);
}

}  // namespace

void AddCalendarFunctions(Scope& scope, const Calendar& calendar) {
  const Calendar* cal = &calendar;
  scope.AddFunction(
      {"add working days",
       {"date", "n"},
       2,
       false,
       [cal](std::span<const Value> args, CallContext& ctx) -> Value {
         // A date and time (a BPMN timer's `add working days(now(), 3)`) moves by working days
         // and keeps its time of day.
         const bool timed = args[0].is(Kind::kDateTime);
         std::optional<tongban::Date> from =
             ToCalendarDate(timed ? Value::FromDate(args[0].date_time().date()) : args[0]);
         if (!from || !args[1].is_small_int()) {
           ctx.Warn(
               "add working days: expects a date or date and time (years 1-9999) and a whole "
               "number");
           return {};
         }
         Result<CalendarDate> r = cal->AddWorkingDays(*from, args[1].small_int());
         if (!r.ok()) {
           ctx.Warn("add working days: " + r.error().message());
           return {};
         }
         if (r->provisional) {
           ctx.Warn(
               "add working days: the holiday schedule of a year involved is not loaded; "
               "the result counts weekends only");
         }
         const feel::Date day = feel::Date::FromDays(r->date.days());
         if (timed) return Value::FromDateTime(DateTime(day, args[0].date_time().time()));
         return Value::FromDate(day);
       }});
  scope.AddFunction({"working days between",
                     {"from", "to"},
                     2,
                     false,
                     [cal](std::span<const Value> args, CallContext& ctx) -> Value {
                       std::optional<tongban::Date> from = ToCalendarDate(args[0]);
                       std::optional<tongban::Date> to = ToCalendarDate(args[1]);
                       if (!from || !to) {
                         ctx.Warn("working days between: expects two dates (years 1-9999)");
                         return {};
                       }
                       WorkingDayCount c = cal->WorkingDaysBetween(*from, *to);
                       if (c.provisional) {
                         ctx.Warn(
                             "working days between: the holiday schedule of a year involved is not "
                             "loaded; the count uses weekends only");
                       }
                       return Value::Number(c.days);
                     }});
}

}  // namespace tongban::feel
