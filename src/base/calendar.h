// The working-day calendar that legal and promised limits are counted in: public holidays and the
// weekend days declared working days (调休上班), as the State Council General Office publishes them
// each year, plus the additions of regions with their own holidays (全国年节及纪念日放假办法
// 第四条). Limits in working days exclude statutory holidays (行政许可法 第八十二条), and the day a
// period starts is not counted (民法典 第二百零一条).
//
// Start here: Calendar::WithEmbeddedSchedules() gives the national calendar with the schedules
// compiled into the binary (data/calendar/cn-YYYY.yaml); AddWorkingDays and WorkingDaysBetween
// answer in O(1) from an immutable snapshot; LoadYaml/LoadFile add years or a region's additions
// at run time and bump version().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace tongban {

// One holiday as a notice gives it: the days off (放假调休, inclusive, weekend days included)
// and the weekend days that become working days for it.
struct HolidayPeriod {
  std::string name;
  Date from;
  Date to;
  std::vector<Date> make_up_working_days;
};

// One year's published schedule for one region: the national one (region "cn") or a region's
// additions (a 6-digit GB/T 2260 code), which apply on top of the national schedule.
struct YearSchedule {
  std::string region;
  int year = 0;
  std::string
      source;  // the notice it comes from, e.g. "国务院办公厅关于2025年…（国办发明电〔2024〕12号）"
  std::vector<HolidayPeriod> holidays;
};

// Checks one schedule: region "cn" or 6 digits, a source, days off and make-up days within the
// year (or the adjoining December/January, where notices sometimes reach), make-up days on a
// Saturday or Sunday and not inside a holiday, periods of at most 31 days that do not overlap.
// Lists every problem at once, by field path ("holidays/1/make_up_working_days/0").
Status ValidateYearSchedule(const YearSchedule& schedule);

// Parses every YAML document in `yaml` (the format of data/calendar/cn-2025.yaml) and validates
// each; unknown keys are refused. `origin` (a file name) starts the error message.
Result<std::vector<YearSchedule>> ParseYearSchedules(std::string_view yaml,
                                                     std::string_view origin);

// A date computed by the calendar. `provisional` is true when a day the answer depends on lies
// in a year whose national schedule is not loaded: that year was counted with weekends only,
// and the answer may change when its schedule is loaded.
struct CalendarDate {
  Date date;
  bool provisional = false;
  bool operator==(const CalendarDate&) const = default;
};

struct WorkingDayCount {
  int64_t days = 0;
  bool provisional = false;
  bool operator==(const WorkingDayCount&) const = default;
};

struct DayStatus {
  bool working = false;
  bool provisional = false;
  bool operator==(const DayStatus&) const = default;
};

// What a load changed, for listeners.
struct CalendarChange {
  uint64_t version = 0;    // the calendar's version after the load
  std::vector<int> years;  // the years whose schedules were loaded (sorted, unique)
};

// Thread-safety: every const member may be called from any number of threads while another
// thread loads; readers see either the old or the new snapshot, never a mix. Loads are
// serialised.
class Calendar {
 public:
  static constexpr std::string_view kNational = "cn";

  // An empty calendar for `region` ("cn" or a GB/T 2260 code): every year is provisional and
  // counted with weekends only until schedules are loaded.
  explicit Calendar(std::string region = std::string(kNational));
  ~Calendar();
  Calendar(const Calendar&) = delete;
  Calendar& operator=(const Calendar&) = delete;

  // A calendar with the national schedules compiled into the binary (2024, 2025, 2026).
  // Throws std::logic_error only if that embedded data is invalid (a build defect, tested).
  static std::unique_ptr<Calendar> WithEmbeddedSchedules(
      std::string region = std::string(kNational));

  const std::string& region() const { return region_; }

  // Loads schedules; one that has the same region and year as a loaded one replaces it (a
  // corrected notice). Accepts national schedules and this calendar's own region's; anything
  // invalid is refused whole, with every error listed, and nothing changes. On success the
  // version increases by one and listeners are called.
  Status LoadYear(YearSchedule schedule);
  Status LoadSchedules(std::vector<YearSchedule> schedules);
  // Every YAML document of `yaml`, all or nothing.
  Status LoadYaml(std::string_view yaml, std::string_view origin = "calendar");
  Status LoadFile(const std::string& path);

  // The n-th working day after `from`: `from` itself is never counted, so n = 1 is the next
  // working day, and n = 0 gives `from` unchanged (not provisional). n < 0 is refused
  // (invalid_argument, field "n"), as is a result after 9999-12-31. O(1).
  Result<CalendarDate> AddWorkingDays(Date from, int64_t n) const;

  // The number of working days d with from < d <= to (`from` excluded, `to` included), so
  // AddWorkingDays(from, n) = to implies WorkingDaysBetween(from, to) = n, and from == to gives 0.
  // When from > to the count is negative: -WorkingDaysBetween(to, from). O(1).
  WorkingDayCount WorkingDaysBetween(Date from, Date to) const;

  // A working day is Monday to Friday outside every holiday, or a make-up working day. O(1).
  DayStatus IsWorkingDay(Date day) const;

  // Whether the national schedule of `year` is loaded (its dates are not provisional).
  bool IsLoaded(int year) const;
  std::vector<int> LoadedYears() const;
  // The loaded schedules, national first, each group by year.
  std::vector<YearSchedule> Schedules() const;

  // Increases by one with every successful load; 0 for an empty calendar.
  //
  // Contract for modules that store dates computed here (supervision's due dates): store the
  // version (or at least the provisional flag) with each date. After a load, every stored date
  // that was provisional, or whose period touches a year in CalendarChange::years, must be
  // recomputed; comparing the stored version with version() tells whether any load happened.
  uint64_t version() const;

  // Called on the loading thread after each successful load, with loads serialised, so
  // listeners see versions in order. A listener must not load into this calendar.
  using Listener = std::function<void(const CalendarChange&)>;
  void AddListener(Listener listener);

 private:
  struct Snapshot;
  static std::unique_ptr<const Snapshot> BuildSnapshot(std::vector<YearSchedule> schedules,
                                                       uint64_t version);

  const Snapshot& Current() const { return *current_.load(std::memory_order_acquire); }

  std::string region_;
  std::atomic<const Snapshot*> current_;
  // Guards loads, listeners and snapshots_. Every snapshot ever published stays alive until the
  // calendar is destroyed (a few KB per loaded year; loads are rare), so a reader never needs a
  // reference count or a lock.
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<const Snapshot>> snapshots_;
  std::vector<Listener> listeners_;
};

}  // namespace tongban
