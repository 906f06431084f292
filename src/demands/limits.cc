#include "demands/limits.h"

#include <algorithm>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "base/embedded.h"

namespace tongban {
extern const EmbeddedFile kDemandLimits[];
extern const size_t kDemandLimits_count;
}  // namespace tongban

namespace tongban::demands {
namespace {

constexpr int64_t kMsPerMinute = 60 * 1000;

int64_t ToMs(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Timestamp FromMs(int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }

bool IsRegion(const std::string& r) {
  return r == "cn" || (r.size() == 6 && std::all_of(r.begin(), r.end(),
                                                    [](char c) { return c >= '0' && c <= '9'; }));
}

int ReadInt(const YAML::Node& node, const std::string& path, int min, int max,
            FieldErrors& errors) {
  if (!node) {
    errors.Add(path, "required");
    return min;
  }
  try {
    int v = node.as<int>();
    if (v < min || v > max) errors.Add(path, fmt::format("must be {} to {}", min, max));
    return v;
  } catch (const YAML::Exception&) {
    errors.Add(path, "must be a whole number");
    return min;
  }
}

}  // namespace

Result<LimitsTable> LimitsTable::ParseYaml(std::string_view yaml, std::string_view origin) {
  FieldErrors errors;
  LimitsTable table;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: not valid YAML: line {}: {}", origin, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap() || !root["limits"] || !root["limits"].IsSequence()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: must be a mapping with a limits list", origin),
                 {{"limits", "required list"}});
  }
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key != "limits" && key != "office_hours") errors.Add(key, "unknown key");
  }
  bool has_default = false;
  const YAML::Node list = root["limits"];
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string p = fmt::format("limits/{}", i);
    const YAML::Node e = list[i];
    if (!e.IsMap()) {
      errors.Add(p, "must be a mapping");
      continue;
    }
    RegionLimits r;
    for (const auto& kv : e) {
      const std::string key = kv.first.as<std::string>();
      if (key != "region" && key != "sign_for_hours" && key != "urgent_days" &&
          key != "complex_days" && key != "callback_days" && key != "ordinary_days") {
        errors.Add(fmt::format("{}/{}", p, key), "unknown key");
      }
    }
    r.region = e["region"] ? e["region"].as<std::string>("") : "";
    if (!IsRegion(r.region)) errors.Add(p + "/region", "must be cn or a 6-digit region code");
    if (r.region == "cn") has_default = true;
    for (const RegionLimits& seen : table.entries_) {
      if (seen.region == r.region) errors.Add(p + "/region", "duplicate region");
    }
    r.sign_for_hours = ReadInt(e["sign_for_hours"], p + "/sign_for_hours", 1, 24, errors);
    r.urgent_days = ReadInt(e["urgent_days"], p + "/urgent_days", 0, 60, errors);
    r.complex_days = ReadInt(e["complex_days"], p + "/complex_days", 0, 60, errors);
    r.callback_days = ReadInt(e["callback_days"], p + "/callback_days", 0, 10, errors);
    const YAML::Node days = e["ordinary_days"];
    if (!days || !days.IsMap()) {
      errors.Add(p + "/ordinary_days", "required mapping of class to working days");
    } else {
      for (const auto& kv : days) {
        const std::string key = kv.first.as<std::string>();
        if (!ParseDemandClass(key))
          errors.Add(fmt::format("{}/ordinary_days/{}", p, key), "unknown class");
      }
      for (int c = 0; c < 6; ++c) {
        const std::string name(DemandClassName(static_cast<DemandClass>(c)));
        r.ordinary_days[c] =
            ReadInt(days[name], fmt::format("{}/ordinary_days/{}", p, name), 0, 60, errors);
      }
    }
    table.entries_.push_back(std::move(r));
  }
  if (!has_default) errors.Add("limits", "an entry for region cn (the default) is required");
  if (root["office_hours"]) {
    YAML::Emitter out;
    YAML::Node only;
    only["office_hours"] = root["office_hours"];
    out << only;
    auto hours = OfficeHoursTable::ParseYaml(out.c_str(), origin);
    if (!hours.ok()) {
      for (const FieldError& f : hours.error().fields()) errors.Add(f.field, f.message);
      if (hours.error().fields().empty()) errors.Add("office_hours", hours.error().message());
    } else {
      table.office_hours_ = std::move(*hours);
      if (table.office_hours_.Find("cn") == nullptr) {
        errors.Add("office_hours", "an entry for region cn (the default) is required");
      }
    }
  } else {
    errors.Add("office_hours", "required");
  }
  if (!errors.empty()) return errors.ToError(fmt::format("{}: invalid demand limits", origin));
  return table;
}

Result<LimitsTable> LimitsTable::Shipped() {
  for (size_t i = 0; i < kDemandLimits_count; ++i) {
    return ParseYaml(kDemandLimits[i].contents, kDemandLimits[i].path);
  }
  return Error(ErrorCode::kInternal, "no demand limits embedded");
}

const RegionLimits& LimitsTable::For(std::string_view region) const {
  const std::string r(region.substr(0, std::min<size_t>(region.size(), 6)));
  std::vector<std::string> candidates{r};
  if (r.size() == 6) {
    candidates.push_back(r.substr(0, 4) + "00");
    candidates.push_back(r.substr(0, 2) + "0000");
  }
  candidates.emplace_back("cn");
  for (const std::string& c : candidates) {
    for (const RegionLimits& e : entries_) {
      if (e.region == c) return e;
    }
  }
  return entries_.front();  // ParseYaml guarantees "cn"; not reached
}

int LimitsTable::HandlingDays(std::string_view region, DemandClass c, Urgency u,
                              bool complex) const {
  const RegionLimits& r = For(region);
  if (u == Urgency::kUrgent) return r.urgent_days;
  if (complex) return r.complex_days;
  return r.ordinary_days[static_cast<size_t>(c)];
}

Result<int64_t> AddWorkingDaysEnd(const Calendar& calendar, int64_t from_ms, int days) {
  const Date start = DateInChina(FromMs(from_ms));
  Date last = start;
  if (days > 0) {
    TB_ASSIGN_OR_RETURN(CalendarDate d, calendar.AddWorkingDays(start, days));
    last = d.date;
  }
  return ToMs(StartOfDayInChina(last.AddDays(1))) - 1;
}

Result<int64_t> AddWorkingMinutes(const Calendar& calendar, const OfficeHours& hours,
                                  int64_t from_ms, int minutes) {
  int64_t left = minutes * kMsPerMinute;
  Date day = DateInChina(FromMs(from_ms));
  for (int n = 0; n < 366; ++n, day = day.AddDays(1)) {
    const int64_t day_start = ToMs(StartOfDayInChina(day));
    for (const TimeRange& r : OfficeHoursOn(calendar, hours, day).ranges) {
      const int64_t open = std::max(day_start + r.start_minute * kMsPerMinute, from_ms);
      const int64_t close = day_start + r.end_minute * kMsPerMinute;
      if (open >= close) continue;
      if (left <= close - open) return open + left;
      left -= close - open;
    }
  }
  return Error(ErrorCode::kInvalidArgument, "no office hours within a year",
               {{"office_hours", "the office hours give no open time"}});
}

}  // namespace tongban::demands
