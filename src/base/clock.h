// Time for the platform: an injectable clock (tests use FakeClock, never sleep) and the civil
// Date that limits, due dates and working days are counted in. A case's "today" is the date in
// China Standard Time (UTC+8, no daylight saving), whatever the server's own time zone.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tongban {

// A point in time, UTC, microsecond precision (what PostgreSQL's timestamptz keeps).
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// Where the time comes from. Services take a `const Clock&` so that tests can fix and move it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The operating system's wall clock.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
  // One shared instance, for composition roots.
  static const SystemClock& Instance();
};

// A clock that only moves when told to. Safe to read and set from several threads.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start) : now_(start.time_since_epoch().count()) {}
  Timestamp Now() const override { return Timestamp(std::chrono::microseconds(now_.load())); }
  void Set(Timestamp t) { now_.store(t.time_since_epoch().count()); }
  void Advance(std::chrono::microseconds d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> now_;
};

// ISO weekday numbers: Monday 1 … Sunday 7.
enum class Weekday : uint8_t {
  kMonday = 1,
  kTuesday,
  kWednesday,
  kThursday,
  kFriday,
  kSaturday,
  kSunday
};

// "monday" … "sunday".
std::string_view WeekdayName(Weekday w);

// Year, month and day of a Date.
struct CivilDate {
  int year;
  int month;  // 1..12
  int day;    // 1..31
};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
// Precondition: month 1..12, day 1..31; constant time, no loops.
constexpr int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t yoe = year - era * 400;
  const int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The inverse of DaysFromCivil.
constexpr CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0)), month, day};
}

// Days in `month` of `year` (proleptic Gregorian).
constexpr int DaysInMonth(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// A calendar date without time or zone, years 0001 to 9999. Cheap to copy (one int32);
// comparisons and day arithmetic are integer operations.
class Date {
 public:
  static constexpr int kMinYear = 1;
  static constexpr int kMaxYear = 9999;

  // 1970-01-01.
  constexpr Date() = default;

  // The date `days` after 1970-01-01 (negative: before). Precondition: within years 1..9999;
  // callers that compute days from input check with InRange() first.
  static constexpr Date FromDays(int64_t days) { return Date(static_cast<int32_t>(days)); }
  static constexpr bool InRange(int64_t days) { return days >= kMinDays && days <= kMaxDays; }
  static constexpr Date Min() { return Date(kMinDays); }
  static constexpr Date Max() { return Date(kMaxDays); }

  // A validated date; the error names `field` and says what is wrong (month, day of month).
  static Result<Date> FromCivil(int year, int month, int day, std::string_view field = "date");
  // Parses the ISO 8601 calendar form "YYYY-MM-DD" exactly (no time, no zone, no spaces).
  static Result<Date> Parse(std::string_view text, std::string_view field = "date");

  constexpr int64_t days() const { return days_; }
  constexpr CivilDate civil() const { return CivilFromDays(days_); }
  constexpr int year() const { return civil().year; }
  constexpr Weekday weekday() const {
    // 1970-01-01 was a Thursday (ISO 4).
    int64_t w = (static_cast<int64_t>(days_) + 3) % 7;
    if (w < 0) w += 7;
    return static_cast<Weekday>(w + 1);
  }
  constexpr bool IsWeekend() const { return weekday() >= Weekday::kSaturday; }

  // Precondition: the result is within years 1..9999.
  constexpr Date AddDays(int64_t n) const { return FromDays(days_ + n); }

  // "YYYY-MM-DD".
  std::string ToString() const;

  constexpr auto operator<=>(const Date&) const = default;

 private:
  static constexpr int32_t kMinDays = static_cast<int32_t>(DaysFromCivil(kMinYear, 1, 1));
  static constexpr int32_t kMaxDays = static_cast<int32_t>(DaysFromCivil(kMaxYear, 12, 31));

  constexpr explicit Date(int32_t days) : days_(days) {}

  int32_t days_ = 0;
};

std::ostream& operator<<(std::ostream& out, Date d);

// China Standard Time: UTC+8 all year (no daylight saving since 1991).
inline constexpr std::chrono::hours kChinaStandardOffset{8};

// The date in China Standard Time at instant `t`.
Date DateInChina(Timestamp t);
// The instant 00:00 China Standard Time of `d` begins.
Timestamp StartOfDayInChina(Date d);
// Today for a case: the date in China Standard Time on `clock`.
inline Date TodayInChina(const Clock& clock) { return DateInChina(clock.Now()); }

}  // namespace tongban
