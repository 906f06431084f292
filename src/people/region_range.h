// A region's subtree as a range of region codes, for SQL that filters by `code >= lo AND
// code < hi` on an index instead of a LIKE per row.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace tongban::people {

// The half-open text range [lo, hi) holding every code of the subtree of `region`:
// "431100" -> ["4311", "4312"), "431128101" -> ["431128101", "431128102"); a code of 9s only,
// or "" (every region), reaches "~", after every digit. A text that is not a region code is
// taken as the prefix itself.
std::pair<std::string, std::string> RegionSubtreeRange(std::string_view region);

}  // namespace tongban::people
