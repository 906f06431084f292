// Office hours of service halls by region: on which minutes of a working day the clock of a limit
// counted in hours runs. Loaded from YAML, for example
//
//   office_hours:
//     - region: cn                                # the default for every region
//       weekdays: ["08:30-12:00", "14:30-17:30"]  # Monday to Friday
//     - region: "431128"                          # a county's own hours
//       weekdays: ["08:00-12:00", "14:30-17:30"]
//       friday: ["08:00-12:00", "14:30-17:00"]    # one weekday differs
//       make_up_working_day: ["08:00-12:00"]      # a Saturday/Sunday made a working day
//
// Times are China Standard Time.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "base/calendar.h"
#include "base/clock.h"
#include "base/result.h"

namespace tongban {

// [start, end) in minutes after 00:00.
struct TimeRange {
  int start_minute = 0;
  int end_minute = 0;
  int minutes() const { return end_minute - start_minute; }
  bool operator==(const TimeRange&) const = default;
};

struct OfficeHours {
  std::string region;                              // "cn" (default) or a GB/T 2260 code
  std::array<std::vector<TimeRange>, 5> weekdays;  // Monday .. Friday, ascending, disjoint
  std::vector<TimeRange> make_up_working_day;      // Monday's hours unless given

  // Hours of a working `weekday` (Saturday/Sunday: the make-up working day hours).
  const std::vector<TimeRange>& On(Weekday weekday) const;
};

class OfficeHoursTable {
 public:
  // Parses and validates "office_hours": every entry needs a region (unique) and hours for all
  // of Monday to Friday (from `weekdays` or the day's own key); times "HH:MM-HH:MM", 00:00 to
  // 24:00, each range non-empty, ascending and not overlapping. Every error is listed.
  static Result<OfficeHoursTable> ParseYaml(std::string_view yaml, std::string_view origin);

  // The entry for `region`, else for its city (XXXX00), its province (XX0000), else the default
  // "cn"; nullptr when there is none of these.
  const OfficeHours* Find(std::string_view region) const;
  const std::vector<OfficeHours>& entries() const { return entries_; }

 private:
  std::vector<OfficeHours> entries_;
};

// Parses "HH:MM-HH:MM" (24:00 allowed as an end); the error names `field`.
Result<TimeRange> ParseTimeRange(std::string_view text, std::string_view field);

struct DayHours {
  std::vector<TimeRange> ranges;  // empty on a day that is not a working day
  bool provisional = false;       // the calendar's answer for the day was provisional
};

// The office hours on `day`: none unless it is a working day in `calendar`; a weekday's own
// hours; the make-up hours on a Saturday or Sunday made a working day.
DayHours OfficeHoursOn(const Calendar& calendar, const OfficeHours& hours, Date day);

// Whether the hall is open at instant `t`: a working day (China Standard Time) and a minute
// inside one of its ranges.
bool IsOpenAt(const Calendar& calendar, const OfficeHours& hours, Timestamp t);

}  // namespace tongban
