// Supervision rules as data: the YAML of one region's rule set, its checks (every FEEL rule must
// compile to SQL, so that the sweep runs set-based), inheritance along the region tree, and the
// names a rule may use.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "feel/sql_compiler.h"
#include "supervision/model.h"

namespace tongban::supervision {

// Parses and checks a rule set. Every problem is listed at once (kInvalidArgument), each field
// named by its path ("rules[2].when") with the rule's name and the FEEL error in the message, so
// a rule that does not parse is refused when saved, never at the sweep.
Result<RuleSet> ParseRuleSet(std::string_view yaml);

// The YAML of a rule set (what ParseRuleSet reads back to the same value).
std::string RuleSetToYaml(const RuleSet& set);

// The parent of a region code: a village or town its county, a county its city, a city its
// province ("431128" -> "431100" -> "430000" -> ""). Cities directly under a province whose code
// has no city level (e.g. 430181, 浏阳市, a county-level city) go to "430100" as GB/T 2260 does.
std::string ParentRegion(std::string_view region);

// The chain from the root to `region` (province first), `region` included.
std::vector<std::string> RegionChain(std::string_view region);

// The rules in force: `chain` holds the saved rule sets from the root down (missing levels
// left out); a later set overrides settings it states and rules of the same name.
EffectiveRules Merge(std::string_view region, std::span<const RuleSet> chain);

// The names a case rule may use, as SQL columns of the sweep's view of a case; a step rule may
// use these and the step's (StepSchema).
std::vector<feel::SqlColumn> CaseSchema();
std::vector<feel::SqlColumn> StepSchema();

}  // namespace tongban::supervision
