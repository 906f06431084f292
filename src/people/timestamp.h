// RFC 3339 timestamps <-> milliseconds since the epoch, for validity windows and expiry times at
// the edges (JSON, YAML). Stored times are integers (ms, UTC) in every table of this module.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tongban::people {

// Parses "2026-12-31T23:59:59Z", "2026-12-31T23:59:59.250+08:00" (offset required, fraction
// optional, up to millisecond precision kept). Dates must be real calendar dates.
Result<int64_t> ParseTimestamp(std::string_view text);

// Formats `ms` as "2026-12-31T15:59:59Z" (UTC; milliseconds shown only when non-zero).
std::string FormatTimestamp(int64_t ms);

}  // namespace tongban::people
