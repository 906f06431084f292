// Rule sets: YAML in and out, checks, inheritance along the region tree.
#include "supervision/rules.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace tongban::supervision {
namespace {

bool IsRuleName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsCaseState(std::string_view s) {
  static const std::set<std::string, std::less<>> kStates = {"submitted",    "correction_requested",
                                                             "under_review", "suspended",
                                                             "approved",     "denied",
                                                             "concluded",    "refused",
                                                             "withdrawn",    "terminated"};
  return kStates.contains(s);
}

bool ReadInt(const YAML::Node& n, int lo, int hi, int* out) {
  if (!n.IsScalar() || !YAML::convert<int>::decode(n, *out)) return false;
  return *out >= lo && *out <= hi;
}

// The names "warning", "repeated_yellow" are the sweep's own triggers.
bool IsReserved(std::string_view name) { return name == "warning" || name == "repeated_yellow"; }

}  // namespace

std::vector<feel::SqlColumn> CaseSchema() {
  using feel::SqlType;
  return {
      {.name = "state", .type = SqlType::kString, .nullable = false, .column = "state"},
      {.name = "matter", .type = SqlType::kString, .nullable = false, .column = "matter"},
      {.name = "region", .type = SqlType::kString, .nullable = false, .column = "region"},
      {.name = "department", .type = SqlType::kString, .nullable = false, .column = "department"},
      {.name = "channel", .type = SqlType::kString, .nullable = false, .column = "channel"},
      {.name = "received on", .type = SqlType::kDate, .nullable = false, .column = "received_on"},
      {.name = "accepted on", .type = SqlType::kDate, .nullable = true, .column = "accepted_on"},
      {.name = "due on", .type = SqlType::kDate, .nullable = true, .column = "due_on"},
      {.name = "decision reasons",
       .type = SqlType::kString,
       .nullable = false,
       .column = "decision_reasons"},
      {.name = "suspended days",
       .type = SqlType::kNumber,
       .nullable = false,
       .column = "suspended_days"},
      {.name = "extension days",
       .type = SqlType::kNumber,
       .nullable = false,
       .column = "extension_days"},
      {.name = "today", .type = SqlType::kDate, .nullable = false, .column = "today"},
      {.name = "warning day", .type = SqlType::kDate, .nullable = false, .column = "warning_day"},
      {.name = "red day", .type = SqlType::kDate, .nullable = false, .column = "red_day"},
      {.name = "now", .type = SqlType::kNumber, .nullable = false, .column = "now_ms"},
      {.name = "days left", .type = SqlType::kNumber, .nullable = true, .column = "days_left"},
      {.name = "limit days", .type = SqlType::kNumber, .nullable = true, .column = "limit_days"},
  };
}

std::vector<feel::SqlColumn> StepSchema() {
  using feel::SqlType;
  std::vector<feel::SqlColumn> s = CaseSchema();
  s.push_back({.name = "step", .type = SqlType::kString, .nullable = false, .column = "step"});
  s.push_back(
      {.name = "step name", .type = SqlType::kString, .nullable = false, .column = "step_name"});
  s.push_back({.name = "step department",
               .type = SqlType::kString,
               .nullable = false,
               .column = "step_department"});
  s.push_back({.name = "step created",
               .type = SqlType::kNumber,
               .nullable = false,
               .column = "step_created"});
  s.push_back(
      {.name = "step due", .type = SqlType::kNumber, .nullable = true, .column = "step_due"});
  return s;
}

Result<RuleSet> ParseRuleSet(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument, "the rule set is not YAML",
                 {{"yaml", fmt::format("line {}: {}", e.mark.line + 1, e.msg)}});
  }
  if (!root.IsMap()) {
    return Error(ErrorCode::kInvalidArgument, "the rule set is invalid",
                 {{"yaml", "must be a mapping with region and rules"}});
  }
  FieldErrors errors;
  RuleSet set;
  try {
    static const std::set<std::string, std::less<>> kKeys = {
        "region", "title", "warning", "escalation", "red_after_working_days", "rules"};
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      if (!kKeys.contains(key)) errors.Add(key, "unknown key");
    }
    if (const YAML::Node r = root["region"]; r && r.IsScalar()) set.region = r.as<std::string>();
    if (set.region.empty() ||
        !(set.region.size() == 6 || set.region.size() == 9 || set.region.size() == 12) ||
        !std::all_of(set.region.begin(), set.region.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      errors.Add("region", "must be a region code (6, 9 or 12 digits)");
    }
    if (const YAML::Node t = root["title"]; t && t.IsScalar()) set.title = t.as<std::string>();
    if (const YAML::Node w = root["warning"]; w) {
      WarningSettings ws;
      if (!w.IsMap()) {
        errors.Add("warning", "must be a mapping with working_days and percent");
      } else {
        if (w["working_days"] && !ReadInt(w["working_days"], 0, 30, &ws.working_days)) {
          errors.Add("warning.working_days", "must be a whole number from 0 to 30");
        }
        if (w["percent"] && !ReadInt(w["percent"], 0, 100, &ws.percent)) {
          errors.Add("warning.percent", "must be a whole number from 0 to 100");
        }
      }
      set.warning = ws;
    }
    if (const YAML::Node e = root["escalation"]; e) {
      EscalationSettings es;
      if (!e.IsMap()) {
        errors.Add("escalation", "must be a mapping with yellow_cards and days");
      } else {
        if (e["yellow_cards"] && !ReadInt(e["yellow_cards"], 2, 100, &es.yellow_cards)) {
          errors.Add("escalation.yellow_cards", "must be a whole number from 2 to 100");
        }
        if (e["days"] && !ReadInt(e["days"], 1, 366, &es.days)) {
          errors.Add("escalation.days", "must be a whole number of days from 1 to 366");
        }
      }
      set.escalation = es;
    }
    if (const YAML::Node d = root["red_after_working_days"]; d) {
      int v = 0;
      if (!ReadInt(d, 0, 60, &v)) {
        errors.Add("red_after_working_days", "must be a whole number from 0 to 60");
      }
      set.red_after_working_days = v;
    }
    const YAML::Node rules = root["rules"];
    if (rules && !rules.IsSequence()) errors.Add("rules", "must be a list");
    std::set<std::string> names;
    const std::vector<feel::SqlColumn> case_schema = CaseSchema(), step_schema = StepSchema();
    for (size_t i = 0; rules && rules.IsSequence() && i < rules.size(); ++i) {
      const YAML::Node n = rules[i];
      const std::string path = fmt::format("rules[{}]", i);
      if (!n.IsMap()) {
        errors.Add(path, "must be a mapping");
        continue;
      }
      Rule rule;
      if (n["name"] && n["name"].IsScalar()) rule.name = n["name"].as<std::string>();
      if (!IsRuleName(rule.name) || IsReserved(rule.name)) {
        errors.Add(path + ".name", "must be 1-64 of a-z, 0-9, _ (not warning or repeated_yellow)");
      } else if (!names.insert(rule.name).second) {
        errors.Add(path + ".name", fmt::format("rule {} is listed twice", rule.name));
      }
      if (n["disabled"] && n["disabled"].IsScalar()) rule.disabled = n["disabled"].as<bool>();
      if (n["scope"]) {
        auto scope = ParseRuleScope(n["scope"].as<std::string>());
        if (!scope) errors.Add(path + ".scope", "must be case or step");
        rule.scope = scope.value_or(RuleScope::kCase);
      }
      if (n["level"] && n["level"].IsScalar()) {
        auto level = ParseLevel(n["level"].as<std::string>());
        if (!level || *level == Level::kWarning) {
          errors.Add(path + ".level", "must be yellow or red (warnings come from warning:)");
        } else {
          rule.level = *level;
        }
      } else if (!rule.disabled) {
        errors.Add(path + ".level", "is required: yellow or red");
      }
      if (n["reason"] && n["reason"].IsScalar()) rule.reason = n["reason"].as<std::string>();
      if (rule.reason.empty() && !rule.disabled) {
        errors.Add(path + ".reason", "is required: what the card says");
      }
      if (const YAML::Node st = n["states"]; st) {
        for (size_t k = 0; st.IsSequence() && k < st.size(); ++k) {
          std::string s = st[k].as<std::string>();
          if (!IsCaseState(s)) {
            errors.Add(fmt::format("{}.states[{}]", path, k), "is not a case state");
          }
          rule.states.push_back(std::move(s));
        }
        if (!st.IsSequence()) errors.Add(path + ".states", "must be a list of case states");
      }
      if (n["when"] && n["when"].IsScalar()) rule.when = n["when"].as<std::string>();
      if (rule.when.empty() && !rule.disabled) {
        errors.Add(path + ".when", "is required: a FEEL rule");
      } else if (!rule.when.empty()) {
        // Both dialects: a rule must run on either backend.
        for (feel::SqlDialect d : {feel::SqlDialect::kSqlite, feel::SqlDialect::kPostgresql}) {
          auto compiled = feel::CompileToSql(
              rule.when, rule.scope == RuleScope::kStep ? step_schema : case_schema, d);
          if (!compiled.ok()) {
            std::string why = compiled.error().message();
            for (const auto& f : compiled.error().fields()) {
              why += fmt::format("; {}: {}", f.field, f.message);
            }
            errors.Add(path + ".when", fmt::format("rule {}: {}", rule.name, why));
            break;
          }
        }
      }
      set.rules.push_back(std::move(rule));
    }
  } catch (const YAML::Exception& e) {
    errors.Add("yaml", fmt::format("line {}: {}", e.mark.line + 1, e.msg));
  }
  if (!errors.empty()) return errors.ToError("the rule set is invalid");
  return set;
}

std::string RuleSetToYaml(const RuleSet& set) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "region" << YAML::Value << YAML::DoubleQuoted << set.region;
  if (!set.title.empty()) out << YAML::Key << "title" << YAML::Value << set.title;
  if (set.warning) {
    out << YAML::Key << "warning" << YAML::Value << YAML::BeginMap << YAML::Key << "working_days"
        << YAML::Value << set.warning->working_days << YAML::Key << "percent" << YAML::Value
        << set.warning->percent << YAML::EndMap;
  }
  if (set.escalation) {
    out << YAML::Key << "escalation" << YAML::Value << YAML::BeginMap << YAML::Key << "yellow_cards"
        << YAML::Value << set.escalation->yellow_cards << YAML::Key << "days" << YAML::Value
        << set.escalation->days << YAML::EndMap;
  }
  if (set.red_after_working_days) {
    out << YAML::Key << "red_after_working_days" << YAML::Value << *set.red_after_working_days;
  }
  out << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
  for (const Rule& r : set.rules) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << r.name;
    if (r.disabled) out << YAML::Key << "disabled" << YAML::Value << true;
    out << YAML::Key << "scope" << YAML::Value << std::string(RuleScopeName(r.scope));
    if (!r.when.empty()) {
      out << YAML::Key << "level" << YAML::Value << std::string(LevelName(r.level)) << YAML::Key
          << "reason" << YAML::Value << r.reason;
    }
    if (!r.states.empty()) {
      out << YAML::Key << "states" << YAML::Value << YAML::Flow << r.states;
    }
    if (!r.when.empty()) out << YAML::Key << "when" << YAML::Value << r.when;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string ParentRegion(std::string_view region) {
  if (region.size() > 6) return std::string(region.substr(0, 6));
  if (region.size() != 6) return "";
  if (region.substr(4, 2) != "00") return std::string(region.substr(0, 4)) + "00";
  if (region.substr(2, 2) != "00") return std::string(region.substr(0, 2)) + "0000";
  return "";
}

std::vector<std::string> RegionChain(std::string_view region) {
  std::vector<std::string> chain;
  for (std::string r(region); !r.empty(); r = ParentRegion(r)) chain.push_back(r);
  std::reverse(chain.begin(), chain.end());
  return chain;
}

EffectiveRules Merge(std::string_view region, std::span<const RuleSet> chain) {
  EffectiveRules e;
  e.region = std::string(region);
  std::vector<Rule> rules;
  for (const RuleSet& set : chain) {
    e.sources.push_back(set.region);
    if (set.warning) e.warning = *set.warning;
    if (set.escalation) e.escalation = *set.escalation;
    if (set.red_after_working_days) e.red_after_working_days = *set.red_after_working_days;
    for (const Rule& r : set.rules) {
      auto it = std::find_if(rules.begin(), rules.end(),
                             [&](const Rule& have) { return have.name == r.name; });
      if (it != rules.end()) {
        *it = r;
      } else {
        rules.push_back(r);
      }
    }
  }
  for (Rule& r : rules) {
    if (!r.disabled) e.rules.push_back(std::move(r));
  }
  return e;
}

}  // namespace tongban::supervision
