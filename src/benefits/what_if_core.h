// The what-if of a policy draft over a register already held column-wise and grouped by region
// (issue 8, item 4): how many rows each eligibility rule selects, who enters and who leaves, and
// the cost per cycle by each amount rule, per region. Only FEEL and the columnar engine: the
// service (Benefits::WhatIfDraft) calls it over its cached register, bench/benefit_bench.cc over
// the 10,000,000-person population.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "feel/columnar.h"

namespace tongban::benefits {

struct WhatIfCounts {
  std::string region{};
  int64_t screened = 0, now = 0, draft = 0, entering = 0, leaving = 0;
  int64_t cost_now_fen = 0, cost_draft_fen = 0;  // per cycle, by the amount rules
};

struct WhatIfRules {
  std::string_view now;           // the eligibility rule in force
  std::string_view draft;         // the draft's eligibility rule
  std::string_view amount_now{};  // amount rules (whole fen); empty: no cost
  std::string_view amount_draft{};
};

// Counts per group of `groups` and in total (`total.region` left empty). The amount rules are
// evaluated once per distinct combination of the columns they read (an amount depends on a
// level or a band, not on the person), so the cost of a large selection is a table look-up per
// row. kInvalidArgument naming "eligibility" or "amount" when a draft rule does not compile;
// the rules in force are expected to compile (they were checked at publication).
Result<std::vector<WhatIfCounts>> ComputeWhatIf(const feel::Register& reg,
                                                const feel::Grouping& groups,
                                                const WhatIfRules& rules, int threads,
                                                WhatIfCounts* total);

}  // namespace tongban::benefits
