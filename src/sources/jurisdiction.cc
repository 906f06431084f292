#include "sources/jurisdiction.h"

#include <fmt/format.h>

#include "catalog/validate.h"
#include "people/authorization.h"
#include "registers/forms.h"
#include "sources/service_impl.h"

namespace tongban::sources {
namespace {

using catalog::JurisdictionScope;

feel::Value Text(const std::string& s) {
  return s.empty() ? feel::Value() : feel::Value::String(s);
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

feel::Value Typed(const std::string& text) {
  if (text == "true" || text == "false") return feel::Value::Boolean(text == "true");
  if (auto d = feel::Decimal::Parse(text)) return feel::Value::Number(*d);
  return feel::Value::String(text);
}

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

using people::Principal;

std::string_view JurisdictionOutcomeName(JurisdictionOutcome o) {
  switch (o) {
    case JurisdictionOutcome::kCompetent:
      return "competent";
    case JurisdictionOutcome::kRedirected:
      return "redirected";
    case JurisdictionOutcome::kCrossRegion:
      return "cross_region";
    case JurisdictionOutcome::kUndetermined:
      return "undetermined";
  }
  return "undetermined";
}

// The compiled jurisdiction rule of a matter version; nullopt when it does not compile.
std::optional<feel::Program> SourceService::Impl::Rule(const catalog::Matter& m) {
  std::lock_guard lock(mu);
  auto it = rules.find(m.version.id);
  if (it != rules.end()) return it->second;
  std::optional<feel::Program> p;
  if (auto c = CompileJurisdiction(m.item.jurisdiction); c.ok()) p = std::move(c).value();
  rules.emplace(m.version.id, p);
  return p;
}

// Every matter in force of the same basic item (the implementations in other regions).
Result<std::vector<catalog::MatterSummary>> SourceService::Impl::Siblings(
    const catalog::Matter& m) {
  std::vector<catalog::MatterSummary> out;
  catalog::PageRequest page{.limit = 100, .cursor = {}};
  for (int pages = 0; pages < 1000; ++pages) {
    TB_ASSIGN_OR_RETURN(catalog::MatterPage p, catalog.ListMatters({}, page));
    for (auto& s : p.items) {
      if (s.basic_item == m.item.basic_item && s.code != m.item.code) out.push_back(s);
    }
    if (p.next_cursor.empty()) break;
    page.cursor = p.next_cursor;
  }
  return out;
}

Result<Jurisdiction> SourceService::Impl::Decide(const Principal& caller,
                                                 const catalog::Matter& matter,
                                                 const JurisdictionSubject& subject, Date today) {
  Jurisdiction j;
  j.requested_matter = matter.item.code;
  j.competent_matter = matter.item.code;
  j.competent_region = matter.item.region;
  j.competent_department = matter.item.department;
  auto rule = Rule(matter);
  std::optional<bool> here;
  if (rule) {
    here = EvaluateJurisdiction(*rule, subject, matter.item.code, matter.item.region, today);
  }
  if (!here) {
    j.outcome = JurisdictionOutcome::kUndetermined;
    j.note = "管辖规则无法判定（无登记信息），由本地受理";
    return j;
  }
  if (*here) {
    j.outcome = JurisdictionOutcome::kCompetent;
    j.note = fmt::format("由{}办理", matter.department.name);
    return j;
  }
  TB_ASSIGN_OR_RETURN(auto siblings, Siblings(matter));
  for (const auto& s : siblings) {
    auto other = catalog.GetMatter(s.code, today);
    if (!other.ok()) continue;
    auto other_rule = Rule(*other);
    if (!other_rule) continue;
    auto there =
        EvaluateJurisdiction(*other_rule, subject, other->item.code, other->item.region, today);
    if (!there || !*there) continue;
    j.competent_matter = other->item.code;
    j.competent_region = other->item.region;
    j.competent_department = other->item.department;
    // A citizen applying online or at a kiosk goes straight to the competent matter; a clerk
    // does when allowed to assist there, else receives it here for that region (异地代收).
    const bool may_redirect = caller.account.kind != people::AccountKind::kStaff ||
                              people::Authorize(caller, "case.assist",
                                                {.region = other->item.region,
                                                 .department = other->item.department,
                                                 .matter = other->item.code},
                                                NowMs())
                                  .ok();
    if (may_redirect) {
      j.outcome = JurisdictionOutcome::kRedirected;
      j.note = fmt::format("按管辖规则由{}办理，已转至该事项", other->department.name);
    } else {
      j.outcome = JurisdictionOutcome::kCrossRegion;
      j.note = fmt::format("按管辖规则由{}办理，本窗口跨域代收", other->department.name);
    }
    return j;
  }
  j.outcome = JurisdictionOutcome::kCrossRegion;
  j.note = "未找到有管辖权的其他地区事项，按跨域通办由本地受理";
  return j;
}

}  // namespace tongban::sources
