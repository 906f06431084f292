// The article's funnel as data (issue 8, item 7): Xintian county screened 12,000 disabled
// persons against the two disability subsidies of 国发〔2015〕52号, found 236 eligible who
// received nothing and paid 178 of them once they agreed. SeedArticleFunnel generates such a
// county register (deterministic: the same seed gives the same persons), the grant roll the
// finance office already pays, and the answers of the persons visited; then runs both shipped
// policies, notifies and records the answers. The figures are what the runs compute from that
// data and the policies' rules: nothing in the funnel is written directly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "benefits/benefits.h"
#include "people/model.h"
#include "registers/register.h"

namespace tongban::benefits {

struct ArticleFunnelOptions {
  std::string county = "431128";
  int64_t persons = 12000;  // disabled persons of the county, all with a certificate
  uint64_t seed = 2026;
  std::string dir{};  // where the register and roll CSV files are written; empty: a temp dir
  Date grants_from = *Date::Parse("2026-01-01");  // when the roll's grants started
};

struct ArticleFunnel {
  int64_t persons = 0;              // imported into the register
  std::vector<std::string> runs{};  // one per subsidy, in BuiltinPolicies' order
  Funnel total{};                   // the two runs' funnels added up (regions left empty)
  double seconds = 0;
};

// Publishes the two disability subsidies when they are missing, imports the generated persons
// and the roll, matches both policies over the county, notifies everyone listed (SMS, or the
// village's visit list without a phone) and records the visited persons' answers as staff
// consent with evidence. `by` needs register.write, register.read_full and the policy.*
// permissions over the county. kConflict when the county register already holds persons.
Result<ArticleFunnel> SeedArticleFunnel(Benefits& benefits, registers::Registers& registers,
                                        const people::Principal& by,
                                        const ArticleFunnelOptions& options);

}  // namespace tongban::benefits
