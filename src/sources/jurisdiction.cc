#include "sources/jurisdiction.h"

#include "catalog/validate.h"
#include "registers/forms.h"

namespace tongban::sources {
namespace {

using catalog::JurisdictionScope;

feel::Value Text(const std::string& s) {
  return s.empty() ? feel::Value() : feel::Value::String(s);
}

feel::Value Typed(const std::string& text) {
  if (text == "true" || text == "false") return feel::Value::Boolean(text == "true");
  if (auto d = feel::Decimal::Parse(text)) return feel::Value::Number(*d);
  return feel::Value::String(text);
}

feel::Value ApplicantValue(const JurisdictionSubject& subject, Date today) {
  std::string household, address, registered;
  feel::Value age;
  if (subject.person) {
    household = subject.person->household_region;
    address = subject.person->address;
    const feel::Value person = registers::PersonValue(*subject.person, today);
    for (const auto& e : person.context()) {
      if (e.name == "age") age = e.value;
    }
  }
  if (subject.entity) registered = subject.entity->registered_region;
  const std::string& region = subject.kind == "enterprise" ? registered : household;
  return feel::Value::Context({{"kind", Text(subject.kind)},
                               {"code", Text(subject.code)},
                               {"name", Text(subject.name)},
                               {"region", Text(region)},
                               {"household_region", Text(household)},
                               {"address", Text(address)},
                               {"registered_region", Text(registered)},
                               {"age", age}});
}

}  // namespace

std::optional<bool> ConditionHolds(const std::string& condition, const JurisdictionSubject& subject,
                                   Date today) {
  feel::Scope scope;
  scope.Declare("applicant");
  for (const auto& [k, v] : subject.form) scope.Declare(k);
  auto program = feel::Compile(condition, scope);
  if (!program.ok()) return std::nullopt;
  feel::Bindings b(scope);
  b.Set(scope.Find("applicant"), ApplicantValue(subject, today));
  for (const auto& [k, v] : subject.form) b.Set(scope.Find(k), Typed(v));
  feel::Value v = program->EvaluateFast(b);
  if (!v.is(feel::Kind::kBoolean)) return std::nullopt;
  return v.boolean();
}

Result<feel::Program> CompileJurisdiction(const std::string& rule) {
  return feel::Compile(rule, JurisdictionScope());
}

std::optional<bool> EvaluateJurisdiction(const feel::Program& rule,
                                         const JurisdictionSubject& subject,
                                         const std::string& matter_code,
                                         const std::string& matter_region, Date today) {
  const feel::Scope& scope = JurisdictionScope();
  feel::Bindings b(scope);
  if (subject.person) b.Set(scope.Find("person"), registers::PersonValue(*subject.person, today));
  if (subject.entity) b.Set(scope.Find("entity"), registers::EntityValue(*subject.entity));
  b.Set(scope.Find("applicant"), ApplicantValue(subject, today));
  std::vector<feel::ContextEntry> form;
  form.reserve(subject.form.size());
  for (const auto& [k, v] : subject.form) form.push_back({k, feel::Value::String(v)});
  feel::Value form_value = feel::Value::Context(form);
  b.Set(scope.Find("form"), form_value);
  b.Set(scope.Find("case"), feel::Value::Context({{"matter", Text(matter_code)},
                                                  {"region", Text(matter_region)},
                                                  {"channel", Text(subject.channel)},
                                                  {"form", form_value}}));
  feel::Value v = rule.EvaluateFast(b);
  if (!v.is(feel::Kind::kBoolean)) return std::nullopt;
  return v.boolean();
}

}  // namespace tongban::sources
