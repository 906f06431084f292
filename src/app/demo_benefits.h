// The demo's benefits (免申即享 and 政策直通车): the article's funnel in 新田县 (12,000 disabled
// persons screened against the two subsidies, 236 eligible who received nothing, 178 granted
// once they agreed) and one run of the notice-only policy, so the funnel has figures from the
// first start.
#pragma once

#include "base/result.h"
#include "benefits/benefits.h"
#include "benefits/grant_cases.h"
#include "cases/service.h"
#include "registers/register.h"

namespace tongban::app {

struct DemoBenefits {
  int policies = 0;  // published now (0: the demo's policies were there already)
  int runs = 0;
  int64_t notified = 0;
  int64_t generated = 0;  // persons of the article's county added to the register
  int64_t granted = 0;    // grant cases approved and concluded
  double seconds = 0;
  double case_seconds = 0;  // of which taking the grant cases through their process
  double cpu_seconds = 0;   // the process's CPU time meanwhile (every thread)
};

// Into a database without policies: publishes data/policies, seeds the article's funnel over
// 431128 (benefits::SeedArticleFunnel: the generated disabled persons beside the demo's own,
// both subsidies run, everyone listed notified, the visited persons' answers recorded), and
// takes every accepted person's grant case through its process (accepted, reviewed, decided,
// concluded: the conclusion writes the grant roll); then runs the notice-only policy and sends
// its notices. Nothing when policies exist.
Result<DemoBenefits> LoadDemoBenefits(benefits::Benefits& benefits, registers::Registers& registers,
                                      benefits::GrantCases& grant_cases, cases::CaseService& cases);

}  // namespace tongban::app
