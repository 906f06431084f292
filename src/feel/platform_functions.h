// Functions the platform adds to FEEL: working-day arithmetic over the public-holiday calendar
// (`add working days(date, n)`, `working days between(from, to)`). The calendar is owned by the
// caller and must outlive every Program compiled against the scope.
#pragma once

#include "base/calendar.h"
#include "feel/feel.h"

namespace tongban::feel {

// Registers `add working days` and `working days between` in `scope`, computed by `calendar`.
// Results on provisional years (schedule not loaded) come with a warning.
void AddCalendarFunctions(Scope& scope, const Calendar& calendar);

}  // namespace tongban::feel
