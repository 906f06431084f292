// The article's funnel as data (issue 8, item 7): Xintian county screened 12,000 disabled
// persons against the two disability subsidies of 国发〔2015〕52号, found 236 eligible who
// received nothing and paid 178 of them once they agreed. SeedArticleFunnel generates such a
// county register (deterministic: the same seed gives the same persons), the grant roll the
// finance office already pays, and the answers of the persons visited; then runs both shipped
// policies, notifies and records the answers. The figures are what the runs compute from that
// data and the policies' rules: nothing in the funnel is written directly. Persons the county
// register holds already (the demo's hand-written ones) count in the runs like the generated
// ones: the seed measures them first (a dry run of each subsidy) and generates the complement,
// so that the totals still read the article's figures.
#pragma once

#include <cstdint>
#include <functional>
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
  // Called after each accepted consent (the grant case opened, when a grant handler is
  // installed): the demo approves the case through its process here. Null: nothing more.
  std::function<Status(const std::string& run_id, const std::string& person_id)> on_accepted{};
};

struct ArticleFunnel {
  int64_t persons = 0;              // imported into the register
  int64_t existing = 0;             // persons of the county the register held before
  std::vector<std::string> runs{};  // one per subsidy, in BuiltinPolicies' order
  Funnel total{};                   // the two runs' funnels added up (regions left empty)
  double seconds = 0;
};

// Publishes the two disability subsidies when they are missing, imports the generated persons
// and the roll, matches both policies over the county, notifies everyone listed (SMS, or the
// village's visit list without a phone) and records the visited persons' answers as staff
// consent with evidence. `by` needs register.write, register.read_full and the policy.*
// permissions over the county. The totals read options.persons screened, 236 eligible-not-
// receiving and 178 consented whatever the county held before, as long as those persons are not
// on the roll and number fewer than the generated groups (kConflict otherwise, or when a
// generated ID number is taken).
Result<ArticleFunnel> SeedArticleFunnel(Benefits& benefits, registers::Registers& registers,
                                        const people::Principal& by,
                                        const ArticleFunnelOptions& options);

}  // namespace tongban::benefits
