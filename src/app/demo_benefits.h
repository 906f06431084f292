// The demo's benefits (免申即享 and 政策直通车): the shipped policies published and one run of each
// over 新田县 with its notices, so the funnel has figures from the first start.
#pragma once

#include "base/result.h"
#include "benefits/benefits.h"

namespace tongban::app {

struct DemoBenefits {
  int policies = 0;  // published now (0: the demo's policies were there already)
  int runs = 0;
  int64_t notified = 0;
  double seconds = 0;
};

// Publishes data/policies (two disability subsidies of 新田县, one notice-only enterprise
// policy) into a database without policies, matches each over 431128 and sends its notices
// (SMS through the simulator, the visit list, the portal). Nothing when policies exist.
Result<DemoBenefits> LoadDemoBenefits(benefits::Benefits& benefits);

}  // namespace tongban::app
