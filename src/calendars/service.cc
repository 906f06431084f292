#include "calendars/service.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <set>

#include "base/embedded.h"
#include "people/authorization.h"

namespace tongban {
extern const EmbeddedFile kCalendarsFiles[];
extern const size_t kCalendarsFiles_count;
}  // namespace tongban

namespace tongban::calendars {
namespace {

using nlohmann::json;

constexpr std::string_view kPermission = "calendar.write";

Result<YearSchedule> ScheduleFromJson(std::string_view region, int year, std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Error(ErrorCode::kIntegrity, "a stored calendar year is not JSON");
  YearSchedule s;
  s.region = std::string(region);
  s.year = year;
  s.source = j.value("source", "");
  for (const json& h : j.value("holidays", json::array())) {
    HolidayPeriod p;
    p.name = h.value("name", "");
    auto from = Date::Parse(h.value("from", ""));
    auto to = Date::Parse(h.value("to", ""));
    if (!from.ok() || !to.ok()) return Error(ErrorCode::kIntegrity, "a stored holiday is bad");
    p.from = *from;
    p.to = *to;
    for (const json& d : h.value("make_up_working_days", json::array())) {
      auto day = Date::Parse(d.is_string() ? d.get<std::string>() : "");
      if (!day.ok()) return Error(ErrorCode::kIntegrity, "a stored make-up day is bad");
      p.make_up_working_days.push_back(*day);
    }
    s.holidays.push_back(std::move(p));
  }
  return s;
}

Status CheckRegion(std::string_view region) {
  const bool digits = region.size() == 6 && std::all_of(region.begin(), region.end(), [](char c) {
                        return c >= '0' && c <= '9';
                      });
  if (region == Calendar::kNational || digits) return Ok();
  FieldErrors errors;
  errors.Add("region", "must be cn or a 6-digit region code");
  return errors.ToError("bad calendar region");
}

// Whether `region` is `ancestor` or lies under it (GB/T 2260: a province ends in 0000, a city
// in 00).
bool IsWithin(std::string_view region, std::string_view ancestor) {
  if (region == ancestor) return true;
  if (ancestor.size() != 6 || region.size() != 6) return false;
  if (ancestor.ends_with("0000")) return region.starts_with(ancestor.substr(0, 2));
  if (ancestor.ends_with("00")) return region.starts_with(ancestor.substr(0, 4));
  return false;
}

// A town's or village's code (9 or 12 digits): it counts in its county's calendar, since only
// counties and the levels above them have days of their own.
bool IsBelowCounty(std::string_view region) {
  return (region.size() == 9 || region.size() == 12) &&
         std::all_of(region.begin(), region.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status CheckYear(int year) {
  if (year >= 2000 && year <= 2100) return Ok();
  FieldErrors errors;
  errors.Add("year", "must be 2000–2100");
  return errors.ToError("bad calendar year");
}

}  // namespace

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("calendars", kCalendarsFiles, kCalendarsFiles_count);
}

std::string ScheduleToJson(const YearSchedule& schedule) {
  json holidays = json::array();
  for (const HolidayPeriod& p : schedule.holidays) {
    json make_up = json::array();
    for (Date d : p.make_up_working_days) make_up.push_back(d.ToString());
    holidays.push_back({{"name", p.name},
                        {"from", p.from.ToString()},
                        {"to", p.to.ToString()},
                        {"make_up_working_days", make_up}});
  }
  return json{{"source", schedule.source}, {"holidays", holidays}}.dump();
}

Result<std::unique_ptr<CalendarService>> CalendarService::Create(store::Database& db,
                                                                 trace::Trace& trace,
                                                                 Calendar& national,
                                                                 CalendarOptions options) {
  if (national.region() != Calendar::kNational) {
    return Error(ErrorCode::kInternal, "the calendar service needs the national calendar");
  }
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kCalendarsFiles, kCalendarsFiles_count));
  const Clock& clock = options.clock ? *options.clock : SystemClock::Instance();
  std::unique_ptr<CalendarService> service(
      new CalendarService(db, trace, national, std::move(queries), clock));
  std::vector<YearSchedule> stored_national;
  TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    soci::rowset<soci::row> rows =
        (sql.prepare << service->queries_.Get("list_calendar_years", db.backend()));
    for (const soci::row& r : rows) {
      const std::string region = r.get<std::string>(0);
      const int year = r.get<int>(1);
      TB_ASSIGN_OR_RETURN(YearSchedule s, ScheduleFromJson(region, year, r.get<std::string>(2)));
      if (region == Calendar::kNational) {
        stored_national.push_back(std::move(s));
      } else {
        service->additions_[region][year] = std::move(s);
      }
    }
    return Ok();
  }));
  if (!stored_national.empty()) TB_RETURN_IF_ERROR(national.LoadSchedules(stored_national));
  return service;
}

std::vector<std::string> RegionLineage(std::string_view region) {
  std::vector<std::string> out;
  if (region.size() != 6) return {std::string(region)};
  const std::string province = std::string(region.substr(0, 2)) + "0000";
  const std::string city = std::string(region.substr(0, 4)) + "00";
  for (const std::string& r : {province, city, std::string(region)}) {
    if (out.empty() || out.back() != r) out.push_back(r);
  }
  return out;
}

std::optional<YearSchedule> CalendarService::InheritedLocked(std::string_view region,
                                                             int year) const {
  std::vector<std::string> lineage = RegionLineage(region);
  YearSchedule merged;
  merged.region = std::string(region);
  merged.year = year;
  bool any = false;
  std::vector<std::string> sources;
  // The region's own additions first, then its city's and province's: a period or make-up day
  // that would collide with one already taken (a nearer level's) is left out.
  for (auto level = lineage.rbegin(); level != lineage.rend(); ++level) {
    auto a = additions_.find(*level);
    if (a == additions_.end()) continue;
    auto y = a->second.find(year);
    if (y == a->second.end()) continue;
    any = true;
    if (!y->second.source.empty()) sources.push_back(y->second.source);
    for (const HolidayPeriod& p : y->second.holidays) {
      const bool clashes =
          std::any_of(merged.holidays.begin(), merged.holidays.end(), [&](const HolidayPeriod& q) {
            if (p.from <= q.to && q.from <= p.to) return true;
            auto inside = [](const HolidayPeriod& h, Date d) { return d >= h.from && d <= h.to; };
            return std::any_of(p.make_up_working_days.begin(), p.make_up_working_days.end(),
                               [&](Date d) { return inside(q, d); }) ||
                   std::any_of(q.make_up_working_days.begin(), q.make_up_working_days.end(),
                               [&](Date d) { return inside(p, d); });
          });
      if (!clashes) merged.holidays.push_back(p);
    }
  }
  if (!any) return std::nullopt;
  merged.source = fmt::format("{}", fmt::join(sources, "; "));
  if (merged.source.empty()) merged.source = "regional additions";
  return merged;
}

Calendar& CalendarService::RegionalLocked(std::string_view region) const {
  auto it = regional_.find(region);
  if (it != regional_.end()) return *it->second;
  auto calendar = std::make_unique<Calendar>(std::string(region));
  std::vector<YearSchedule> schedules = national_.Schedules();
  std::set<int> years;
  for (const std::string& level : RegionLineage(region)) {
    if (auto a = additions_.find(level); a != additions_.end()) {
      for (const auto& [year, s] : a->second) years.insert(year);
    }
  }
  for (int year : years) {
    if (auto merged = InheritedLocked(region, year)) schedules.push_back(std::move(*merged));
  }
  // Every schedule was validated when it was loaded or stored, and merging leaves out what
  // would collide, so this cannot fail.
  Status loaded = calendar->LoadSchedules(std::move(schedules));
  (void)loaded;
  return *regional_.emplace(std::string(region), std::move(calendar)).first->second;
}

const Calendar& CalendarService::ForRegion(std::string_view region) const {
  if (region == Calendar::kNational) return national_;
  if (IsBelowCounty(region)) return ForRegion(region.substr(0, 6));
  std::lock_guard lock(mu_);
  auto it = regional_.find(region);
  if (it != regional_.end()) return *it->second;
  return RegionalLocked(region);
}

std::string CalendarService::NowText() const {
  return trace::FormatTime(std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          clock_.Now().time_since_epoch())));
}

std::vector<std::string> CalendarService::RegionsWithOwnDays() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [region, years] : additions_) {
    const bool any = std::any_of(years.begin(), years.end(),
                                 [](const auto& y) { return !y.second.holidays.empty(); });
    if (any) out.push_back(region);
  }
  return out;
}

Result<DueDaysRecomputed> CalendarService::RunDueJob(const std::string& region, int year,
                                                     int64_t version, const std::string& actor) {
  if (!due_days_) return Error(ErrorCode::kUnavailable, "no due-day recomputation is set");
  TB_ASSIGN_OR_RETURN(DueDaysRecomputed done, due_days_(region));
  const std::string now = NowText();
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    long long open_cases = done.open_cases, moved = done.moved, v = version;
    int y = year;
    const store::Executed finished = store::Execute(
        sql, queries_.Get("finish_due_job", db_.backend()), soci::use(now, "done_at"),
        soci::use(open_cases, "open_cases"), soci::use(moved, "moved"), soci::use(region, "region"),
        soci::use(y, "year"), soci::use(v, "version"));
    if (finished.affected_rows == 0) return Ok();  // another run finished it first
    json payload = {{"year", year},
                    {"version", version},
                    {"open_cases", done.open_cases},
                    {"moved", done.moved}};
    auto traced = trace_.Append(sql, {.stream = "calendar/" + region,
                                      .actor = actor,
                                      .action = "calendar.due_days_recomputed",
                                      .payload = payload.dump()});
    if (!traced.ok()) return std::move(traced).error();
    return Ok();
  }));
  return done;
}

Result<int64_t> CalendarService::RunQueuedDueDays() {
  struct Job {
    std::string region;
    int year = 0;
    int64_t version = 0;
  };
  TB_ASSIGN_OR_RETURN(
      std::vector<Job> jobs,
      db_.Transaction<std::vector<Job>>(
          store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Job>> {
            std::vector<Job> out;
            Job j;
            long long version = 0;
            store::ExecuteRows(
                sql, queries_.Get("list_queued_due_jobs", db_.backend()),
                [&] {
                  j.version = version;
                  out.push_back(j);
                },
                soci::into(j.region), soci::into(j.year), soci::into(version));
            return out;
          }));
  for (const Job& j : jobs) {
    TB_ASSIGN_OR_RETURN(DueDaysRecomputed done, RunDueJob(j.region, j.year, j.version, "system"));
    (void)done;
  }
  return static_cast<int64_t>(jobs.size());
}

Result<CalendarYear> CalendarService::Year(std::string_view region, int year) const {
  {
    FieldErrors errors;
    if (!CheckRegion(region).ok()) errors.Add("region", "must be cn or a 6-digit region code");
    if (!CheckYear(year).ok()) errors.Add("year", "must be 2000–2100");
    if (!errors.empty()) return errors.ToError("bad calendar year");
  }
  CalendarYear out;
  out.region = std::string(region);
  out.year = year;
  out.national.region = std::string(Calendar::kNational);
  out.national.year = year;
  for (YearSchedule& s : national_.Schedules()) {
    if (s.region == Calendar::kNational && s.year == year) out.national = std::move(s);
  }
  out.provisional = !national_.IsLoaded(year);
  std::vector<Day> days;
  {
    std::lock_guard lock(mu_);
    if (auto a = additions_.find(region); a != additions_.end()) {
      if (auto y = a->second.find(year); y != a->second.end()) out.own = y->second;
    }
  }
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string schedule;
    sql << queries_.Get("find_calendar_year", db_.backend()), soci::use(out.region, "region"),
        soci::use(year, "year"), soci::into(schedule), soci::into(out.version),
        soci::into(out.updated_at), soci::into(out.updated_by);
    if (!sql.got_data()) out.version = 0;
    return Ok();
  }));
  const Calendar& calendar = ForRegion(region);
  const Date first = Date::FromDays(DaysFromCivil(year, 1, 1));
  const Date end = Date::FromDays(DaysFromCivil(year + 1, 1, 1));
  for (Date d = first; d < end; d = d.AddDays(1)) {
    Day day;
    day.date = d;
    day.working = calendar.IsWorkingDay(d).working;
    auto mark = [&](const YearSchedule& s, bool regional) {
      for (const HolidayPeriod& p : s.holidays) {
        if (d >= p.from && d <= p.to) {
          day.holiday = p.name;
          day.regional = regional;
        }
        for (Date m : p.make_up_working_days) {
          if (m == d) {
            day.make_up = true;
            day.regional = regional;
          }
        }
      }
    };
    mark(out.national, false);
    if (out.own) mark(*out.own, true);
    out.days.push_back(std::move(day));
  }
  return out;
}

Result<CalendarYear> CalendarService::Change(const people::Principal& caller,
                                             std::string_view region, int year, std::string source,
                                             std::vector<HolidayPeriod> holidays,
                                             int64_t if_version) {
  {
    FieldErrors errors;
    if (!CheckRegion(region).ok()) errors.Add("region", "must be cn or a 6-digit region code");
    if (!CheckYear(year).ok()) errors.Add("year", "must be 2000–2100");
    if (!errors.empty()) return errors.ToError("bad calendar change");
  }
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
          .count();
  // The national schedule binds every region: only a scope over all of them may change it.
  const people::Target target{.region = region == Calendar::kNational ? std::string()
                                                                      : std::string(region)};
  TB_RETURN_IF_ERROR(people::Authorize(caller, kPermission, target, now_ms));
  YearSchedule schedule;
  schedule.region = std::string(region);
  schedule.year = year;
  schedule.source = std::move(source);
  schedule.holidays = std::move(holidays);
  TB_RETURN_IF_ERROR(ValidateYearSchedule(schedule));
  const std::string body = ScheduleToJson(schedule);
  const std::string now = NowText();
  const std::string actor =
      caller.account.username.empty() ? caller.account.id : caller.account.username;
  const std::string region_text(region);
  int64_t stored_version = 0;  // the version this change stored, which names its due-day job
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    std::string old_schedule, old_at, old_by;
    int64_t version = 0;
    sql << queries_.Get("find_calendar_year", db_.backend()), soci::use(region_text, "region"),
        soci::use(year, "year"), soci::into(old_schedule), soci::into(version), soci::into(old_at),
        soci::into(old_by);
    const bool exists = sql.got_data();
    if (!exists) version = 0;
    if (version != if_version) {
      return Error(ErrorCode::kVersionMismatch,
                   fmt::format("the calendar {} {} is at version {}, not {}", region, year, version,
                               if_version));
    }
    if (exists) {
      sql << queries_.Get("update_calendar_year", db_.backend()), soci::use(body, "schedule"),
          soci::use(now, "updated_at"), soci::use(actor, "updated_by"),
          soci::use(region_text, "region"), soci::use(year, "year"), soci::use(version, "version");
    } else {
      sql << queries_.Get("insert_calendar_year", db_.backend()), soci::use(region_text, "region"),
          soci::use(year, "year"), soci::use(body, "schedule"), soci::use(now, "updated_at"),
          soci::use(actor, "updated_by");
    }
    // The stored due days follow after the commit (RunDueJob), from this job: queued here so
    // that a crash before it finishes leaves it for RunQueuedDueDays.
    long long next = version + 1;
    stored_version = next;
    const std::string queued_at = now;
    store::Execute(sql, queries_.Get("insert_due_job", db_.backend()),
                   soci::use(region_text, "region"), soci::use(year, "year"),
                   soci::use(next, "version"), soci::use(queued_at, "queued_at"));
    json payload = {{"year", year},
                    {"version", version + 1},
                    {"schedule", json::parse(body)},
                    {"previous", exists ? json::parse(old_schedule, nullptr, false) : json()}};
    auto traced = trace_.Append(sql, {.stream = "calendar/" + region_text,
                                      .actor = actor,
                                      .action = "calendar.changed",
                                      .payload = payload.dump()});
    if (!traced.ok()) return std::move(traced).error();
    return Ok();
  }));
  // Calendars are loaded into, never replaced: ForRegion's references stay valid.
  {
    std::lock_guard lock(mu_);
    if (region == Calendar::kNational) {
      TB_RETURN_IF_ERROR(national_.LoadYear(schedule));
      for (auto& [r, calendar] : regional_) TB_RETURN_IF_ERROR(calendar->LoadYear(schedule));
    } else {
      additions_[region_text][year] = std::move(schedule);
      (void)RegionalLocked(region_text);
      // The region's calendar and those of the regions under it (a province's change reaches
      // its cities and counties) load the year as they now inherit it.
      for (auto& [r, calendar] : regional_) {
        if (!IsWithin(r, region_text)) continue;
        YearSchedule merged = InheritedLocked(r, year).value_or(YearSchedule{});
        merged.region = r;
        merged.year = year;
        if (merged.source.empty()) merged.source = "regional additions";
        TB_RETURN_IF_ERROR(calendar->LoadYear(std::move(merged)));
      }
    }
  }
  TB_ASSIGN_OR_RETURN(CalendarYear out, Year(region, year));
  if (due_days_) {
    auto done = RunDueJob(region_text, year, stored_version, actor);
    if (done.ok()) {
      out.due_days = *done;
    } else {
      spdlog::warn("calendar {} {}: the due days stay queued: {}", region_text, year,
                   done.error().ToString());
    }
  }
  return out;
}

}  // namespace tongban::calendars
