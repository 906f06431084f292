// Working-day calendars changed at run time (工作日历维护): the national schedule of a year
// (region "cn", replacing the one compiled into the binary) and a region's own additions (民族
// 自治地方的节日, 放假办法 第四条), stored, traced, and loaded into the calendars that count legal
// and promised limits, so a change takes effect for every due day computed after it.
//
// Start here: Create() loads the stored national years into the shared national Calendar (the
// one the app passes to the case, supervision and KPI services); Year() answers a region's year
// day by day for the month grid; Change() replaces a year's holidays after checking them, and
// then has the stored due days of the region's open cases recomputed (SetDueDays).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/calendar.h"
#include "base/clock.h"
#include "base/result.h"
#include "people/model.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/queries.h"
#include "trace/trace.h"

namespace tongban::calendars {

Result<store::MigrationSet> Migrations();

struct Day {
  Date date;
  bool working = false;
  std::string holiday;    // the holiday's name when the day is inside one
  bool make_up = false;   // a weekend day declared a working day (调休上班)
  bool regional = false;  // the region's own addition, not the national schedule
};

// What a recomputation of stored due days read and changed.
struct DueDaysRecomputed {
  int64_t open_cases = 0;  // open cases with a stored due day in the region's subtree
  int64_t moved = 0;       // of them, those whose stored due day changed
};

// Recomputes the stored due days of the open cases of `region`'s subtree ("cn": of every region)
// in the calendars as they are now (cases::CaseService::RecomputeDueDays). Must be idempotent: a
// crash may run it again.
using DueDaysFunction = std::function<Result<DueDaysRecomputed>(std::string_view region)>;

// A region's year as in force: the national schedule and the region's additions.
struct CalendarYear {
  std::string region;  // "cn" or a 6-digit code
  int year = 0;
  YearSchedule national;              // empty holidays (and provisional) when none is known
  std::optional<YearSchedule> own{};  // the region's additions; none for "cn" or not set
  bool provisional = false;           // no national schedule for the year: weekends only
  int64_t version = 0;                // of the stored row changed by Change(); 0: never changed
  std::string updated_at{};
  std::string updated_by{};
  std::vector<Day> days{};  // every day of the year, January 1 first
  // Change() only: the recomputation of the stored due days it ran after its commit; none when
  // it stays queued (no DueDaysFunction yet, or it failed: the next RunQueuedDueDays runs it).
  std::optional<DueDaysRecomputed> due_days{};
};

struct CalendarOptions {
  const Clock* clock = nullptr;  // SystemClock when null
};

class CalendarService {
 public:
  // Loads the stored national years into `national` (which must be the "cn" calendar and
  // outlive the service). `db` and `trace` must outlive the service.
  static Result<std::unique_ptr<CalendarService>> Create(store::Database& db, trace::Trace& trace,
                                                         Calendar& national,
                                                         CalendarOptions options);

  // The year of `region` ("cn" or a 6-digit code), day by day. kInvalidArgument naming
  // "region" or "year" (2000–2100).
  Result<CalendarYear> Year(std::string_view region, int year) const;

  // Replaces the holidays of `region`'s `year` (its additions, or the national schedule for
  // "cn"): calendar.write over the region (the national schedule: over every region, scope
  // "*"). `if_version` is the version read (0: the year was never changed here); a mismatch is
  // kVersionMismatch. Refused whole, with every bad field named, when ValidateYearSchedule
  // refuses it. Traced in the stream "calendar/<region>" in the change's transaction; on
  // success the national calendar (and region calendars) load it, so due days computed from now
  // on follow; the stored due days of the open cases of the region's subtree (every region's for
  // "cn") are recomputed after the commit, from a job queued in the change's transaction, so
  // that a crash in between leaves it for RunQueuedDueDays.
  Result<CalendarYear> Change(const people::Principal& caller, std::string_view region, int year,
                              std::string source, std::vector<HolidayPeriod> holidays,
                              int64_t if_version);

  // The calendar of `region`: the national one for "cn", else national plus the additions of
  // the region, its city and its province (province → city → county: a nearer level's holiday
  // wins where two collide), kept current after every change of any of them; a town's or
  // village's (9 or 12 digits) is its county's. The reference stays valid for the service's life.
  const Calendar& ForRegion(std::string_view region) const;

  // The regions with additions of their own (any year), sorted: every other region counts in
  // the calendar of its nearest ancestor among them, or the national one. The supervision sweep
  // splits its regions by these, to compute its day constants once per calendar, not per case.
  std::vector<std::string> RegionsWithOwnDays() const;

  // Sets what recomputes stored due days (the case service, created after this one). Until it
  // is set, changes only queue their recomputation. Call before serving requests.
  void SetDueDays(DueDaysFunction due_days) { due_days_ = std::move(due_days); }

  // Runs the recomputations still queued (a crash after a change's commit, or a change before
  // SetDueDays), each traced in its region's stream; returns how many ran. Call at start, after
  // SetDueDays.
  Result<int64_t> RunQueuedDueDays();

 private:
  CalendarService(store::Database& db, trace::Trace& trace, Calendar& national,
                  store::QuerySet queries, const Clock& clock)
      : db_(db), trace_(trace), national_(national), queries_(std::move(queries)), clock_(clock) {}
  // Rebuilds the region's calendar from the national one and the stored additions. mu_ held.
  Calendar& RegionalLocked(std::string_view region) const;
  // The additions `region` has in `year` from itself, its city and its province, merged under
  // its own code; none when no level has any. mu_ held.
  std::optional<YearSchedule> InheritedLocked(std::string_view region, int year) const;
  // The clock's time as the rows store it (ISO-8601 UTC, as the trace writes it).
  std::string NowText() const;
  // Runs the queued recomputation of (`region`, `year`, `version`) and marks it done, traced as
  // `actor`'s.
  Result<DueDaysRecomputed> RunDueJob(const std::string& region, int year, int64_t version,
                                      const std::string& actor);

  store::Database& db_;
  trace::Trace& trace_;
  Calendar& national_;
  const store::QuerySet queries_;
  const Clock& clock_;
  DueDaysFunction due_days_;
  mutable std::mutex mu_;
  // Guarded by mu_: the stored region additions and the region calendars built from them.
  std::map<std::string, std::map<int, YearSchedule>, std::less<>> additions_;
  mutable std::map<std::string, std::unique_ptr<Calendar>, std::less<>> regional_;
};

// The province, city and region codes `region` inherits additions from, outermost first
// (duplicates dropped: a province's lineage is itself).
std::vector<std::string> RegionLineage(std::string_view region);

// The JSON a schedule is stored as (and the API's body): {"source", "holidays": [...]}.
std::string ScheduleToJson(const YearSchedule& schedule);

}  // namespace tongban::calendars
