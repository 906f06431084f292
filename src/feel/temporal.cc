// Civil-calendar arithmetic after Howard Hinnant's days_from_civil/civil_from_days (valid for
// every int64 year we allow); named zones through date/tz (USE_OS_TZDB: the system's
// /usr/share/zoneinfo, no download).
#include "feel/temporal.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <stdexcept>

namespace tongban::feel {
namespace {

constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

constexpr int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year;
  int month;
  int day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), static_cast<int>(m), static_cast<int>(d)};
}

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int DaysInMonth(int64_t y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

constexpr int64_t kMinDays = DaysFromCivil(kMinYear, 1, 1);
constexpr int64_t kMaxDays = DaysFromCivil(kMaxYear, 12, 31);

bool DaysInRange(int64_t days) { return days >= kMinDays && days <= kMaxDays; }

// A small cursor over lexical forms.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool AtEnd() const { return i_ == s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[i_]; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++i_;
    return true;
  }
  // Exactly `n` digits.
  std::optional<int64_t> Digits(size_t n) {
    if (s_.size() - i_ < n) return std::nullopt;
    int64_t v = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = s_[i_ + k];
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    i_ += n;
    return v;
  }
  // One or more digits as a string (for overflow-checked or fractional parsing).
  std::string_view DigitRun() {
    size_t start = i_;
    while (!AtEnd() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return s_.substr(start, i_ - start);
  }
  std::string_view Rest() const { return s_.substr(i_); }
  void SkipToEnd() { i_ = s_.size(); }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

std::optional<int64_t> ToInt(std::string_view digits) {
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

std::optional<Date> ParseDate(Scanner& sc) {
  bool negative = sc.Eat('-');
  std::string_view year_digits = sc.DigitRun();
  if (year_digits.size() < 4 || year_digits.size() > 9) return std::nullopt;
  if (year_digits.size() > 4 && year_digits[0] == '0') return std::nullopt;
  int64_t year = *ToInt(year_digits);
  if (negative) year = -year;
  if (!sc.Eat('-')) return std::nullopt;
  std::optional<int64_t> month = sc.Digits(2);
  if (!month || !sc.Eat('-')) return std::nullopt;
  std::optional<int64_t> day = sc.Digits(2);
  if (!day) return std::nullopt;
  return Date::FromCivil(year, *month, *day);
}

// A zone suffix: Z, z, +hh:mm, -hh:mm, @iana; or nothing.
std::optional<Zone> ParseZone(Scanner& sc) {
  if (sc.AtEnd()) return Zone::Local();
  if (sc.Eat('Z') || sc.Eat('z')) return Zone::Offset(0);
  if (sc.Eat('@')) {
    std::string_view id = sc.Rest();
    sc.SkipToEnd();
    return Zone::Named(id);
  }
  int sign = 0;
  if (sc.Eat('+')) {
    sign = 1;
  } else if (sc.Eat('-')) {
    sign = -1;
  } else {
    return std::nullopt;
  }
  std::optional<int64_t> h = sc.Digits(2);
  if (!h || !sc.Eat(':')) return std::nullopt;
  std::optional<int64_t> m = sc.Digits(2);
  if (!m || *m > 59) return std::nullopt;
  int64_t seconds = *h * 3600 + *m * 60;
  if (sc.Eat(':')) {
    std::optional<int64_t> s = sc.Digits(2);
    if (!s || *s > 59) return std::nullopt;
    seconds += *s;
  }
  return Zone::Offset(static_cast<int32_t>(sign * seconds));
}

struct ParsedTime {
  Time time;
  bool end_of_day = false;  // 24:00:00, which is midnight of the next day
};

std::optional<ParsedTime> ParseTime(Scanner& sc) {
  std::optional<int64_t> h = sc.Digits(2);
  if (!h || !sc.Eat(':')) return std::nullopt;
  std::optional<int64_t> m = sc.Digits(2);
  if (!m || !sc.Eat(':')) return std::nullopt;
  std::optional<int64_t> s = sc.Digits(2);
  if (!s) return std::nullopt;
  int64_t nanos = 0;
  if (sc.Eat('.')) {
    std::string_view frac = sc.DigitRun();
    if (frac.empty()) return std::nullopt;
    for (size_t k = 0; k < 9; ++k) {
      nanos = nanos * 10 + (k < frac.size() ? frac[k] - '0' : 0);
    }
  }
  std::optional<Zone> zone = ParseZone(sc);
  if (!zone || !sc.AtEnd()) return std::nullopt;
  ParsedTime out;
  if (*h == 24 && *m == 0 && *s == 0 && nanos == 0) {
    out.end_of_day = true;
    h = 0;
  }
  std::optional<Time> t = Time::FromParts(*h, *m, *s, nanos, *zone);
  if (!t) return std::nullopt;
  out.time = *t;
  return out;
}

std::string FormatFraction(int64_t nanos) {
  if (nanos == 0) return "";
  std::string f = fmt::format("{:09d}", nanos);
  while (f.back() == '0') f.pop_back();
  return "." + f;
}

std::string FormatClock(int64_t nanos_of_day) {
  int64_t secs = nanos_of_day / kNanosPerSecond;
  return fmt::format("{:02d}:{:02d}:{:02d}{}", secs / 3600, secs / 60 % 60, secs % 60,
                     FormatFraction(nanos_of_day % kNanosPerSecond));
}

const date::time_zone* LocateZone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

// date/tz works on years that fit date::year; clamp far dates to the edge of that range, where
// the zone's rules are whatever they are at the edge.
constexpr int64_t kTzMinSeconds = -(int64_t{30000} * 366 * kSecondsPerDay);
constexpr int64_t kTzMaxSeconds = int64_t{30000} * 366 * kSecondsPerDay;

int64_t ClampForTz(int64_t s) { return std::clamp(s, kTzMinSeconds, kTzMaxSeconds); }

}  // namespace

// ---- Zone

std::optional<Zone> Zone::Offset(int32_t seconds) {
  if (seconds < -18 * 3600 || seconds > 18 * 3600) return std::nullopt;
  Zone z;
  z.kind_ = Kind::kOffset;
  z.offset_seconds_ = seconds;
  return z;
}

std::optional<Zone> Zone::Named(std::string_view id) {
  if (id.empty()) return std::nullopt;
  std::string name(id);
  if (LocateZone(name) == nullptr) return std::nullopt;
  Zone z;
  z.kind_ = Kind::kNamed;
  z.name_ = std::move(name);
  return z;
}

std::optional<int32_t> Zone::OffsetAt(int64_t local_days, int64_t local_seconds) const {
  switch (kind_) {
    case Kind::kLocal:
      return std::nullopt;
    case Kind::kOffset:
      return offset_seconds_;
    case Kind::kNamed: {
      const date::time_zone* tz = LocateZone(name_);
      if (tz == nullptr) return std::nullopt;
      int64_t s = ClampForTz(local_days * kSecondsPerDay + local_seconds);
      date::local_info info = tz->get_info(date::local_seconds(std::chrono::seconds(s)));
      return static_cast<int32_t>(info.first.offset.count());
    }
  }
  return std::nullopt;
}

std::string Zone::Suffix() const {
  switch (kind_) {
    case Kind::kLocal:
      return "";
    case Kind::kNamed:
      return "@" + name_;
    case Kind::kOffset: {
      if (offset_seconds_ == 0) return "Z";
      int32_t a = offset_seconds_ < 0 ? -offset_seconds_ : offset_seconds_;
      std::string s =
          fmt::format("{}{:02d}:{:02d}", offset_seconds_ < 0 ? '-' : '+', a / 3600, a / 60 % 60);
      if (a % 60 != 0) s += fmt::format(":{:02d}", a % 60);
      return s;
    }
  }
  return "";
}

// ---- Date

std::optional<Date> Date::FromCivil(int64_t year, int64_t month, int64_t day) {
  if (year < kMinYear || year > kMaxYear || month < 1 || month > 12 || day < 1) {
    return std::nullopt;
  }
  if (day > DaysInMonth(year, static_cast<int>(month))) return std::nullopt;
  return Date(DaysFromCivil(year, month, day));
}

Date Date::FromDays(int64_t days_since_epoch) { return Date(days_since_epoch); }

std::optional<Date> Date::Parse(std::string_view text) {
  Scanner sc(text);
  std::optional<Date> d = ParseDate(sc);
  if (!d || !sc.AtEnd()) return std::nullopt;
  return d;
}

int64_t Date::year() const { return CivilFromDays(days_).year; }
int Date::month() const { return CivilFromDays(days_).month; }
int Date::day() const { return CivilFromDays(days_).day; }

int Date::weekday() const { return static_cast<int>(FloorMod(days_ + 3, 7)) + 1; }

int Date::DayOfYear() const { return static_cast<int>(days_ - DaysFromCivil(year(), 1, 1)) + 1; }

int Date::IsoWeekOfYear() const {
  const int64_t thursday = days_ - weekday() + 4;
  const int64_t y = CivilFromDays(thursday).year;
  return static_cast<int>((thursday - DaysFromCivil(y, 1, 1)) / 7) + 1;
}

int Date::LastDayOfMonth() const {
  Civil c = CivilFromDays(days_);
  return DaysInMonth(c.year, c.month);
}

std::string_view Date::DayOfWeekName() const {
  static constexpr std::array<std::string_view, 7> kNames = {
      "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
  return kNames[weekday() - 1];
}

std::string_view Date::MonthName() const {
  static constexpr std::array<std::string_view, 12> kNames = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  return kNames[month() - 1];
}

std::string Date::ToString() const {
  Civil c = CivilFromDays(days_);
  const int64_t abs_year = c.year < 0 ? -c.year : c.year;
  return fmt::format("{}{:04d}-{:02d}-{:02d}", c.year < 0 ? "-" : "", abs_year, c.month, c.day);
}

std::optional<Date> Date::Plus(const YearsMonthsDuration& d) const {
  Civil c = CivilFromDays(days_);
  int64_t total = 0;
  if (__builtin_add_overflow(c.year * 12 + (c.month - 1), d.total_months(), &total)) {
    return std::nullopt;
  }
  const int64_t y = FloorDiv(total, 12);
  const int m = static_cast<int>(FloorMod(total, 12)) + 1;
  if (y < kMinYear || y > kMaxYear) return std::nullopt;
  return Date(DaysFromCivil(y, m, std::min(c.day, DaysInMonth(y, m))));
}

std::optional<Date> Date::Plus(const DaysTimeDuration& d) const {
  // Floor of the duration in days: -PT1H moves to the previous day.
  int64_t secs = d.total_seconds() - (d.nanos() < 0 ? 1 : 0);
  int64_t days = days_ + FloorDiv(secs, kSecondsPerDay);
  if (!DaysInRange(days)) return std::nullopt;
  return Date(days);
}

// ---- Time

std::optional<Time> Time::FromParts(int64_t hour, int64_t minute, int64_t second, int64_t nanos,
                                    Zone zone) {
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 ||
      nanos < 0 || nanos >= kNanosPerSecond) {
    return std::nullopt;
  }
  Time t;
  t.nanos_ = ((hour * 60 + minute) * 60 + second) * kNanosPerSecond + nanos;
  t.zone_ = std::move(zone);
  return t;
}

std::optional<Time> Time::Parse(std::string_view text) {
  Scanner sc(text);
  std::optional<ParsedTime> p = ParseTime(sc);
  if (!p) return std::nullopt;
  return p->time;
}

int Time::hour() const { return static_cast<int>(nanos_ / kNanosPerSecond / 3600); }
int Time::minute() const { return static_cast<int>(nanos_ / kNanosPerSecond / 60 % 60); }
int Time::second() const { return static_cast<int>(nanos_ / kNanosPerSecond % 60); }
int Time::nanosecond() const { return static_cast<int>(nanos_ % kNanosPerSecond); }

namespace {
// The offset of a time's zone on 1970-01-01 (a time has no date of its own).
std::optional<int32_t> TimeZoneOffset(const Time& t) {
  return t.zone().OffsetAt(0, t.nanos_of_day() / kNanosPerSecond);
}
}  // namespace

std::optional<DaysTimeDuration> Time::TimeOffset() const {
  std::optional<int32_t> off = TimeZoneOffset(*this);
  if (!off) return std::nullopt;
  return DaysTimeDuration::FromSeconds(*off);
}

std::optional<std::string> Time::TimezoneName() const {
  if (zone_.kind() != Zone::Kind::kNamed) return std::nullopt;
  return zone_.name();
}

std::string Time::ToString() const { return FormatClock(nanos_) + zone_.Suffix(); }

Time Time::Plus(const DaysTimeDuration& d) const {
  const int64_t delta = FloorMod(d.total_seconds(), kSecondsPerDay) * kNanosPerSecond + d.nanos();
  Time t = *this;
  t.nanos_ = FloorMod(nanos_ + delta, kNanosPerDay);
  return t;
}

namespace {
// Nanoseconds since 00:00 UTC of a zoned time (may fall outside one day), or the reading of a
// local one.
int64_t TimeLine(const Time& t) {
  std::optional<int32_t> off = TimeZoneOffset(t);
  return t.nanos_of_day() - (off ? *off : 0) * kNanosPerSecond;
}
}  // namespace

std::optional<DaysTimeDuration> Time::Minus(const Time& other) const {
  if (zone_.is_local() != other.zone_.is_local()) return std::nullopt;
  return DaysTimeDuration::FromParts(0, TimeLine(*this) - TimeLine(other));
}

std::optional<std::strong_ordering> Time::Compare(const Time& other) const {
  if (zone_.is_local() != other.zone_.is_local()) return std::nullopt;
  return TimeLine(*this) <=> TimeLine(other);
}

// ---- DateTime

std::optional<DateTime> DateTime::Parse(std::string_view text) {
  Scanner sc(text);
  std::optional<Date> d = ParseDate(sc);
  if (!d || !sc.Eat('T')) return std::nullopt;
  std::optional<ParsedTime> t = ParseTime(sc);
  if (!t) return std::nullopt;
  Date date = *d;
  if (t->end_of_day) {
    std::optional<Date> next = date.Plus(DaysTimeDuration::FromSeconds(kSecondsPerDay));
    if (!next) return std::nullopt;
    date = *next;
  }
  return DateTime(date, t->time);
}

DateTime DateTime::FromTimestamp(Timestamp ts, const Zone& zone) {
  const int64_t micros = ts.time_since_epoch().count();
  const int64_t secs = FloorDiv(micros, 1'000'000);
  const int64_t nanos = FloorMod(micros, 1'000'000) * 1000;
  int64_t offset = 0;
  if (zone.kind() == Zone::Kind::kOffset) {
    offset = zone.offset_seconds();
  } else if (zone.kind() == Zone::Kind::kNamed) {
    if (const date::time_zone* tz = LocateZone(zone.name())) {
      offset =
          tz->get_info(date::sys_seconds(std::chrono::seconds(ClampForTz(secs)))).offset.count();
    }
  }
  const int64_t local = secs + offset;
  Time t;
  t = *Time::FromParts(0, 0, 0, 0, zone);
  t = t.Plus(*DaysTimeDuration::FromParts(FloorMod(local, kSecondsPerDay), nanos));
  return DateTime(Date::FromDays(FloorDiv(local, kSecondsPerDay)), t);
}

std::optional<int32_t> DateTime::OffsetSeconds() const {
  return zone().OffsetAt(date_.days(), time_.nanos_of_day() / kNanosPerSecond);
}

std::optional<DaysTimeDuration> DateTime::TimeOffset() const {
  std::optional<int32_t> off = OffsetSeconds();
  if (!off) return std::nullopt;
  return DaysTimeDuration::FromSeconds(*off);
}

std::optional<std::string> DateTime::TimezoneName() const { return time_.TimezoneName(); }

std::optional<Instant> DateTime::ToInstant() const {
  std::optional<int32_t> off = OffsetSeconds();
  if (!off) return std::nullopt;
  const int64_t nod = time_.nanos_of_day();
  return Instant{.seconds = date_.days() * kSecondsPerDay + nod / kNanosPerSecond - *off,
                 .nanos = static_cast<int32_t>(nod % kNanosPerSecond)};
}

std::string DateTime::ToString() const {
  return date_.ToString() + "T" + FormatClock(time_.nanos_of_day()) + zone().Suffix();
}

std::optional<DateTime> DateTime::Plus(const DaysTimeDuration& d) const {
  const int64_t nod = time_.nanos_of_day();
  int64_t secs = 0;
  if (__builtin_add_overflow(nod / kNanosPerSecond, d.total_seconds(), &secs)) {
    return std::nullopt;
  }
  int64_t nanos = nod % kNanosPerSecond + d.nanos();
  secs += FloorDiv(nanos, kNanosPerSecond);
  nanos = FloorMod(nanos, kNanosPerSecond);
  const int64_t days = date_.days() + FloorDiv(secs, kSecondsPerDay);
  if (!DaysInRange(days)) return std::nullopt;
  Time t = *Time::FromParts(0, 0, 0, 0, zone());
  t = t.Plus(*DaysTimeDuration::FromParts(FloorMod(secs, kSecondsPerDay), nanos));
  return DateTime(Date::FromDays(days), t);
}

std::optional<DateTime> DateTime::Plus(const YearsMonthsDuration& d) const {
  std::optional<Date> date = date_.Plus(d);
  if (!date) return std::nullopt;
  return DateTime(*date, time_);
}

std::optional<DaysTimeDuration> DateTime::Minus(const DateTime& other) const {
  if (zone().is_local() != other.zone().is_local()) return std::nullopt;
  if (zone().is_local()) {
    return DaysTimeDuration::FromParts(
        (date_.days() - other.date_.days()) * kSecondsPerDay +
            (time_.nanos_of_day() / kNanosPerSecond - other.time_.nanos_of_day() / kNanosPerSecond),
        time_.nanos_of_day() % kNanosPerSecond - other.time_.nanos_of_day() % kNanosPerSecond);
  }
  Instant a = *ToInstant();
  Instant b = *other.ToInstant();
  return DaysTimeDuration::FromParts(a.seconds - b.seconds, a.nanos - b.nanos);
}

std::optional<std::strong_ordering> DateTime::Compare(const DateTime& other) const {
  if (zone().is_local() != other.zone().is_local()) return std::nullopt;
  if (zone().is_local()) {
    if (auto c = date_ <=> other.date_; std::is_neq(c)) return c;
    return time_.nanos_of_day() <=> other.time_.nanos_of_day();
  }
  return *ToInstant() <=> *other.ToInstant();
}

// ---- DaysTimeDuration

std::optional<DaysTimeDuration> DaysTimeDuration::FromParts(int64_t seconds, int64_t nanos) {
  int64_t s = 0;
  if (__builtin_add_overflow(seconds, nanos / kNanosPerSecond, &s)) return std::nullopt;
  int64_t n = nanos % kNanosPerSecond;
  if (s > 0 && n < 0) {
    --s;
    n += kNanosPerSecond;
  } else if (s < 0 && n > 0) {
    ++s;
    n -= kNanosPerSecond;
  }
  if (s == INT64_MIN) return std::nullopt;  // keeps Negate() total
  return DaysTimeDuration(s, static_cast<int32_t>(n));
}

std::optional<DaysTimeDuration> DaysTimeDuration::Parse(std::string_view text) {
  Scanner sc(text);
  const bool negative = sc.Eat('-');
  if (!sc.Eat('P')) return std::nullopt;
  int64_t total = 0;
  int64_t nanos = 0;
  bool any = false;
  auto add = [&total](int64_t v, int64_t unit) {
    int64_t product = 0;
    return !__builtin_mul_overflow(v, unit, &product) &&
           !__builtin_add_overflow(total, product, &total);
  };
  std::string_view run = sc.DigitRun();
  if (!run.empty()) {
    std::optional<int64_t> v = ToInt(run);
    if (!v || !sc.Eat('D') || !add(*v, kSecondsPerDay)) return std::nullopt;
    any = true;
  }
  if (sc.Eat('T')) {
    bool any_time = false;
    // H, M, S in this order, each at most once.
    int stage = 0;
    while (!sc.AtEnd()) {
      std::string_view digits = sc.DigitRun();
      if (digits.empty()) return std::nullopt;
      std::optional<int64_t> v = ToInt(digits);
      if (!v) return std::nullopt;
      if (sc.Eat('.')) {
        std::string_view frac = sc.DigitRun();
        // XML Schema allows "0." (unsignedDecimalPtNumeral): "PT0.S" is PT0S (TCK 1120).
        if (!sc.Eat('S') || stage > 2) return std::nullopt;
        for (size_t k = 0; k < 9; ++k) nanos = nanos * 10 + (k < frac.size() ? frac[k] - '0' : 0);
        if (!add(*v, 1)) return std::nullopt;
        stage = 3;
      } else if (stage < 1 && sc.Eat('H')) {
        if (!add(*v, 3600)) return std::nullopt;
        stage = 1;
      } else if (stage < 2 && sc.Eat('M')) {
        if (!add(*v, 60)) return std::nullopt;
        stage = 2;
      } else if (stage < 3 && sc.Eat('S')) {
        if (!add(*v, 1)) return std::nullopt;
        stage = 3;
      } else {
        return std::nullopt;
      }
      any_time = true;
    }
    if (!any_time) return std::nullopt;
    any = true;
  }
  if (!any || !sc.AtEnd()) return std::nullopt;
  return negative ? FromParts(-total, -nanos) : FromParts(total, nanos);
}

int64_t DaysTimeDuration::days() const { return seconds_ / kSecondsPerDay; }
int64_t DaysTimeDuration::hours() const { return seconds_ / 3600 % 24; }
int64_t DaysTimeDuration::minutes() const { return seconds_ / 60 % 60; }
int64_t DaysTimeDuration::seconds() const { return seconds_ % 60; }

Decimal DaysTimeDuration::ToDecimalSeconds() const {
  Decimal s = Decimal::FromInt64(seconds_);
  if (nanos_ == 0) return s;
  Decimal frac = *Decimal::FromInt64(nanos_).Divide(Decimal::FromInt64(kNanosPerSecond));
  return *s.Add(frac);
}

std::string DaysTimeDuration::ToString() const {
  if (seconds_ == 0 && nanos_ == 0) return "PT0S";
  const bool negative = IsNegative();
  const int64_t s = negative ? -seconds_ : seconds_;
  const int64_t n = negative ? -nanos_ : nanos_;
  std::string out = negative ? "-P" : "P";
  const int64_t days = s / kSecondsPerDay;
  const int64_t h = s / 3600 % 24;
  const int64_t m = s / 60 % 60;
  const int64_t sec = s % 60;
  if (days != 0) out += fmt::format("{}D", days);
  if (h != 0 || m != 0 || sec != 0 || n != 0) {
    out += 'T';
    if (h != 0) out += fmt::format("{}H", h);
    if (m != 0) out += fmt::format("{}M", m);
    if (sec != 0 || n != 0) out += fmt::format("{}{}S", sec, FormatFraction(n));
  }
  return out;
}

std::optional<DaysTimeDuration> DaysTimeDuration::Plus(const DaysTimeDuration& other) const {
  int64_t s = 0;
  if (__builtin_add_overflow(seconds_, other.seconds_, &s)) return std::nullopt;
  return FromParts(s, int64_t{nanos_} + other.nanos_);
}

std::optional<DaysTimeDuration> DaysTimeDuration::Minus(const DaysTimeDuration& other) const {
  return Plus(other.Negate());
}

DaysTimeDuration DaysTimeDuration::Negate() const { return DaysTimeDuration(-seconds_, -nanos_); }

namespace {
// A whole number of nanoseconds (as a Decimal, rounded half-even) back to a duration.
std::optional<DaysTimeDuration> FromDecimalNanos(const Decimal& total) {
  std::optional<Decimal> whole = total.Round(0, RoundingMode::kHalfEven);
  if (!whole) return std::nullopt;
  const Decimal billion = Decimal::FromInt64(kNanosPerSecond);
  std::optional<Decimal> secs = whole->Divide(billion);
  if (!secs) return std::nullopt;
  secs = secs->Round(0, RoundingMode::kDown);
  if (!secs) return std::nullopt;
  std::optional<Decimal> rest = whole->Subtract(*secs->Multiply(billion));
  if (!rest) return std::nullopt;
  std::optional<int64_t> s = secs->ToInt64();
  std::optional<int64_t> n = rest->ToInt64();
  if (!s || !n) return std::nullopt;
  return DaysTimeDuration::FromParts(*s, *n);
}

Decimal TotalNanos(const DaysTimeDuration& d) {
  return *Decimal::FromInt64(d.total_seconds())
              .Multiply(Decimal::FromInt64(kNanosPerSecond))
              ->Add(Decimal::FromInt64(d.nanos()));
}
}  // namespace

std::optional<DaysTimeDuration> DaysTimeDuration::Times(const Decimal& factor) const {
  std::optional<Decimal> total = TotalNanos(*this).Multiply(factor);
  if (!total) return std::nullopt;
  return FromDecimalNanos(*total);
}

std::optional<DaysTimeDuration> DaysTimeDuration::DividedBy(const Decimal& divisor) const {
  std::optional<Decimal> total = TotalNanos(*this).Divide(divisor);
  if (!total) return std::nullopt;
  return FromDecimalNanos(*total);
}

std::optional<Decimal> DaysTimeDuration::DividedBy(const DaysTimeDuration& divisor) const {
  return TotalNanos(*this).Divide(TotalNanos(divisor));
}

// ---- YearsMonthsDuration

std::optional<YearsMonthsDuration> YearsMonthsDuration::Parse(std::string_view text) {
  Scanner sc(text);
  const bool negative = sc.Eat('-');
  if (!sc.Eat('P')) return std::nullopt;
  int64_t months = 0;
  bool any = false;
  int stage = 0;
  while (!sc.AtEnd()) {
    std::optional<int64_t> v = ToInt(sc.DigitRun());
    if (!v) return std::nullopt;
    int64_t add = 0;
    if (stage < 1 && sc.Eat('Y')) {
      if (__builtin_mul_overflow(*v, 12, &add)) return std::nullopt;
      stage = 1;
    } else if (stage < 2 && sc.Eat('M')) {
      add = *v;
      stage = 2;
    } else {
      return std::nullopt;
    }
    if (__builtin_add_overflow(months, add, &months)) return std::nullopt;
    any = true;
  }
  if (!any) return std::nullopt;
  return YearsMonthsDuration(negative ? -months : months);
}

namespace {
int64_t MonthsBetween(const Date& from, const Date& to, bool to_day_reached_from_day,
                      bool from_day_reached_to_day) {
  int64_t months = (to.year() - from.year()) * 12 + (to.month() - from.month());
  if (months > 0 && !to_day_reached_from_day) --months;
  if (months < 0 && !from_day_reached_to_day) ++months;
  return months;
}
}  // namespace

YearsMonthsDuration YearsMonthsDuration::Between(const Date& from, const Date& to) {
  return YearsMonthsDuration(
      MonthsBetween(from, to, to.day() >= from.day(), from.day() >= to.day()));
}

YearsMonthsDuration YearsMonthsDuration::Between(const DateTime& from, const DateTime& to) {
  auto key = [](const DateTime& dt) {
    return std::pair<int, int64_t>(dt.date().day(), dt.time().nanos_of_day());
  };
  return YearsMonthsDuration(
      MonthsBetween(from.date(), to.date(), key(to) >= key(from), key(from) >= key(to)));
}

std::string YearsMonthsDuration::ToString() const {
  if (months_ == 0) return "P0M";
  const bool negative = months_ < 0;
  const int64_t m = negative ? -months_ : months_;
  std::string out = negative ? "-P" : "P";
  if (m / 12 != 0) out += fmt::format("{}Y", m / 12);
  if (m % 12 != 0) out += fmt::format("{}M", m % 12);
  return out;
}

std::optional<YearsMonthsDuration> YearsMonthsDuration::Plus(
    const YearsMonthsDuration& other) const {
  int64_t m = 0;
  if (__builtin_add_overflow(months_, other.months_, &m)) return std::nullopt;
  return YearsMonthsDuration(m);
}

std::optional<YearsMonthsDuration> YearsMonthsDuration::Minus(
    const YearsMonthsDuration& other) const {
  int64_t m = 0;
  if (__builtin_sub_overflow(months_, other.months_, &m)) return std::nullopt;
  return YearsMonthsDuration(m);
}

namespace {
std::optional<YearsMonthsDuration> WholeMonths(const std::optional<Decimal>& months) {
  if (!months) return std::nullopt;
  std::optional<Decimal> whole = months->Round(0, RoundingMode::kDown);
  if (!whole) return std::nullopt;
  std::optional<int64_t> m = whole->ToInt64();
  if (!m) return std::nullopt;
  return YearsMonthsDuration::FromMonths(*m);
}
}  // namespace

std::optional<YearsMonthsDuration> YearsMonthsDuration::Times(const Decimal& factor) const {
  return WholeMonths(Decimal::FromInt64(months_).Multiply(factor));
}

std::optional<YearsMonthsDuration> YearsMonthsDuration::DividedBy(const Decimal& divisor) const {
  return WholeMonths(Decimal::FromInt64(months_).Divide(divisor));
}

std::optional<Decimal> YearsMonthsDuration::DividedBy(const YearsMonthsDuration& divisor) const {
  return Decimal::FromInt64(months_).Divide(Decimal::FromInt64(divisor.months_));
}

}  // namespace tongban::feel
