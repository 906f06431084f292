#include "base/clock.h"

#include <fmt/format.h>

#include <ostream>

namespace tongban {
namespace {

Error InvalidDate(std::string_view field, std::string why) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{} is not a valid date", field),
               {{std::string(field), std::move(why)}});
}

}  // namespace

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock kClock;
  return kClock;
}

std::string_view WeekdayName(Weekday w) {
  static constexpr std::string_view kNames[] = {"monday", "tuesday",  "wednesday", "thursday",
                                                "friday", "saturday", "sunday"};
  return kNames[static_cast<int>(w) - 1];
}

Result<Date> Date::FromCivil(int year, int month, int day, std::string_view field) {
  if (year < kMinYear || year > kMaxYear) {
    return InvalidDate(field, fmt::format("year {} is outside 0001 to 9999", year));
  }
  if (month < 1 || month > 12) {
    return InvalidDate(field, fmt::format("month {} is not 01 to 12", month));
  }
  const int last = DaysInMonth(year, month);
  if (day < 1 || day > last) {
    return InvalidDate(field, fmt::format("day {} does not exist: {:04}-{:02} has {} days", day,
                                          year, month, last));
  }
  return Date(static_cast<int32_t>(DaysFromCivil(year, month, day)));
}

Result<Date> Date::Parse(std::string_view text, std::string_view field) {
  auto digits = [&](size_t from, size_t n, int* out) {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int year = 0, month = 0, day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits(0, 4, &year) ||
      !digits(5, 2, &month) || !digits(8, 2, &day)) {
    return InvalidDate(field, fmt::format("'{}' is not of the form YYYY-MM-DD", text));
  }
  return FromCivil(year, month, day, field);
}

std::string Date::ToString() const {
  const CivilDate c = civil();
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::ostream& operator<<(std::ostream& out, Date d) { return out << d.ToString(); }

Date DateInChina(Timestamp t) {
  const auto local =
      t + std::chrono::duration_cast<std::chrono::microseconds>(kChinaStandardOffset);
  return Date::FromDays(std::chrono::floor<std::chrono::days>(local).time_since_epoch().count());
}

Timestamp StartOfDayInChina(Date d) {
  return Timestamp(std::chrono::days(d.days())) - kChinaStandardOffset;
}

}  // namespace tongban
