#include "base/calendar.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "base/embedded.h"

namespace tongban {

extern const EmbeddedFile kCalendarData[];
extern const size_t kCalendarData_count;

namespace {

// Schedules are accepted for these years only, which bounds a snapshot's tables (~1 MB at most).
constexpr int kFirstScheduleYear = 1949;
constexpr int kLastScheduleYear = 2199;
constexpr int64_t kMaxHolidayDays = 31;

// Day number of 1970-01-05, a Monday: the origin of the weekend-only count.
constexpr int64_t kMondayOrigin = 4;

constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The number of Mondays to Fridays in [1970-01-05, x); negative for x before it. Whole weeks
// count 5, the remainder at most 5: closed form, no loop.
constexpr int64_t WeekdaysBefore(int64_t x) {
  const int64_t t = x - kMondayOrigin;
  const int64_t q = FloorDiv(t, 7);
  return 5 * q + std::min<int64_t>(t - 7 * q, 5);
}

// The Monday-to-Friday day d with WeekdaysBefore(d) == k: the inverse of WeekdaysBefore on
// weekdays.
constexpr int64_t NthWeekday(int64_t k) {
  const int64_t q = FloorDiv(k, 5);
  return kMondayOrigin + 7 * q + (k - 5 * q);
}

static_assert(WeekdaysBefore(kMondayOrigin) == 0 && WeekdaysBefore(kMondayOrigin + 7) == 5);
static_assert(NthWeekday(5) == kMondayOrigin + 7 && NthWeekday(-1) == kMondayOrigin - 3);

bool IsNational(std::string_view region) { return region == Calendar::kNational; }

Error Invalid(std::string message, std::string field, std::string why) {
  return Error(ErrorCode::kInvalidArgument, std::move(message),
               {{std::move(field), std::move(why)}});
}

}  // namespace

// An immutable view of the loaded schedules, answering in O(1).
//
// Every day has a global working-day count CountBefore(x) = the number of working days before x,
// relative to an arbitrary origin. Inside the table [first_day, end_day) it comes from `prefix`;
// outside it, days follow the weekend-only rule and the count is the closed-form
// WeekdaysBefore(), shifted so that the three pieces join. The working day with count k is
// NthWorkingDay(k): `working` inverts the table, NthWeekday() the outside.
struct Calendar::Snapshot {
  uint64_t version = 0;
  std::vector<YearSchedule> schedules;  // national first; each group by year
  std::vector<int> loaded_years;        // years with a national schedule, sorted

  int64_t first_day = 0;                  // January 1 of the first year of the table
  int64_t end_day = 0;                    // January 1 after the last year of the table
  int64_t base = WeekdaysBefore(0);       // WeekdaysBefore(first_day)
  int64_t tail_base = WeekdaysBefore(0);  // WeekdaysBefore(end_day)
  int64_t total = 0;                      // working days in the table
  std::vector<int32_t> prefix{0};         // prefix[i]: working days in [first_day, first_day + i)
  std::vector<int32_t> working;           // offsets of the table's working days, ascending
  // For day offset i: if its year is loaded, the first day after the run of loaded years that
  // contains it; otherwise the day itself. A span (lo, hi] is settled iff hi < loaded_until[lo+1].
  std::vector<int32_t> loaded_until;

  int64_t CountBefore(int64_t x) const {
    if (x <= first_day) return WeekdaysBefore(x);
    if (x < end_day) return base + prefix[x - first_day];
    return base + total + WeekdaysBefore(x) - tail_base;
  }

  int64_t NthWorkingDay(int64_t k) const {
    if (k < base) return NthWeekday(k);
    if (k < base + total) return first_day + working[k - base];
    return NthWeekday(k - base - total + tail_base);
  }

  // Whether any day of (lo, hi] lies in a year without a national schedule. Precondition: lo < hi.
  bool Provisional(int64_t lo, int64_t hi) const {
    const int64_t start = lo + 1;
    if (start < first_day || start >= end_day) return true;
    return hi >= loaded_until[start - first_day];
  }
};

namespace {

enum class DayKind : uint8_t { kWeekRule, kDayOff, kMakeUpWorkingDay };

}  // namespace

std::unique_ptr<const Calendar::Snapshot> Calendar::BuildSnapshot(
    std::vector<YearSchedule> schedules, uint64_t version) {
  auto snap = std::make_unique<Snapshot>();
  snap->version = version;
  std::stable_sort(schedules.begin(), schedules.end(),
                   [](const YearSchedule& a, const YearSchedule& b) {
                     const bool na = IsNational(a.region), nb = IsNational(b.region);
                     if (na != nb) return na;
                     return std::tie(a.region, a.year) < std::tie(b.region, b.year);
                   });
  snap->schedules = std::move(schedules);
  if (snap->schedules.empty()) return snap;

  int first_year = kLastScheduleYear + 1, last_year = kFirstScheduleYear - 1;
  auto widen = [&](int year) {
    first_year = std::min(first_year, year);
    last_year = std::max(last_year, year);
  };
  std::set<int> loaded;
  for (const YearSchedule& s : snap->schedules) {
    widen(s.year);
    if (IsNational(s.region)) loaded.insert(s.year);
    for (const HolidayPeriod& h : s.holidays) {
      widen(h.from.year());
      widen(h.to.year());
      for (Date d : h.make_up_working_days) widen(d.year());
    }
  }
  snap->loaded_years.assign(loaded.begin(), loaded.end());
  snap->first_day = DaysFromCivil(first_year, 1, 1);
  snap->end_day = DaysFromCivil(last_year + 1, 1, 1);
  const size_t n = static_cast<size_t>(snap->end_day - snap->first_day);

  // National schedules first, then the region's additions, which win where they differ.
  std::vector<DayKind> kind(n, DayKind::kWeekRule);
  for (const YearSchedule& s : snap->schedules) {
    for (const HolidayPeriod& h : s.holidays) {
      for (int64_t d = h.from.days(); d <= h.to.days(); ++d) {
        kind[d - snap->first_day] = DayKind::kDayOff;
      }
      for (Date d : h.make_up_working_days) {
        kind[d.days() - snap->first_day] = DayKind::kMakeUpWorkingDay;
      }
    }
  }

  snap->prefix.assign(n + 1, 0);
  snap->working.reserve(n * 5 / 7 + 8);
  for (size_t i = 0; i < n; ++i) {
    const Date day = Date::FromDays(snap->first_day + static_cast<int64_t>(i));
    const bool is_working = kind[i] == DayKind::kMakeUpWorkingDay ||
                            (kind[i] == DayKind::kWeekRule && !day.IsWeekend());
    snap->prefix[i + 1] = snap->prefix[i] + (is_working ? 1 : 0);
    if (is_working) snap->working.push_back(static_cast<int32_t>(i));
  }
  snap->total = snap->prefix[n];
  snap->base = WeekdaysBefore(snap->first_day);
  snap->tail_base = WeekdaysBefore(snap->end_day);

  snap->loaded_until.assign(n, 0);
  for (size_t i = n; i-- > 0;) {
    const int64_t day = snap->first_day + static_cast<int64_t>(i);
    const bool is_loaded = loaded.count(CivilFromDays(day).year) > 0;
    if (!is_loaded) {
      snap->loaded_until[i] = static_cast<int32_t>(day);
    } else if (i + 1 < n && snap->loaded_until[i + 1] > day + 1) {
      snap->loaded_until[i] = snap->loaded_until[i + 1];  // the next day continues the run
    } else {
      snap->loaded_until[i] = static_cast<int32_t>(day + 1);
    }
  }
  return snap;
}

namespace {

std::string Scalar(const YAML::Node& node) { return node.as<std::string>(); }

void ParseDate(const YAML::Node& node, const std::string& path, Date* out, FieldErrors& errors) {
  if (!node.IsScalar()) {
    errors.Add(path, "must be a date YYYY-MM-DD");
    return;
  }
  auto d = Date::Parse(Scalar(node), path);
  if (!d.ok()) {
    errors.Add(path, d.error().fields().front().message);
    return;
  }
  *out = *d;
}

bool ParseInt(const YAML::Node& node, int* out) {
  if (!node.IsScalar()) return false;
  const std::string s = Scalar(node);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

YearSchedule ParseDocument(const YAML::Node& doc, const std::string& prefix, FieldErrors& errors) {
  YearSchedule s;
  if (!doc.IsMap()) {
    errors.Add(prefix.empty() ? "/" : prefix,
               "must be a mapping with region, year, source, holidays");
    return s;
  }
  bool has_region = false, has_year = false, has_source = false, has_holidays = false;
  for (const auto& kv : doc) {
    const std::string key = Scalar(kv.first);
    const std::string path = prefix + key;
    const YAML::Node& v = kv.second;
    if (key == "region") {
      has_region = true;
      if (v.IsScalar())
        s.region = Scalar(v);
      else
        errors.Add(path, "must be \"cn\" or a 6-digit region code");
    } else if (key == "year") {
      has_year = true;
      if (!ParseInt(v, &s.year)) errors.Add(path, "must be a year such as 2025");
    } else if (key == "source") {
      has_source = true;
      if (v.IsScalar())
        s.source = Scalar(v);
      else
        errors.Add(path, "must be the title of the notice");
    } else if (key == "holidays") {
      has_holidays = true;
      if (v.IsNull()) continue;
      if (!v.IsSequence()) {
        errors.Add(path, "must be a list of holidays");
        continue;
      }
      for (size_t i = 0; i < v.size(); ++i) {
        const YAML::Node& hn = v[i];
        const std::string hp = fmt::format("{}/{}", path, i);
        HolidayPeriod h;
        if (!hn.IsMap()) {
          errors.Add(hp, "must be a mapping with name, from, to");
          s.holidays.push_back(std::move(h));
          continue;
        }
        bool has_name = false, has_from = false, has_to = false;
        int days = -1;
        for (const auto& hkv : hn) {
          const std::string hkey = Scalar(hkv.first);
          const std::string fp = fmt::format("{}/{}", hp, hkey);
          if (hkey == "name") {
            has_name = true;
            if (hkv.second.IsScalar())
              h.name = Scalar(hkv.second);
            else
              errors.Add(fp, "must be the holiday's name");
          } else if (hkey == "from") {
            has_from = true;
            ParseDate(hkv.second, fp, &h.from, errors);
          } else if (hkey == "to") {
            has_to = true;
            ParseDate(hkv.second, fp, &h.to, errors);
          } else if (hkey == "days") {
            if (!ParseInt(hkv.second, &days) || days < 1) {
              errors.Add(fp, "must be the number of days off (共N天)");
              days = -1;
            }
          } else if (hkey == "make_up_working_days") {
            if (hkv.second.IsNull()) continue;
            if (!hkv.second.IsSequence()) {
              errors.Add(fp, "must be a list of dates");
              continue;
            }
            for (size_t j = 0; j < hkv.second.size(); ++j) {
              Date d;
              ParseDate(hkv.second[j], fmt::format("{}/{}", fp, j), &d, errors);
              h.make_up_working_days.push_back(d);
            }
          } else {
            errors.Add(fp, "unknown key (expected name, from, to, days, make_up_working_days)");
          }
        }
        if (!has_name) errors.Add(hp + "/name", "is required");
        if (!has_from) errors.Add(hp + "/from", "is required");
        if (!has_to) errors.Add(hp + "/to", "is required");
        if (days > 0 && has_from && has_to && h.from <= h.to &&
            h.to.days() - h.from.days() + 1 != days) {
          errors.Add(hp + "/days",
                     fmt::format("is {} but {} to {} is {} days", days, h.from.ToString(),
                                 h.to.ToString(), h.to.days() - h.from.days() + 1));
        }
        s.holidays.push_back(std::move(h));
      }
    } else {
      errors.Add(path, "unknown key (expected region, year, source, holidays)");
    }
  }
  if (!has_region) errors.Add(prefix + "region", "is required");
  if (!has_year) errors.Add(prefix + "year", "is required");
  if (!has_source) errors.Add(prefix + "source", "is required: cite the notice");
  if (!has_holidays) errors.Add(prefix + "holidays", "is required (may be an empty list)");
  return s;
}

void Validate(const YearSchedule& s, const std::string& prefix, FieldErrors& errors) {
  const bool code =
      s.region.size() == 6 &&
      std::all_of(s.region.begin(), s.region.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!IsNational(s.region) && !code) {
    errors.Add(prefix + "region",
               fmt::format("'{}' is neither \"cn\" nor a 6-digit region code", s.region));
  }
  if (s.year < kFirstScheduleYear || s.year > kLastScheduleYear) {
    errors.Add(prefix + "year", fmt::format("{} is outside {} to {}", s.year, kFirstScheduleYear,
                                            kLastScheduleYear));
    return;  // the date checks below need a sane year
  }
  if (s.source.empty()) errors.Add(prefix + "source", "is required: cite the notice");
  // Notices sometimes reach into the adjoining December or January (the 2019 notice made
  // 2018-12-29 a working day), never further.
  const int64_t window_from = DaysFromCivil(s.year - 1, 12, 1);
  const int64_t window_to = DaysFromCivil(s.year + 1, 1, 31);
  auto in_window = [&](Date d) { return d.days() >= window_from && d.days() <= window_to; };
  const std::string window = fmt::format("{}-12-01 to {}-01-31", s.year - 1, s.year + 1);
  std::set<int64_t> make_up_days;
  for (size_t i = 0; i < s.holidays.size(); ++i) {
    const HolidayPeriod& h = s.holidays[i];
    const std::string hp = fmt::format("{}holidays/{}/", prefix, i);
    if (h.name.empty()) errors.Add(hp + "name", "must not be empty");
    if (!in_window(h.from)) errors.Add(hp + "from", fmt::format("must lie within {}", window));
    if (!in_window(h.to)) errors.Add(hp + "to", fmt::format("must lie within {}", window));
    if (h.to < h.from) {
      errors.Add(hp + "to",
                 fmt::format("{} is before from {}", h.to.ToString(), h.from.ToString()));
    } else if (h.to.days() - h.from.days() + 1 > kMaxHolidayDays) {
      errors.Add(hp + "to", fmt::format("a holiday of more than {} days", kMaxHolidayDays));
    }
    for (size_t j = 0; j < i; ++j) {
      const HolidayPeriod& o = s.holidays[j];
      if (h.from <= o.to && o.from <= h.to) {
        errors.Add(hp + "from", fmt::format("overlaps holidays/{} ({})", j, o.name));
      }
    }
    for (size_t j = 0; j < h.make_up_working_days.size(); ++j) {
      const Date d = h.make_up_working_days[j];
      const std::string mp = fmt::format("{}make_up_working_days/{}", hp, j);
      if (!in_window(d)) {
        errors.Add(mp, fmt::format("must lie within {}", window));
        continue;
      }
      if (!d.IsWeekend()) {
        errors.Add(mp, fmt::format("{} is a {}: only a Saturday or Sunday can be made a "
                                   "working day",
                                   d.ToString(), WeekdayName(d.weekday())));
      }
      if (!make_up_days.insert(d.days()).second) {
        errors.Add(mp, fmt::format("{} is listed twice", d.ToString()));
      }
      for (size_t k = 0; k < s.holidays.size(); ++k) {
        if (d >= s.holidays[k].from && d <= s.holidays[k].to) {
          errors.Add(mp, fmt::format("{} is a day off of holidays/{} ({})", d.ToString(), k,
                                     s.holidays[k].name));
        }
      }
    }
  }
}

}  // namespace

Status ValidateYearSchedule(const YearSchedule& schedule) {
  FieldErrors errors;
  Validate(schedule, "", errors);
  if (!errors.empty()) {
    return errors.ToError(
        fmt::format("calendar schedule {} {} is invalid", schedule.region, schedule.year));
  }
  return Ok();
}

Result<std::vector<YearSchedule>> ParseYearSchedules(std::string_view yaml,
                                                     std::string_view origin) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: not valid YAML: {}", origin, e.what()));
  }
  docs.erase(
      std::remove_if(docs.begin(), docs.end(), [](const YAML::Node& d) { return d.IsNull(); }),
      docs.end());
  if (docs.empty()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: contains no schedule", origin));
  }
  FieldErrors errors;
  std::vector<YearSchedule> out;
  for (size_t i = 0; i < docs.size(); ++i) {
    const std::string prefix = docs.size() > 1 ? fmt::format("{}/", i) : "";
    try {
      const size_t before = errors.size();
      YearSchedule s = ParseDocument(docs[i], prefix, errors);
      if (errors.size() == before) Validate(s, prefix, errors);
      out.push_back(std::move(s));
    } catch (const YAML::Exception& e) {
      errors.Add(prefix.empty() ? "/" : prefix, fmt::format("not a schedule: {}", e.what()));
    }
  }
  if (!errors.empty()) {
    return errors.ToError(fmt::format("{}: calendar schedule is invalid", origin));
  }
  return out;
}

Calendar::Calendar(std::string region) : region_(std::move(region)) {
  snapshots_.push_back(BuildSnapshot({}, 0));
  current_.store(snapshots_.back().get(), std::memory_order_release);
}

Calendar::~Calendar() = default;

std::unique_ptr<Calendar> Calendar::WithEmbeddedSchedules(std::string region) {
  auto calendar = std::make_unique<Calendar>(std::move(region));
  std::vector<YearSchedule> all;
  for (size_t i = 0; i < kCalendarData_count; ++i) {
    const EmbeddedFile& f = kCalendarData[i];
    auto parsed = ParseYearSchedules(f.contents, f.path);
    if (!parsed.ok()) throw std::logic_error(parsed.error().ToString());
    for (YearSchedule& s : *parsed) all.push_back(std::move(s));
  }
  Status s = calendar->LoadSchedules(std::move(all));
  if (!s.ok()) throw std::logic_error(s.error().ToString());
  return calendar;
}

Status Calendar::LoadYear(YearSchedule schedule) {
  std::vector<YearSchedule> one;
  one.push_back(std::move(schedule));
  return LoadSchedules(std::move(one));
}

Status Calendar::LoadSchedules(std::vector<YearSchedule> schedules) {
  FieldErrors errors;
  std::set<std::pair<std::string, int>> seen;
  for (size_t i = 0; i < schedules.size(); ++i) {
    const YearSchedule& s = schedules[i];
    const std::string prefix = schedules.size() > 1 ? fmt::format("{}/", i) : "";
    Validate(s, prefix, errors);
    if (!IsNational(s.region) && s.region != region_) {
      errors.Add(prefix + "region",
                 fmt::format("a schedule for region {} cannot be loaded into the calendar of {}",
                             s.region, region_));
    }
    if (!seen.emplace(s.region, s.year).second) {
      errors.Add(prefix + "year",
                 fmt::format("{} {} is given twice in one load", s.region, s.year));
    }
  }
  if (!errors.empty()) return errors.ToError("calendar schedules are invalid; nothing loaded");
  if (schedules.empty()) return Ok();

  std::lock_guard lock(mu_);
  const Snapshot& old = Current();
  std::vector<YearSchedule> merged;
  for (const YearSchedule& s : old.schedules) {
    if (!seen.count({s.region, s.year})) merged.push_back(s);
  }
  CalendarChange change;
  change.version = old.version + 1;
  for (YearSchedule& s : schedules) {
    change.years.push_back(s.year);
    merged.push_back(std::move(s));
  }
  std::sort(change.years.begin(), change.years.end());
  change.years.erase(std::unique(change.years.begin(), change.years.end()), change.years.end());
  snapshots_.push_back(BuildSnapshot(std::move(merged), change.version));
  current_.store(snapshots_.back().get(), std::memory_order_release);
  for (const Listener& listener : listeners_) listener(change);
  return Ok();
}

Status Calendar::LoadYaml(std::string_view yaml, std::string_view origin) {
  TB_ASSIGN_OR_RETURN(auto schedules, ParseYearSchedules(yaml, origin));
  Status s = LoadSchedules(std::move(schedules));
  if (!s.ok()) return std::move(s).error().Prefix(origin);
  return Ok();
}

Status Calendar::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Invalid(fmt::format("cannot read calendar file {}", path), "path",
                   "no such readable file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return LoadYaml(text.str(), path);
}

Result<CalendarDate> Calendar::AddWorkingDays(Date from, int64_t n) const {
  if (n < 0) {
    return Invalid("n must not be negative", "n",
                   fmt::format("{} is negative: a limit counts working days forward", n));
  }
  if (n == 0) return CalendarDate{from, false};
  // More working days than there are days in the supported range cannot end inside it.
  constexpr int64_t kMaxN = Date::Max().days() - Date::Min().days();
  const Snapshot& s = Current();
  const int64_t day =
      n > kMaxN ? Date::Max().days() + 1 : s.NthWorkingDay(s.CountBefore(from.days() + 1) + n - 1);
  if (!Date::InRange(day)) {
    return Invalid(
        "the result is after 9999-12-31", "n",
        fmt::format("{} working days after {} is beyond 9999-12-31", n, from.ToString()));
  }
  return CalendarDate{Date::FromDays(day), s.Provisional(from.days(), day)};
}

WorkingDayCount Calendar::WorkingDaysBetween(Date from, Date to) const {
  const Snapshot& s = Current();
  const int64_t a = from.days(), b = to.days();
  WorkingDayCount c;
  c.days = s.CountBefore(b + 1) - s.CountBefore(a + 1);
  c.provisional = a < b ? s.Provisional(a, b) : b < a ? s.Provisional(b, a) : false;
  return c;
}

DayStatus Calendar::IsWorkingDay(Date day) const {
  const Snapshot& s = Current();
  const int64_t d = day.days();
  return {s.CountBefore(d + 1) - s.CountBefore(d) == 1, s.Provisional(d - 1, d)};
}

bool Calendar::IsLoaded(int year) const {
  const auto& years = Current().loaded_years;
  return std::binary_search(years.begin(), years.end(), year);
}

std::vector<int> Calendar::LoadedYears() const { return Current().loaded_years; }

std::vector<YearSchedule> Calendar::Schedules() const { return Current().schedules; }

uint64_t Calendar::version() const { return Current().version; }

void Calendar::AddListener(Listener listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

}  // namespace tongban
