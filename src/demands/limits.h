// Time limits of demands from configuration (data/demands/limits.yaml): handling limits in
// working days by class and urgency, the sign-for limit in working hours, the callback delay,
// per region; and the office hours the working-hour clock runs in.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/calendar.h"
#include "base/clock.h"
#include "base/office_hours.h"
#include "base/result.h"
#include "demands/model.h"

namespace tongban::demands {

struct RegionLimits {
  std::string region{};  // "cn" (the default) or a 6-digit GB/T 2260 code
  int sign_for_hours = 2;
  int urgent_days = 0;  // 0: the same day
  int complex_days = 15;
  int callback_days = 1;               // the callback is due this many working days after
  std::array<int, 6> ordinary_days{};  // indexed by DemandClass
};

class LimitsTable {
 public:
  // Parses a limits file: "limits" (a list of RegionLimits, one with region "cn" required,
  // every class given, days 0..60, hours 1..24) and "office_hours" (base/office_hours.h).
  // Every problem is listed with its path ("limits/1/ordinary_days/help").
  static Result<LimitsTable> ParseYaml(std::string_view yaml, std::string_view origin);
  // The shipped file (data/demands/limits.yaml), embedded in the binary.
  static Result<LimitsTable> Shipped();

  // The entry of `region`, else of its city (XXXX00), its province (XX0000), else "cn".
  const RegionLimits& For(std::string_view region) const;
  // Working days to handle a demand of this kind in `region`.
  int HandlingDays(std::string_view region, DemandClass c, Urgency u, bool complex) const;
  const OfficeHoursTable& office_hours() const { return office_hours_; }

 private:
  std::vector<RegionLimits> entries_;
  OfficeHoursTable office_hours_;
};

// The last millisecond of the `days`-th working day after the day of `from` (China Standard
// Time); days = 0 gives the end of the day of `from` itself.
Result<int64_t> AddWorkingDaysEnd(const Calendar& calendar, int64_t from_ms, int days);

// The instant `minutes` of office time after `from`: the clock runs only inside the office
// hours of working days, so 2 working hours from Friday 17:00 end on Monday morning.
// kInvalidArgument when the office hours give no open time within a year.
Result<int64_t> AddWorkingMinutes(const Calendar& calendar, const OfficeHours& hours,
                                  int64_t from_ms, int minutes);

}  // namespace tongban::demands
