#include "benefits/policy.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "base/embedded.h"
#include "benefits/licence_rules.h"
#include "dmn/yaml_table.h"
#include "feel/feel.h"
#include "people/authorization.h"
#include "registers/columns.h"

namespace tongban {
extern const EmbeddedFile kPolicyFiles[];
extern const size_t kPolicyFiles_count;
}  // namespace tongban

namespace tongban::benefits {

std::string_view PolicyKindName(PolicyKind k) {
  return k == PolicyKind::kBenefit ? "benefit" : "notice";
}
std::string_view CycleName(Cycle c) {
  switch (c) {
    case Cycle::kMonthly:
      return "monthly";
    case Cycle::kYearly:
      return "yearly";
    case Cycle::kOnce:
      return "once";
  }
  return "once";
}
std::string_view GrantModeName(GrantMode m) {
  return m == GrantMode::kConsentRequired ? "consent_required" : "direct_with_opt_out";
}

std::string FenToYuan(int64_t fen) {
  const char* sign = fen < 0 ? "-" : "";
  const uint64_t a = fen < 0 ? static_cast<uint64_t>(-(fen + 1)) + 1 : static_cast<uint64_t>(fen);
  return fmt::format("{}{}.{:02d}", sign, a / 100, a % 100);
}

Result<SendRate> ParseSendRate(std::string_view text, std::string_view field) {
  const size_t slash = text.find('/');
  SendRate rate;
  const std::string_view unit = slash == std::string_view::npos ? "" : text.substr(slash + 1);
  const std::string_view count = text.substr(0, slash);
  if (unit == "s") {
    rate.window_ms = 1000;
  } else if (unit == "min") {
    rate.window_ms = 60000;
  } else {
    return Error(ErrorCode::kInvalidArgument, "bad sending rate",
                 {{std::string(field), "N/s or N/min"}});
  }
  int n = 0;
  for (char c : count) {
    if (c < '0' || c > '9' || n > 100000) {
      n = -1;
      break;
    }
    n = n * 10 + (c - '0');
  }
  if (count.empty() || n < 1 || n > 100000) {
    return Error(ErrorCode::kInvalidArgument, "bad sending rate",
                 {{std::string(field), "a whole number of messages 1..100000"}});
  }
  rate.count = n;
  return rate;
}

namespace {

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string Text(const YAML::Node& root, const char* key) {
  const YAML::Node n = root[key];
  if (!n || !n.IsScalar()) return {};
  return n.as<std::string>();
}

// Sample persons a publishable rule must evaluate on without error: one with every field set,
// one without a disability certificate (its category and level are null), one deceased.
std::vector<feel::Bindings> Probes(const feel::Scope& scope) {
  std::vector<feel::Bindings> out;
  for (int i = 0; i < 3; ++i) {
    feel::Bindings b(scope);
    auto set = [&](std::string_view name, feel::Value v) { b.Set(scope.Find(name), std::move(v)); };
    set("age", feel::Value::Number(45));
    set("sex", feel::Value::String(i == 1 ? "female" : "male"));
    set("birth_date", feel::Value::FromDate(*feel::Date::Parse("1981-03-04")));
    set("household_region", feel::Value::String("431128001001"));
    set("income_band", feel::Value::String("low"));
    set("assistance", feel::Value::String(i == 1 ? "none" : "minimum_living"));
    set("disability_certificate", feel::Value::Boolean(i != 1));
    if (i != 1) {
      set("disability_category", feel::Value::String("physical"));
      set("disability_level", feel::Value::Number(1 + i));
    }
    set("long_term_care", feel::Value::Boolean(i == 0));
    set("status", feel::Value::String(i == 2 ? "deceased" : "alive"));
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace

Result<Policy> ParsePolicy(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument, "policy is not valid YAML", {{"yaml", e.what()}});
  }
  if (!root.IsMap()) {
    return Error(ErrorCode::kInvalidArgument, "policy is not a YAML map", {{"yaml", "not a map"}});
  }
  FieldErrors errors;
  Policy p;
  p.source = std::string(yaml);
  try {
    p.name = Text(root, "name");
    if (!IsName(p.name)) errors.Add("name", "required: lower-case letters, digits and _");
    const YAML::Node v = root["version"];
    if (!v || !v.IsScalar() || !YAML::convert<int64_t>::decode(v, p.version) || p.version < 1) {
      errors.Add("version", "required: a whole number from 1");
    }
    const std::string kind = Text(root, "kind");
    if (kind.empty() || kind == "benefit") {
      p.kind = PolicyKind::kBenefit;
    } else if (kind == "notice") {
      p.kind = PolicyKind::kNotice;
    } else {
      errors.Add("kind", "benefit or notice");
    }
    const std::string subject = Text(root, "subject");
    if (subject.empty() || subject == "person") {
      p.subject = Subject::kPerson;
    } else if (subject == "entity") {
      p.subject = Subject::kEntity;
      if (p.kind != PolicyKind::kNotice) errors.Add("subject", "entity policies are notice-only");
    } else {
      errors.Add("subject", "person or entity");
    }
    p.title = Text(root, "title");
    if (p.title.empty()) errors.Add("title", "required");
    p.legal_basis = Text(root, "legal_basis");
    if (p.legal_basis.empty()) errors.Add("legal_basis", "required");
    p.eligibility = Text(root, "eligibility");
    if (const YAML::Node t = root["eligibility_table"]; t) {
      if (!t.IsMap()) {
        errors.Add("eligibility_table", "a decision table (docs/dmn-yaml.md)");
      } else {
        YAML::Emitter out;
        out << t;
        p.eligibility_table = out.c_str();
      }
      if (!p.eligibility.empty()) {
        errors.Add("eligibility", "give either a FEEL rule or eligibility_table, not both");
      }
    } else if (p.eligibility.empty()) {
      errors.Add("eligibility", "required: a FEEL rule (or eligibility_table)");
    }
    p.region = Text(root, "region");
    if (!people::IsRegionCode(p.region)) errors.Add("region", "required: a region code");
    auto from = Date::Parse(Text(root, "valid_from"), "valid_from");
    if (from.ok()) {
      p.valid_from = *from;
    } else {
      errors.Add("valid_from", "required: a date YYYY-MM-DD");
    }
    const std::string to = Text(root, "valid_to");
    if (!to.empty()) {
      auto d = Date::Parse(to, "valid_to");
      if (!d.ok()) {
        errors.Add("valid_to", "a date YYYY-MM-DD");
      } else if (from.ok() && *d < *from) {
        errors.Add("valid_to", "before valid_from");
      } else {
        p.valid_to = *d;
      }
    }
    if (const YAML::Node ch = root["channels"]; ch) {
      if (!ch.IsSequence()) {
        errors.Add("channels", "a list of sms, app, portal, visit");
      } else {
        for (const auto& c : ch) {
          std::string name = c.IsScalar() ? c.as<std::string>() : "";
          if (std::find(std::begin(kChannels), std::end(kChannels), name) == std::end(kChannels)) {
            errors.Add("channels", fmt::format("unknown channel \"{}\"", name));
          } else {
            p.channels.push_back(std::move(name));
          }
        }
      }
    }
    if (const YAML::Node rates = root["send_rate"]; rates) {
      if (!rates.IsMap()) {
        errors.Add("send_rate", "a map of channel (sms, app) to N/s or N/min");
      } else {
        for (const auto& kv : rates) {
          const std::string ch = kv.first.IsScalar() ? kv.first.as<std::string>() : "";
          auto rate =
              ParseSendRate(kv.second.IsScalar() ? kv.second.as<std::string>() : "", "send_rate");
          if (ch != "sms" && ch != "app") {
            errors.Add("send_rate", fmt::format("\"{}\" is not a sending channel (sms, app)", ch));
          } else if (!rate.ok()) {
            errors.Add("send_rate", fmt::format("{}: N/s or N/min, N in 1..100000", ch));
          } else {
            p.send_rates[ch] = *rate;
          }
        }
      }
    }
    p.sms_template = Text(root, "sms_template");
    if (p.kind == PolicyKind::kBenefit) {
      p.matter = Text(root, "matter");
      if (p.matter.empty()) errors.Add("matter", "required: the benefit matter's code");
      p.amount = Text(root, "amount");
      if (p.amount.empty()) errors.Add("amount", "required: a FEEL rule giving fen");
      const std::string cycle = Text(root, "cycle");
      if (cycle == "monthly") {
        p.cycle = Cycle::kMonthly;
      } else if (cycle == "yearly") {
        p.cycle = Cycle::kYearly;
      } else if (cycle == "once") {
        p.cycle = Cycle::kOnce;
      } else {
        errors.Add("cycle", "required: monthly, yearly or once");
      }
      const std::string mode = Text(root, "mode");
      if (mode == "consent_required") {
        p.mode = GrantMode::kConsentRequired;
      } else if (mode == "direct_with_opt_out") {
        p.mode = GrantMode::kDirectWithOptOut;
      } else {
        errors.Add("mode", "required: consent_required or direct_with_opt_out");
      }
      if (const YAML::Node f = root["case_form"]; f) {
        if (!f.IsMap()) {
          errors.Add("case_form", "a map of form field -> FEEL rule");
        } else {
          for (const auto& kv : f) {
            if (!kv.second.IsScalar()) {
              errors.Add("case_form", fmt::format("{}: a FEEL rule", kv.first.as<std::string>()));
              continue;
            }
            p.case_form.emplace_back(kv.first.as<std::string>(), kv.second.as<std::string>());
          }
        }
      }
      if (const YAML::Node m = root["case_materials"]; m) {
        if (!m.IsSequence()) {
          errors.Add("case_materials", "a list of material names");
        } else {
          for (const auto& name : m) {
            if (!name.IsScalar()) {
              errors.Add("case_materials", "a list of material names");
              continue;
            }
            p.case_materials.push_back(name.as<std::string>());
          }
        }
      }
      if (const YAML::Node d = root["opt_out_days"]; d) {
        int days = 0;
        if (!d.IsScalar() || !YAML::convert<int>::decode(d, days) || days < 1 || days > 365) {
          errors.Add("opt_out_days", "a whole number of days, 1..365");
        } else {
          p.opt_out_days = days;
        }
      }
    }
  } catch (const YAML::Exception& e) {
    errors.Add("yaml", e.what());
  }
  if (!errors.empty()) return errors.ToError("invalid policy");
  return p;
}

Result<EligibilityTable> CompileEligibilityTable(std::string_view yaml) {
  auto defs = dmn::ParseDecisionTableYaml(yaml, "eligibility_table");
  if (!defs.ok()) {
    return Error(ErrorCode::kInvalidArgument, "the eligibility table is invalid",
                 {{"eligibility_table", defs.error().ToString()}});
  }
  EligibilityTable table;
  if (defs->decisions.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the eligibility table is invalid",
                 {{"eligibility_table", "no decision"}});
  }
  table.decision = defs->decisions.front().name;
  const feel::Scope scope = registers::PersonScope();
  FieldErrors errors;
  for (const auto& d : defs->input_data) {
    if (scope.Find(d.name) < 0) {
      errors.Add("eligibility_table", fmt::format("data {} is not a register name", d.name));
    }
    table.data.push_back(d.name);
  }
  if (!errors.empty()) return errors.ToError("the eligibility table is invalid");
  dmn::ModelSet set;
  set.models.push_back(std::make_shared<const dmn::Definitions>(std::move(*defs)));
  TB_ASSIGN_OR_RETURN(table.model, dmn::DecisionModel::Build(std::move(set)));
  if (!table.model->problems().empty()) {
    return Error(ErrorCode::kInvalidArgument, "the eligibility table is invalid",
                 {{"eligibility_table", table.model->problems().front()}});
  }
  return table;
}

Result<dmn::Outcome> EvaluateEligibilityTable(
    const EligibilityTable& table, const std::function<feel::Value(std::string_view)>& value,
    bool explain) {
  std::vector<dmn::InputValue> inputs;
  inputs.reserve(table.data.size());
  for (const auto& name : table.data) {
    inputs.push_back({.namespace_uri = "", .name = name, .value = value(name)});
  }
  return table.model->EvaluateDecision(table.decision, inputs, {.explain = explain});
}

feel::Scope EntityScope() {
  feel::Scope scope;
  for (const char* name : {"type", "industry", "size", "registered_region", "status"}) {
    scope.Declare(name);
  }
  return scope;
}

namespace {

// An entity policy: the rule over the entity register's names, evaluated on sample
// enterprises; notices go to the enterprise's portal inbox only.
Status CheckEntityPolicy(const Policy& policy) {
  const LicenceRule licences = RewriteLicenceRefs(policy.eligibility);
  feel::Scope scope = EntityScope();
  DeclareLicenceColumns(licences, scope);
  FieldErrors errors;
  for (const auto& c : policy.channels) {
    if (c != "portal") errors.Add("channels", "an enterprise is told through the portal only");
  }
  if (!policy.eligibility_table.empty()) {
    errors.Add("eligibility_table", "entity policies take a FEEL rule");
  }
  auto rule = feel::Compile(licences.rule, scope);
  if (!rule.ok()) {
    errors.Add("eligibility", rule.error().message());
  } else {
    for (int i = 0; i < 2; ++i) {
      feel::Bindings b(scope);
      auto set = [&](std::string_view n, std::string v) {
        b.Set(scope.Find(n), feel::Value::String(std::move(v)));
      };
      set("type", i == 0 ? "company" : "individual_business");
      set("industry", i == 0 ? "C1711" : "F5211");
      set("size", i == 0 ? "small" : "micro");
      set("registered_region", "431128001");
      set("status", "active");
      feel::Evaluation e = rule->Evaluate(b);
      if (!e.warnings.empty()) {
        errors.Add("eligibility", "cannot be evaluated: " + e.warnings.front());
        break;
      }
      if (!e.value.is_null() && !e.value.is(feel::Kind::kBoolean)) {
        errors.Add("eligibility", "gives " + e.value.ToString() + ", not true or false");
        break;
      }
    }
  }
  if (!errors.empty()) return errors.ToError("policy rules refused");
  return Ok();
}

}  // namespace

Status CheckPolicy(const Policy& policy) {
  if (policy.subject == Subject::kEntity) return CheckEntityPolicy(policy);
  const LicenceRule licences = RewriteLicenceRefs(policy.eligibility);
  feel::Scope scope = registers::PersonScope();
  DeclareLicenceColumns(licences, scope);
  FieldErrors errors;
  if (!policy.eligibility_table.empty()) {
    auto table = CompileEligibilityTable(policy.eligibility_table);
    if (!table.ok()) {
      errors.Add("eligibility_table", table.error().fields().empty()
                                          ? table.error().message()
                                          : table.error().fields()[0].message);
    } else {
      for (const auto& probe : Probes(scope)) {
        auto o = EvaluateEligibilityTable(
            *table, [&](std::string_view n) { return probe.Get(scope.Find(n)); }, false);
        if (!o.ok()) {
          errors.Add("eligibility_table", o.error().message());
          break;
        }
        if (!o->warnings.empty()) {
          errors.Add("eligibility_table", "cannot be evaluated: " + o->warnings.front());
          break;
        }
        if (!o->value.is_null() && !o->value.is(feel::Kind::kBoolean)) {
          errors.Add("eligibility_table", "gives " + o->value.ToString() + ", not true or false");
          break;
        }
      }
    }
  }
  auto rule = feel::Compile(policy.eligibility_table.empty() ? licences.rule : "true", scope);
  if (!rule.ok()) {
    errors.Add("eligibility", rule.error().message());
  } else {
    for (const auto& probe : Probes(scope)) {
      feel::Evaluation e = rule->Evaluate(probe);
      if (!e.warnings.empty()) {
        errors.Add("eligibility", "cannot be evaluated: " + e.warnings.front());
        break;
      }
      if (!e.value.is_null() && !e.value.is(feel::Kind::kBoolean)) {
        errors.Add("eligibility", "gives " + e.value.ToString() + ", not true or false");
        break;
      }
    }
  }
  if (policy.kind == PolicyKind::kBenefit) {
    auto amount = feel::Compile(policy.amount, scope);
    if (!amount.ok()) {
      errors.Add("amount", amount.error().message());
    } else {
      feel::Evaluation e = amount->Evaluate(Probes(scope).front());
      if (!e.warnings.empty()) {
        errors.Add("amount", "cannot be evaluated: " + e.warnings.front());
      } else if (!e.value.is(feel::Kind::kNumber) || !e.value.number().IsInteger() ||
                 e.value.number().IsNegative() || !e.value.number().ToInt64()) {
        errors.Add("amount", "gives " + e.value.ToString() + ", not a whole number of fen >= 0");
      }
    }
    for (const auto& [field, rule_text] : policy.case_form) {
      auto field_rule = feel::Compile(rule_text, scope);
      if (!field_rule.ok()) {
        errors.Add("case_form/" + field, field_rule.error().message());
      }
    }
  }
  if (!errors.empty()) return errors.ToError("policy rules refused");
  return Ok();
}

Result<std::vector<Policy>> BuiltinPolicies() {
  std::vector<Policy> out;
  for (size_t i = 0; i < kPolicyFiles_count; ++i) {
    auto p = ParsePolicy(kPolicyFiles[i].contents);
    if (!p.ok()) {
      Error e = p.error();
      e.Prefix(kPolicyFiles[i].path);
      return e;
    }
    out.push_back(*std::move(p));
  }
  return out;
}

}  // namespace tongban::benefits
