// 行政区划代码: GB/T 2260 codes to county level and the statistical town/village codes below them
// (GB/T 10114 township ranges), from data/regions/ compiled into the binary, so a lookup needs
// no data directory and no database. Village codes ship only for the demo's localities; the
// nationwide village list is imported into the database (src/regions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban {

enum class RegionLevel { kProvince, kCity, kCounty, kTown, kVillage };

// "province", "city", "county", "town", "village": the names used in JSON and SQL.
std::string_view RegionLevelName(RegionLevel level);

struct RegionInfo {
  // Canonical form: 6 digits for a province (430000), city (431100) or county (431128),
  // 9 for a town (431128101), 12 for a village (431128101201).
  std::string code;
  std::string name;  // 新田县
  RegionLevel level = RegionLevel::kProvince;
  std::string parent_code;  // empty for a province
  // The names from the province down, without the statistical placeholders 市辖区, 县 and
  // 省直辖县级行政区划: 湖南省永州市新田县.
  std::string full_name;
};

// A syntactically valid code in canonical form with the level its shape implies; says nothing
// about whether the code exists.
struct RegionCode {
  std::string code;
  RegionLevel level = RegionLevel::kProvince;
};

// Checks the shape of a region code and brings it to canonical form. Accepts 6 digits, 9 digits
// (a town) and 12 digits (a village; a 12-digit code ending in 000 or 000000 names the town or
// the region above it, as the statistical tables write them). Town numbers must lie in
// GB/T 10114's ranges 001-599 (街道 001-099, 镇 100-199, 乡 200-399, 类似乡级单位 400-599),
// village numbers in 001-599. Errors (kInvalidArgument) name the length or position at fault.
Result<RegionCode> ParseRegionCode(std::string_view code);

// Looks a code up in the embedded list. kInvalidArgument when its shape is wrong (see
// ParseRegionCode), kNotFound when it is well-formed but not in the current list (abolished
// codes such as 零陵地区 4329xx are not). Thread-safe; the index is built once, on first use,
// and each lookup is a binary search.
Result<RegionInfo> LookupRegion(std::string_view code);

// True for the two-digit province codes of GB/T 2260 (11 … 65, and 71, 81, 82), given as two
// digits ("43") or in six-digit form ("430000").
bool IsValidProvinceCode(std::string_view code);

// The regions directly below `code`, in code order; an empty `code` gives the provinces.
// kNotFound when `code` is not in the list. Villages are listed only for the demo localities.
Result<std::vector<RegionInfo>> ListChildRegions(std::string_view code);

// How many regions the embedded list holds (for tests and diagnostics).
size_t EmbeddedRegionCount();

}  // namespace tongban
