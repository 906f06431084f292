// Scoring rule sets (YAML), inheritance along the region tree, scores and the CSV.
#include "assessment/model.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "people/authorization.h"

namespace tongban::assessment {
namespace {

struct InputNames {
  std::string_view name, title;
};

constexpr std::array<InputNames, kInputCount> kInputs{{
    {"warnings", "预警"},
    {"yellow_cards", "黄牌"},
    {"red_cards", "红牌"},
    {"cards_answered", "已整改答复的牌"},
    {"ratings", "评价数"},
    {"good_ratings", "好评数"},
    {"bad_ratings", "差评数"},
    {"rectifications", "差评整改件"},
    {"rectified", "已整改"},
    {"rectifications_late", "逾期未整改"},
    {"work_orders", "办结工单"},
    {"work_orders_on_time", "按时办结工单"},
    {"satisfied", "回访满意"},
    {"unsatisfied", "回访不满意"},
    {"good_rate", "好评率"},
    {"rectification_rate", "整改率"},
    {"satisfaction_rate", "诉求满意率"},
}};

double Round2(double v) { return std::round(v * 100.0) / 100.0; }

std::optional<double> ReadNumber(const YAML::Node& n) {
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string_view InputName(Input i) { return kInputs[static_cast<size_t>(i)].name; }
std::string_view InputTitle(Input i) { return kInputs[static_cast<size_t>(i)].title; }

std::optional<Input> ParseInput(std::string_view name) {
  for (size_t i = 0; i < kInputCount; ++i) {
    if (kInputs[i].name == name) return static_cast<Input>(i);
  }
  return std::nullopt;
}

std::string_view AssessByName(AssessBy b) {
  return b == AssessBy::kDepartment ? "department" : "person";
}

std::optional<AssessBy> ParseAssessBy(std::string_view s) {
  if (s == "department") return AssessBy::kDepartment;
  if (s == "person") return AssessBy::kPerson;
  return std::nullopt;
}

std::optional<double> Rate::Percent() const {
  if (denominator == 0) return std::nullopt;
  return Round2(100.0 * static_cast<double>(numerator) / static_cast<double>(denominator));
}

Rate RateOf(const Inputs& in, Input rate) {
  switch (rate) {
    case Input::kGoodRate:
      return {At(in, Input::kGoodRatings), At(in, Input::kRatings)};
    case Input::kRectificationRate:
      return {At(in, Input::kRectified), At(in, Input::kRectifications)};
    case Input::kSatisfactionRate:
      return {At(in, Input::kSatisfied), At(in, Input::kSatisfied) + At(in, Input::kUnsatisfied)};
    default:
      return {At(in, rate), 1};
  }
}

Result<ScoringRules> ParseScoringRules(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument, "the scoring rules are not YAML",
                 {{"yaml", fmt::format("line {}: {}", e.mark.line + 1, e.msg)}});
  }
  if (!root.IsMap()) {
    return Error(ErrorCode::kInvalidArgument, "the scoring rules are invalid",
                 {{"yaml", "must be a mapping with region and weights"}});
  }
  FieldErrors errors;
  ScoringRules rules;
  static const std::set<std::string, std::less<>> kKeys = {"region", "title",   "base",  "min",
                                                           "max",    "weights", "grades"};
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (!kKeys.contains(key)) errors.Add(key, "unknown key");
  }
  if (const YAML::Node r = root["region"]; r && r.IsScalar()) rules.region = r.Scalar();
  if (!people::IsRegionCode(rules.region))
    errors.Add("region", "must be a region code (6, 9 or 12 digits)");
  if (const YAML::Node t = root["title"]; t && t.IsScalar()) rules.title = t.Scalar();
  for (const char* key : {"base", "min", "max"}) {
    const YAML::Node n = root[key];
    if (!n) continue;
    std::optional<double> v = ReadNumber(n);
    if (!v) {
      errors.Add(key, "must be a number");
      continue;
    }
    (std::string_view(key) == "base"  ? rules.base
     : std::string_view(key) == "min" ? rules.min
                                      : rules.max) = v;
  }
  if (rules.min && rules.max && *rules.min > *rules.max) errors.Add("min", "must not exceed max");
  if (const YAML::Node w = root["weights"]; w) {
    if (!w.IsMap()) {
      errors.Add("weights", "must map inputs to numbers");
    } else {
      for (const auto& kv : w) {
        const std::string name = kv.first.Scalar();
        std::optional<Input> input = ParseInput(name);
        std::optional<double> v = ReadNumber(kv.second);
        if (!input) errors.Add("weights." + name, "unknown input");
        if (!v) errors.Add("weights." + name, "must be a number");
        if (input && v) rules.weights[*input] = *v;
      }
    }
  }
  if (const YAML::Node g = root["grades"]; g) {
    if (!g.IsSequence() || g.size() == 0) {
      errors.Add("grades", "must be a list of {min, title}, highest first");
    } else {
      for (size_t i = 0; i < g.size(); ++i) {
        const std::string at = fmt::format("grades[{}]", i);
        Grade grade;
        std::optional<double> min = g[i].IsMap() ? ReadNumber(g[i]["min"]) : std::nullopt;
        if (!min) errors.Add(at + ".min", "must be a number");
        if (g[i].IsMap() && g[i]["title"] && g[i]["title"].IsScalar()) {
          grade.title = g[i]["title"].Scalar();
        }
        if (grade.title.empty()) errors.Add(at + ".title", "must be given");
        if (min) {
          grade.min = *min;
          if (!rules.grades.empty() && rules.grades.back().min <= grade.min) {
            errors.Add(at + ".min", "grades must be in descending order of min");
          }
        }
        rules.grades.push_back(std::move(grade));
      }
    }
  }
  if (!errors.empty()) return errors.ToError("the scoring rules are invalid");
  return rules;
}

ScoringRules RulesFor(std::string_view region, const std::vector<ScoringRules>& all) {
  std::vector<const ScoringRules*> chain;
  for (const ScoringRules& r : all) {
    if (!region.empty() && people::RegionCovers(r.region, region)) chain.push_back(&r);
  }
  std::sort(chain.begin(), chain.end(), [](const ScoringRules* a, const ScoringRules* b) {
    return people::RegionPrefix(a->region).size() < people::RegionPrefix(b->region).size();
  });
  ScoringRules out;
  out.base = 100;
  out.min = 0;
  out.grades = {{.min = 90, .title = "优秀"},
                {.min = 80, .title = "良好"},
                {.min = 60, .title = "合格"},
                {.min = -1e18, .title = "不合格"}};
  for (const ScoringRules* r : chain) {
    out.region = r->region;
    if (!r->title.empty()) out.title = r->title;
    if (r->base) out.base = r->base;
    if (r->min) out.min = r->min;
    if (r->max) out.max = r->max;
    for (const auto& [input, w] : r->weights) out.weights[input] = w;
    if (!r->grades.empty()) out.grades = r->grades;
  }
  return out;
}

void Score(const ScoringRules& rules, Row& row) {
  double score = rules.base.value_or(100);
  for (const auto& [input, weight] : rules.weights) {
    if (static_cast<size_t>(input) < kCountInputs) {
      score += weight * static_cast<double>(At(row.inputs, input));
    } else {
      std::optional<double> pct = RateOf(row.inputs, input).Percent();
      score += weight * pct.value_or(100.0) / 100.0;
    }
  }
  if (rules.min) score = std::max(score, *rules.min);
  if (rules.max) score = std::min(score, *rules.max);
  row.score = Round2(score);
  row.grade.clear();
  for (const Grade& g : rules.grades) {
    if (row.score >= g.min) {
      row.grade = g.title;
      break;
    }
  }
  row.rules = rules.region;
}

std::string ReportCsv(const Report& report) {
  std::string out = "\xEF\xBB\xBF";
  out += fmt::format("month,{},region", AssessByName(report.query.by));
  if (report.query.by == AssessBy::kPerson) out += ",department";
  for (size_t i = 0; i < kInputCount; ++i) out += fmt::format(",{}", kInputs[i].name);
  out += ",score,grade,rules\r\n";
  for (const Row& r : report.rows) {
    out += fmt::format("{},{},{}", report.query.month, CsvField(r.key), CsvField(r.region));
    if (report.query.by == AssessBy::kPerson) out += "," + CsvField(r.department);
    for (size_t i = 0; i < kCountInputs; ++i) out += fmt::format(",{}", r.inputs[i]);
    for (size_t i = kCountInputs; i < kInputCount; ++i) {
      std::optional<double> pct = RateOf(r.inputs, static_cast<Input>(i)).Percent();
      out += pct ? fmt::format(",{:.2f}", *pct) : std::string(",");
    }
    out += fmt::format(",{:.2f},{},{}\r\n", r.score, CsvField(r.grade), r.rules);
  }
  return out;
}

}  // namespace tongban::assessment
