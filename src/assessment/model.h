// Staff assessment (绩效考核) of departments and persons: the monthly inputs drawn from the
// supervision cards, the ratings and their rectifications and the demands' work orders, and the
// scoring rule set (weights as data per region) that turns them into a score and a grade.
// Plain values: no storage, no HTTP.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace tongban::assessment {

// The inputs of one department or person in one month. Counts, then three rates.
enum class Input {
  kWarnings,            // 预警 issued (supervision)
  kYellowCards,         // 黄牌
  kRedCards,            // 红牌 (with those escalated from repeated yellow cards)
  kCardsAnswered,       // cards of the month the department answered with its correction
  kRatings,             // ratings received (good/bad evaluation), voided ones excluded
  kGoodRatings,         // the top three levels
  kBadRatings,          // the last two levels
  kRectifications,      // rectification items opened for bad ratings
  kRectified,           // of them closed: rectified, explained, or voided on appeal
  kRectificationsLate,  // of them still open after their due day
  kWorkOrders,          // demand work orders closed in the month
  kWorkOrdersOnTime,    // of them closed within their limit
  kSatisfied,           // satisfaction callbacks: satisfied
  kUnsatisfied,         // not satisfied
  kGoodRate,            // good / ratings, percent
  kRectificationRate,   // rectified / rectifications, percent
  kSatisfactionRate,    // satisfied / (satisfied + unsatisfied), percent
};
inline constexpr size_t kInputCount = 17;
inline constexpr size_t kCountInputs = 14;  // the inputs before kGoodRate are counts

// Snake-case wire names ("yellow_cards", "good_rate") and titles (黄牌), in Input order.
std::string_view InputName(Input i);
std::string_view InputTitle(Input i);
std::optional<Input> ParseInput(std::string_view name);

struct Grade {
  double min = 0;     // the score at least
  std::string title;  // 优秀, 良好, 合格, 不合格
};

// A region's scoring rules: score = base + Σ weight × input, where a count counts as itself and
// a rate as its percentage / 100 (a rate with nothing to count, e.g. no ratings at all, counts as
// 100 %: nothing went wrong), then clamped to [min, max]; the grade is the first whose `min` the
// score reaches (grades are kept in descending order). A deeper region's rule set inherits its
// parent's and replaces what it names (weights one by one).
struct ScoringRules {
  std::string region;  // "" only for the merged defaults
  std::string title;
  std::optional<double> base, min, max;
  std::map<Input, double> weights;
  std::vector<Grade> grades;  // empty: inherited
};

// Parses a scoring rule set (YAML: region, title, base, min, max, weights, grades). Every
// invalid field is named at once (kInvalidArgument): an unknown key or input, a weight that is
// not a number, grades not descending.
Result<ScoringRules> ParseScoringRules(std::string_view yaml);

// The rules in force for `region`: the rule sets of the regions covering it, root first, each
// over the one before. `all` holds every rule set; the result's region is the deepest source.
ScoringRules RulesFor(std::string_view region, const std::vector<ScoringRules>& all);

using Inputs = std::array<int64_t, kCountInputs>;

inline int64_t& At(Inputs& in, Input i) { return in[static_cast<size_t>(i)]; }
inline int64_t At(const Inputs& in, Input i) { return in[static_cast<size_t>(i)]; }

// A rate's exact fraction; the value is null when the denominator is 0.
struct Rate {
  int64_t numerator = 0;
  int64_t denominator = 0;
  std::optional<double> Percent() const;  // 2 decimals
};

Rate RateOf(const Inputs& in, Input rate);

enum class AssessBy { kDepartment, kPerson };

std::string_view AssessByName(AssessBy b);
std::optional<AssessBy> ParseAssessBy(std::string_view s);

struct Row {
  std::string key;         // department code or account id
  std::string region;      // the lowest region code among its inputs
  std::string department;  // for a person, the department of most of its inputs
  Inputs inputs{};
  double score = 0;   // 2 decimals
  std::string grade;  // the grade's title
  std::string rules;  // the region whose rule set scored it
};

struct Query {
  std::string month{};       // "2026-11"
  std::string region{};      // a region code (its subtree); "" = the whole installation
  std::string department{};  // a department code; "" = every one
  AssessBy by = AssessBy::kDepartment;
};

struct Report {
  Query query;
  Date from, to;          // the month's first and last day
  std::vector<Row> rows;  // by key
};

// Scores `inputs` under `rules` (already merged): fills score and grade.
void Score(const ScoringRules& rules, Row& row);

// CSV (UTF-8 with BOM, RFC 4180): one line per row, every input, the rates (empty when null),
// the score and the grade.
std::string ReportCsv(const Report& report);

}  // namespace tongban::assessment
