// What one case contributes to the KPI aggregates: a pure function of the case record, its
// matter's limits and the working-day calendar. The observer stores each case's contribution
// and applies the difference on every change; `report verify` recomputes them all from the case
// table. Both use this one function, so the aggregates are exactly the sum of the cases.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/calendar.h"
#include "base/clock.h"
#include "cases/model.h"
#include "catalog/matter.h"
#include "catalog/model.h"
#include "kpi/model.h"

namespace tongban::kpi {

// The case fields the figures read.
struct CaseInputs {
  std::string region;
  std::string department;
  std::string matter;
  std::string channel;  // cases::ChannelName
  std::string window;   // the window that took the case in ("" online)
  std::string applicant_code;
  cases::CaseState state = cases::CaseState::kSubmitted;
  Date received_on;
  std::optional<Date> accepted_on;
  std::optional<Date> decided_on;  // the decision document's day
  bool denied = false;             // the decision was a denial
  int64_t suspended_days = 0;
  int64_t extension_days = 0;
  bool joint = false;
  struct Material {
    cases::MaterialState state = cases::MaterialState::kMissing;
    cases::MaterialOrigin origin = cases::MaterialOrigin::kNone;
  };
  std::vector<Material> materials;
  std::optional<catalog::TimeLimit> promised;
  std::optional<catalog::TimeLimit> legal;
  int visits = 0;
};

// The inputs of a case as the case service holds it inside a transition.
CaseInputs InputsOf(const cases::Case& c, const catalog::Matter& matter);

// Row key -> values. Keys are "f|<grain>|<period>|<region>|<department>|<matter>|<channel>|
// <window>" for kpi_fact (kFactCount values) and the same with "h" and a last "|<days>" for
// kpi_duration (one value: cases).
using Contribution = std::map<std::string, std::vector<int64_t>>;

Contribution Contribute(const CaseInputs& in, const Calendar& calendar);

// `to` += `c`.
void Accumulate(Contribution& to, const Contribution& c);
// `after` - `before`, without the rows that do not change.
Contribution Difference(const Contribution& before, const Contribution& after);

// One line per row: "<key>=<v1>,<v2>,…". Parse is its inverse (an error for damaged text).
std::string Serialize(const Contribution& c);
Result<Contribution> Parse(std::string_view text);

// The key's fields: {table, grain, period, region, department, matter, channel, window[, days]}.
std::vector<std::string> SplitKey(std::string_view key);

// Working days taken from acceptance to decision (suspension excluded), and whether the
// decision came within the limit. Exposed for the tests.
struct Timing {
  int64_t working_days = 0;
  bool on_time = false;
};
Timing TimingOf(const CaseInputs& in, const Calendar& calendar);

}  // namespace tongban::kpi
