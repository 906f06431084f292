// The staff assessment service (绩效考核): a month's report per department or per person from
// the supervision cards, the good/bad ratings and their rectifications and the demands' work
// orders, scored by the region's rule set (data/assessment/*.yaml). It reads those modules'
// tables (supervision_card, evaluation, evaluation_visit, rectification, work_order, demand,
// case_record) and writes nothing. No HTTP, no JSON.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "assessment/model.h"
#include "base/clock.h"
#include "base/result.h"
#include "people/model.h"
#include "store/database.h"

namespace tongban::assessment {

// The scoring rule sets shipped in data/assessment, compiled into the binary: (file, YAML).
std::vector<std::pair<std::string, std::string>> BuiltinRuleFiles();

struct Options {
  const Clock* clock = nullptr;  // the system clock when null
  // Scoring rule sets (YAML) used instead of the builtin ones when not empty.
  std::vector<std::string> rule_files{};
};

class AssessmentService {
 public:
  // `db` (with the supervision, evaluation, demands and cases migrations applied) must outlive
  // the service. kInvalidArgument when a rule set does not parse (naming its file and field).
  static Result<std::unique_ptr<AssessmentService>> Create(store::Database& db, Options options);
  ~AssessmentService();

  // The month's report for a holder of report.read over the query's region and department
  // (kForbidden otherwise). kInvalidArgument naming each bad field (month, region, department).
  Result<Report> BuildReport(const people::Principal& caller, const Query& query);
  // The same without a caller: for the operator's command line.
  Result<Report> BuildReport(const Query& query);

  // The rule set in force for `region` (merged along the region tree).
  ScoringRules RulesFor(std::string_view region) const;

 private:
  struct Impl;
  explicit AssessmentService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tongban::assessment
