// FEEL's temporal values as plain C++ types: date, time, date and time, days and time duration,
// years and months duration. Parsing of the XML Schema lexical forms FEEL's conversion
// functions accept, ISO 8601 formatting as FEEL's string() prints it, arithmetic, comparison and
// the properties (.year, .weekday, .time offset …). Named time zones (`@Asia/Shanghai`) are
// resolved through date/tz over the operating system's zone database (/usr/share/zoneinfo,
// never downloaded). Nothing here knows about a FEEL Value; an operation FEEL defines as null
// returns std::nullopt.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "feel/decimal.h"

namespace tongban::feel {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kSecondsPerDay = 86'400;
inline constexpr int64_t kNanosPerDay = kSecondsPerDay * kNanosPerSecond;
// The year range the DMN specification allows for dates.
inline constexpr int64_t kMinYear = -999'999'999;
inline constexpr int64_t kMaxYear = 999'999'999;

class DaysTimeDuration;
class YearsMonthsDuration;

// Where a time or a date and time is: nowhere (a local value), at a fixed UTC offset, or in a
// named IANA zone whose offset depends on the date.
class Zone {
 public:
  enum class Kind { kLocal, kOffset, kNamed };

  static Zone Local() { return Zone(); }
  // Offset in seconds east of UTC; FEEL/XML Schema allow -14:00..+14:00, we accept ±18:00 as
  // java.time does. nullopt outside.
  static std::optional<Zone> Offset(int32_t seconds);
  // An IANA zone id known to the zone database, such as "Asia/Shanghai", "Europe/Paris",
  // "Etc/UTC" or "UTC". nullopt for an unknown id.
  static std::optional<Zone> Named(std::string_view id);

  Kind kind() const { return kind_; }
  bool is_local() const { return kind_ == Kind::kLocal; }
  // Precondition: kind() == kOffset.
  int32_t offset_seconds() const { return offset_seconds_; }
  // Precondition: kind() == kNamed.
  const std::string& name() const { return name_; }

  // The UTC offset in effect at the given local civil time (days since 1970-01-01 plus seconds
  // into that day). For a named zone in a gap or an overlap, the earlier offset, as java.time
  // does. nullopt for a local zone.
  std::optional<int32_t> OffsetAt(int64_t local_days, int64_t local_seconds) const;

  // "", "Z", "+08:00", "@Asia/Shanghai": the suffix of the ISO form.
  std::string Suffix() const;

  bool operator==(const Zone&) const = default;

 private:
  Kind kind_ = Kind::kLocal;
  int32_t offset_seconds_ = 0;
  std::string name_;
};

// A point on the UTC time line: seconds since 1970-01-01T00:00:00Z plus nanoseconds [0, 1e9).
struct Instant {
  int64_t seconds = 0;
  int32_t nanos = 0;
  auto operator<=>(const Instant&) const = default;
};

// A proleptic Gregorian calendar date, years kMinYear..kMaxYear (year 0 is 1 BCE, as in XML
// Schema 1.1 and ISO 8601).
class Date {
 public:
  // 1970-01-01.
  Date() = default;
  // nullopt for an impossible date (2026-02-30) or a year out of range.
  static std::optional<Date> FromCivil(int64_t year, int64_t month, int64_t day);
  // Precondition: the day lies within the year range.
  static Date FromDays(int64_t days_since_epoch);
  // `2026-02-15`, `-0001-01-01`, `10000-01-01` (at least four year digits; more only without a
  // leading zero). No time zone suffix. nullopt for anything else.
  static std::optional<Date> Parse(std::string_view text);

  int64_t days() const { return days_; }  // since 1970-01-01
  int64_t year() const;
  int month() const;      // 1..12
  int day() const;        // 1..31
  int weekday() const;    // ISO: Monday 1 … Sunday 7
  int DayOfYear() const;  // 1..366
  // ISO 8601 week of the week-based year, 1..53.
  int IsoWeekOfYear() const;
  int LastDayOfMonth() const;  // 28..31
  // "Monday" … "Sunday", "January" … "December" (the English names FEEL returns).
  std::string_view DayOfWeekName() const;
  std::string_view MonthName() const;

  // `2026-02-15`; `-0001-01-01`; `10000-01-01`.
  std::string ToString() const;

  // Calendar arithmetic; the day is clamped to the end of a shorter month
  // (2026-01-31 + P1M = 2026-02-28). nullopt when the year leaves the range.
  std::optional<Date> Plus(const YearsMonthsDuration& d) const;
  // Adds whole days only (FEEL: date + days and time duration is the date of
  // date and time(date, 00:00) + duration). nullopt when out of range.
  std::optional<Date> Plus(const DaysTimeDuration& d) const;

  auto operator<=>(const Date&) const = default;

 private:
  explicit Date(int64_t days) : days_(days) {}
  int64_t days_ = 0;
};

// A time of day with nanosecond precision and an optional zone.
class Time {
 public:
  Time() = default;
  // hour 0..23, minute 0..59, second 0..59, nanos 0..999999999; nullopt otherwise.
  static std::optional<Time> FromParts(int64_t hour, int64_t minute, int64_t second, int64_t nanos,
                                       Zone zone = Zone::Local());
  // `10:30:00`, `10:30:00.123`, `10:30:00+08:00`, `10:30:00Z`, `10:30:00@Asia/Shanghai`;
  // `24:00:00` is midnight as XML Schema allows. nullopt for anything else (`24:00:01`).
  static std::optional<Time> Parse(std::string_view text);

  int64_t nanos_of_day() const { return nanos_; }
  int hour() const;
  int minute() const;
  int second() const;
  int nanosecond() const;  // the fraction of the second, 0..999999999
  const Zone& zone() const { return zone_; }
  // `.time offset`: the zone's offset as a duration (a named zone's offset on 1970-01-01, as a
  // time has no date); nullopt for a local time.
  std::optional<DaysTimeDuration> TimeOffset() const;
  // `.timezone`: the IANA id of a named zone, else nullopt.
  std::optional<std::string> TimezoneName() const;

  // `10:30:00`, `10:30:00.5+08:00`, `10:30:00Z`, `10:30:00@Asia/Shanghai`.
  std::string ToString() const;

  // Wraps around midnight; the zone is kept.
  Time Plus(const DaysTimeDuration& d) const;
  // this - other, both local or both zoned (compared on 1970-01-01 UTC); nullopt when one is
  // local and the other not.
  std::optional<DaysTimeDuration> Minus(const Time& other) const;
  // Ordering; two local times compare by their clock reading, two zoned ones by the instant on
  // 1970-01-01. nullopt when one is local and the other zoned (FEEL: null).
  std::optional<std::strong_ordering> Compare(const Time& other) const;

  // Same reading and same zone (FEEL's `is`).
  bool operator==(const Time&) const = default;

 private:
  int64_t nanos_ = 0;
  Zone zone_;
};

// A date and a time of day, with the time's zone.
class DateTime {
 public:
  DateTime() = default;
  DateTime(Date date, Time time) : date_(date), time_(std::move(time)) {}
  // `2026-02-15T10:30:00`, `…T10:30:00.5+08:00`, `…T10:30:00Z`,
  // `2026-02-15T10:30:00@Europe/Paris`; `T24:00:00` is midnight of the next day. A bare date is
  // not accepted here (the FEEL function `date and time("2026-02-15")` is, as midnight: the
  // built-in does that).
  static std::optional<DateTime> Parse(std::string_view text);
  // The instant `ts` in `zone` (a local zone reads it as UTC without a zone): `now()`.
  static DateTime FromTimestamp(Timestamp ts, const Zone& zone);

  const Date& date() const { return date_; }
  const Time& time() const { return time_; }
  const Zone& zone() const { return time_.zone(); }
  // The offset in effect (a named zone's offset at this date and time); nullopt if local.
  std::optional<int32_t> OffsetSeconds() const;
  std::optional<DaysTimeDuration> TimeOffset() const;
  std::optional<std::string> TimezoneName() const;
  // The point on the time line; nullopt for a local date and time.
  std::optional<Instant> ToInstant() const;

  // `2026-02-15T10:30:00`, `2026-02-15T10:30:00+08:00`, `2026-02-15T10:30:00@Europe/Paris`.
  std::string ToString() const;

  // Adds to the local reading and keeps the zone; nullopt when the year leaves the range.
  std::optional<DateTime> Plus(const DaysTimeDuration& d) const;
  // Calendar months, day clamped to the month's end; the time and zone are kept.
  std::optional<DateTime> Plus(const YearsMonthsDuration& d) const;
  // this - other: both local (reading difference) or both zoned (instant difference); nullopt
  // when one is local and the other zoned.
  std::optional<DaysTimeDuration> Minus(const DateTime& other) const;
  // Instants when both are zoned, readings when both local; nullopt when mixed.
  std::optional<std::strong_ordering> Compare(const DateTime& other) const;

  // Same reading and the same zone (FEEL's `is`).
  bool operator==(const DateTime&) const = default;

 private:
  Date date_;
  Time time_;
};

// A signed length of time in days, hours, minutes and seconds, nanosecond precision.
// Invariant: seconds_ and nanos_ never have opposite signs and |nanos_| < 1e9.
class DaysTimeDuration {
 public:
  DaysTimeDuration() = default;
  // Normalises any combination (seconds 5, nanos -1 is 4.999999999 s). nullopt on overflow.
  static std::optional<DaysTimeDuration> FromParts(int64_t seconds, int64_t nanos);
  static DaysTimeDuration FromSeconds(int64_t seconds) { return DaysTimeDuration(seconds, 0); }
  // `P1DT2H30M`, `-PT5M`, `PT0.5S`, `P2D`, `PT36H`: only day and time parts (no Y or M before
  // the T); at least one part; a T must be followed by a part. nullopt for anything else.
  static std::optional<DaysTimeDuration> Parse(std::string_view text);

  int64_t total_seconds() const { return seconds_; }  // truncated towards zero
  int32_t nanos() const { return nanos_; }            // same sign as total_seconds()
  bool IsNegative() const { return seconds_ < 0 || nanos_ < 0; }
  // The components FEEL's properties return, each with the duration's sign:
  // PT36H -> days 1, hours 12.
  int64_t days() const;
  int64_t hours() const;
  int64_t minutes() const;
  int64_t seconds() const;
  // The whole length in seconds, fraction included (`duration / duration`, `number`).
  Decimal ToDecimalSeconds() const;
  // Normalised ISO 8601: `P1DT12H`, `PT0.5S`, `-PT5M`, `PT0S`.
  std::string ToString() const;

  std::optional<DaysTimeDuration> Plus(const DaysTimeDuration& other) const;
  std::optional<DaysTimeDuration> Minus(const DaysTimeDuration& other) const;
  DaysTimeDuration Negate() const;
  // The number is a Decimal; the result is rounded half-even to the nanosecond. nullopt on
  // overflow or division by zero.
  std::optional<DaysTimeDuration> Times(const Decimal& factor) const;
  std::optional<DaysTimeDuration> DividedBy(const Decimal& divisor) const;
  // duration / duration: a number; nullopt for a zero divisor.
  std::optional<Decimal> DividedBy(const DaysTimeDuration& divisor) const;

  auto operator<=>(const DaysTimeDuration&) const = default;

 private:
  DaysTimeDuration(int64_t seconds, int32_t nanos) : seconds_(seconds), nanos_(nanos) {}
  int64_t seconds_ = 0;
  int32_t nanos_ = 0;
};

// A signed whole number of months, shown as years and months.
class YearsMonthsDuration {
 public:
  YearsMonthsDuration() = default;
  static YearsMonthsDuration FromMonths(int64_t months) { return YearsMonthsDuration(months); }
  // `P1Y2M`, `P65Y11M`, `-P3M`, `P14M` (normalised to P1Y2M): only Y and M parts; at least one.
  // nullopt for anything else (`P1Y2D`, `PT1H`).
  static std::optional<YearsMonthsDuration> Parse(std::string_view text);
  // FEEL `years and months duration(from, to)`: the whole months from `from` to `to`
  // (negative when `to` is earlier), counting a month only once its day (and time) is reached.
  static YearsMonthsDuration Between(const Date& from, const Date& to);
  static YearsMonthsDuration Between(const DateTime& from, const DateTime& to);

  int64_t total_months() const { return months_; }
  int64_t years() const { return months_ / 12; }   // with the duration's sign
  int64_t months() const { return months_ % 12; }  // with the duration's sign
  // `P1Y2M`, `P2Y`, `P3M`, `-P1Y`, `P0M`.
  std::string ToString() const;

  std::optional<YearsMonthsDuration> Plus(const YearsMonthsDuration& other) const;
  std::optional<YearsMonthsDuration> Minus(const YearsMonthsDuration& other) const;
  YearsMonthsDuration Negate() const { return YearsMonthsDuration(-months_); }
  // Whole months, truncated towards zero (P1Y * 1.5 = P1Y6M, P1M * 1.5 = P1M). nullopt on
  // overflow or division by zero.
  std::optional<YearsMonthsDuration> Times(const Decimal& factor) const;
  std::optional<YearsMonthsDuration> DividedBy(const Decimal& divisor) const;
  std::optional<Decimal> DividedBy(const YearsMonthsDuration& divisor) const;

  auto operator<=>(const YearsMonthsDuration&) const = default;

 private:
  explicit YearsMonthsDuration(int64_t months) : months_(months) {}
  int64_t months_ = 0;
};

}  // namespace tongban::feel
