#include "base/office_hours.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace tongban {
namespace {

constexpr std::string_view kDayKeys[] = {"monday", "tuesday", "wednesday", "thursday", "friday"};

bool TwoDigits(std::string_view s, size_t at, int* out) {
  if (s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return false;
  *out = (s[at] - '0') * 10 + (s[at + 1] - '0');
  return true;
}

// Parses a list of ranges and checks their order; problems go to `errors` under `path`.
std::vector<TimeRange> ParseRanges(const YAML::Node& node, const std::string& path,
                                   FieldErrors& errors) {
  std::vector<TimeRange> ranges;
  if (node.IsNull()) return ranges;
  if (!node.IsSequence()) {
    errors.Add(path, "must be a list of \"HH:MM-HH:MM\" ranges");
    return ranges;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string p = fmt::format("{}/{}", path, i);
    if (!node[i].IsScalar()) {
      errors.Add(p, "must be \"HH:MM-HH:MM\"");
      continue;
    }
    auto r = ParseTimeRange(node[i].as<std::string>(), p);
    if (!r.ok()) {
      errors.Add(p, r.error().fields().front().message);
      continue;
    }
    if (!ranges.empty() && r->start_minute < ranges.back().end_minute) {
      errors.Add(p, "overlaps or comes before the previous range");
      continue;
    }
    ranges.push_back(*r);
  }
  return ranges;
}

}  // namespace

Result<TimeRange> ParseTimeRange(std::string_view text, std::string_view field) {
  auto invalid = [&](std::string why) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{} is not a valid time range", field),
                 {{std::string(field), std::move(why)}});
  };
  int h1 = 0, m1 = 0, h2 = 0, m2 = 0;
  if (text.size() != 11 || text[2] != ':' || text[5] != '-' || text[8] != ':' ||
      !TwoDigits(text, 0, &h1) || !TwoDigits(text, 3, &m1) || !TwoDigits(text, 6, &h2) ||
      !TwoDigits(text, 9, &m2)) {
    return invalid(fmt::format("'{}' is not of the form HH:MM-HH:MM", text));
  }
  if (h1 > 23 || m1 > 59 || m2 > 59 || h2 > 24 || (h2 == 24 && m2 != 0)) {
    return invalid(fmt::format("'{}' is not a time of day (00:00 to 24:00)", text));
  }
  TimeRange r{h1 * 60 + m1, h2 * 60 + m2};
  if (r.end_minute <= r.start_minute) {
    return invalid(fmt::format("'{}' ends before it starts", text));
  }
  return r;
}

const std::vector<TimeRange>& OfficeHours::On(Weekday weekday) const {
  if (weekday >= Weekday::kSaturday) return make_up_working_day;
  return weekdays[static_cast<size_t>(weekday) - 1];
}

Result<OfficeHoursTable> OfficeHoursTable::ParseYaml(std::string_view yaml,
                                                     std::string_view origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: not valid YAML: {}", origin, e.what()));
  }
  FieldErrors errors;
  OfficeHoursTable table;
  try {
    if (!root.IsMap() || !root["office_hours"] || !root["office_hours"].IsSequence()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("{}: must be a mapping with an office_hours list", origin));
    }
    for (const auto& kv : root) {
      if (kv.first.as<std::string>() != "office_hours") {
        errors.Add(kv.first.as<std::string>(), "unknown key (expected office_hours)");
      }
    }
    const YAML::Node list = root["office_hours"];
    std::set<std::string> regions;
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string p = fmt::format("office_hours/{}", i);
      const YAML::Node& e = list[i];
      if (!e.IsMap()) {
        errors.Add(p, "must be a mapping with region and hours");
        continue;
      }
      OfficeHours hours;
      std::vector<TimeRange> all_weekdays;
      std::array<bool, 5> has_day{};
      bool has_weekdays = false, has_make_up = false;
      for (const auto& kv : e) {
        const std::string key = kv.first.as<std::string>();
        const std::string kp = fmt::format("{}/{}", p, key);
        const auto day = std::find(std::begin(kDayKeys), std::end(kDayKeys), key);
        if (key == "region") {
          hours.region = kv.second.IsScalar() ? kv.second.as<std::string>() : "";
          const bool code =
              hours.region.size() == 6 && std::all_of(hours.region.begin(), hours.region.end(),
                                                      [](char c) { return c >= '0' && c <= '9'; });
          if (hours.region != Calendar::kNational && !code) {
            errors.Add(kp, "must be \"cn\" or a 6-digit region code");
          } else if (!regions.insert(hours.region).second) {
            errors.Add(kp, fmt::format("{} is listed twice", hours.region));
          }
        } else if (key == "weekdays") {
          has_weekdays = true;
          all_weekdays = ParseRanges(kv.second, kp, errors);
        } else if (key == "make_up_working_day") {
          has_make_up = true;
          hours.make_up_working_day = ParseRanges(kv.second, kp, errors);
        } else if (day != std::end(kDayKeys)) {
          const size_t d = static_cast<size_t>(day - std::begin(kDayKeys));
          has_day[d] = true;
          hours.weekdays[d] = ParseRanges(kv.second, kp, errors);
        } else {
          errors.Add(kp,
                     "unknown key (expected region, weekdays, monday … friday, "
                     "make_up_working_day)");
        }
      }
      if (hours.region.empty() && !e["region"]) errors.Add(p + "/region", "is required");
      for (size_t d = 0; d < 5; ++d) {
        if (has_day[d]) continue;
        if (!has_weekdays) {
          errors.Add(fmt::format("{}/{}", p, kDayKeys[d]), "is required (or give weekdays)");
        }
        hours.weekdays[d] = all_weekdays;
      }
      if (!has_make_up) hours.make_up_working_day = hours.weekdays[0];
      table.entries_.push_back(std::move(hours));
    }
  } catch (const YAML::Exception& e) {
    errors.Add("office_hours", fmt::format("not a valid list: {}", e.what()));
  }
  if (!errors.empty()) return errors.ToError(fmt::format("{}: office hours are invalid", origin));
  return table;
}

const OfficeHours* OfficeHoursTable::Find(std::string_view region) const {
  auto find = [this](std::string_view code) -> const OfficeHours* {
    for (const OfficeHours& h : entries_) {
      if (h.region == code) return &h;
    }
    return nullptr;
  };
  if (const OfficeHours* h = find(region)) return h;
  if (region.size() == 6) {
    const std::string city = std::string(region.substr(0, 4)) + "00";
    if (const OfficeHours* h = find(city)) return h;
    const std::string province = std::string(region.substr(0, 2)) + "0000";
    if (const OfficeHours* h = find(province)) return h;
  }
  return find(Calendar::kNational);
}

DayHours OfficeHoursOn(const Calendar& calendar, const OfficeHours& hours, Date day) {
  const DayStatus status = calendar.IsWorkingDay(day);
  DayHours out;
  out.provisional = status.provisional;
  if (status.working) out.ranges = hours.On(day.weekday());
  return out;
}

bool IsOpenAt(const Calendar& calendar, const OfficeHours& hours, Timestamp t) {
  const Date day = DateInChina(t);
  if (!calendar.IsWorkingDay(day).working) return false;
  const auto since_midnight = t - StartOfDayInChina(day);
  const int minute =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(since_midnight).count());
  for (const TimeRange& r : hours.On(day.weekday())) {
    if (minute >= r.start_minute && minute < r.end_minute) return true;
  }
  return false;
}

}  // namespace tongban
