#include "registers/forms.h"

#include <fmt/format.h>

#include "registers/columns.h"

namespace tongban::registers {
namespace {

using nlohmann::json;

// The licences of the applicant being filled, for `licence(type)`: set for the duration of one
// Fill on the filling thread, so that the programs compile once and still see each
// applicant's own licences.
thread_local const std::map<std::string, json, std::less<>>* current_licences = nullptr;

const feel::Scope& FillScope() {
  static const feel::Scope* scope = [] {
    auto* s = new feel::Scope();
    s->Declare("person");
    s->Declare("entity");
    s->Declare("applicant");
    s->AddFunction(
        {"licence", {"type"}, 1, false, [](std::span<const feel::Value> args, feel::CallContext&) {
           if (current_licences == nullptr || args.empty() || !args[0].is(feel::Kind::kString)) {
             return feel::Value();
           }
           auto it = current_licences->find(args[0].string());
           return it == current_licences->end() ? feel::Value() : FeelFromJson(it->second);
         }});
    return s;
  }();
  return *scope;
}

// Where a prefill expression takes its value from: the first record it names.
std::string SourceOf(std::string_view text) {
  const size_t l = text.find("licence(");
  const size_t p = text.find("person");
  const size_t e = text.find("entity");
  const size_t a = text.find("applicant");
  const size_t first = std::min({l, p, e, a});
  if (first == std::string_view::npos) return "";
  if (first == p) return "person";
  if (first == e) return "entity";
  if (first == a) return "applicant";
  // licence("营业执照"): the type named by the first string literal.
  const size_t open = text.find('"', l);
  const size_t close = open == std::string_view::npos ? open : text.find('"', open + 1);
  if (close == std::string_view::npos) return "licence";
  return "licence:" + std::string(text.substr(open + 1, close - open - 1));
}

feel::Value Text(const std::string& s) { return feel::Value::String(s); }

feel::Value OptionalText(const std::string& s) {
  return s.empty() ? feel::Value() : feel::Value::String(s);
}

}  // namespace

feel::Value FeelFromJson(const json& j) {
  auto v = feel::ParseJson(j.dump());
  return v.ok() ? std::move(v).value() : feel::Value();
}

json JsonFromFeel(const feel::Value& v) {
  return json::parse(feel::ToJson(v), nullptr, /*allow_exceptions=*/false);
}

feel::Value PersonValue(const Person& p, Date today) {
  feel::Value disability;
  if (p.disability) {
    disability = feel::Value::Context(
        {{"certificate", Text(p.disability->certificate)},
         {"category", Text(std::string(DisabilityCategoryName(p.disability->category)))},
         {"level", feel::Value::Number(p.disability->level)}});
  }
  return feel::Value::Context(
      {{"id_number", Text(p.id_number)},
       {"name", Text(p.name)},
       {"sex", Text(std::string(SexName(p.sex)))},
       {"birth_date", feel::Value::FromDate(feel::Date::FromDays(p.birth_date.days()))},
       {"age", feel::Value::Number(AgeAt(p.birth_date, today))},
       {"household_region", Text(p.household_region)},
       {"address", OptionalText(p.address)},
       {"phone", OptionalText(p.phone)},
       {"income_band", Text(std::string(IncomeBandName(p.income_band)))},
       {"assistance", Text(std::string(AssistanceName(p.assistance)))},
       {"disability", disability},
       {"long_term_care", feel::Value::Boolean(p.long_term_care)},
       {"status", Text(std::string(PersonStatusName(p.status)))}});
}

feel::Value EntityValue(const Entity& e) {
  return feel::Value::Context({{"uscc", Text(e.uscc)},
                               {"name", Text(e.name)},
                               {"type", Text(std::string(EntityTypeName(e.type)))},
                               {"legal_representative", Text(e.legal_representative)},
                               {"industry", Text(e.industry)},
                               {"size", Text(std::string(EntitySizeName(e.size)))},
                               {"registered_region", Text(e.registered_region)},
                               {"status", Text(std::string(EntityStatusName(e.status)))}});
}

Result<FormFiller> FormFiller::Compile(const std::vector<catalog::FormField>& form) {
  FormFiller out;
  FieldErrors errors;
  for (size_t i = 0; i < form.size(); ++i) {
    Field f{.spec = form[i], .prefill = std::nullopt, .validation = std::nullopt, .source = ""};
    if (!f.spec.prefill.empty()) {
      auto p = feel::Compile(f.spec.prefill, FillScope());
      if (p.ok()) {
        f.prefill = std::move(p).value();
        f.source = SourceOf(f.spec.prefill);
      } else {
        errors.Add(fmt::format("form/{}/prefill", i), p.error().message());
      }
    }
    if (!f.spec.validation.empty()) {
      auto v = feel::Compile(f.spec.validation, FillScope(), feel::Mode::kUnaryTests);
      if (v.ok()) {
        f.validation = std::move(v).value();
      } else {
        errors.Add(fmt::format("form/{}/validation", i), v.error().message());
      }
    }
    out.fields_.push_back(std::move(f));
  }
  if (!errors.empty()) return errors.ToError("the form's FEEL does not compile");
  return out;
}

std::vector<FilledField> FormFiller::Fill(const FormSubject& subject, Date today) const {
  feel::Bindings b(FillScope());
  if (subject.person) b.Set(FillScope().Find("person"), PersonValue(*subject.person, today));
  if (subject.entity) b.Set(FillScope().Find("entity"), EntityValue(*subject.entity));
  b.Set(
      FillScope().Find("applicant"),
      feel::Value::Context({{"by_agent", subject.by_agent ? feel::Value::Boolean(*subject.by_agent)
                                                          : feel::Value()}}));
  current_licences = &subject.licences;
  std::vector<FilledField> out;
  out.reserve(fields_.size());
  for (const Field& f : fields_) {
    FilledField filled{.name = f.spec.name, .label = f.spec.label};
    if (f.prefill) {
      feel::Value v = f.prefill->EvaluateFast(b);
      if (!v.is_null()) {
        filled.value = JsonFromFeel(v);
        filled.source = f.source;
        if (f.validation) {
          feel::Value ok = f.validation->TestFast(v, b);
          if (!ok.is(feel::Kind::kBoolean) || !ok.boolean()) {
            filled.problem = f.spec.validation_message;
          }
        }
      }
    }
    out.push_back(std::move(filled));
  }
  current_licences = nullptr;
  return out;
}

void FormFiller::Validate(const json& values, FieldErrors& errors) const {
  feel::Bindings b(FillScope());
  for (const Field& f : fields_) {
    const json* v = nullptr;
    if (values.is_object()) {
      auto it = values.find(f.spec.name);
      if (it != values.end() && !it->is_null()) v = &*it;
    }
    if (v == nullptr) {
      if (f.spec.required) errors.Add(f.spec.name, "is required");
      continue;
    }
    if (!f.validation) continue;
    feel::Value value = FeelFromJson(*v);
    if (f.spec.type == catalog::FieldType::kDate && v->is_string()) {
      if (auto d = feel::Date::Parse(v->get<std::string>())) value = feel::Value::FromDate(*d);
    }
    feel::Value ok = f.validation->TestFast(value, b);
    if (!ok.is(feel::Kind::kBoolean) || !ok.boolean()) {
      errors.Add(f.spec.name, f.spec.validation_message);
    }
  }
}

void FormFiller::ValidateText(const std::map<std::string, std::string>& form,
                              FieldErrors& errors) const {
  feel::Bindings b(FillScope());
  for (const Field& f : fields_) {
    if (!f.validation) continue;
    auto it = form.find(f.spec.name);
    if (it == form.end()) continue;
    const std::string& text = it->second;
    feel::Value value = feel::Value::String(text);
    switch (f.spec.type) {
      case catalog::FieldType::kInteger:
      case catalog::FieldType::kDecimal:
        if (auto d = feel::Decimal::Parse(text)) value = feel::Value::Number(*d);
        break;
      case catalog::FieldType::kBoolean:
        if (text == "true" || text == "false") value = feel::Value::Boolean(text == "true");
        break;
      case catalog::FieldType::kDate:
        if (auto d = feel::Date::Parse(text)) value = feel::Value::FromDate(*d);
        break;
      default:
        break;
    }
    feel::Value ok = f.validation->TestFast(value, b);
    if (!ok.is(feel::Kind::kBoolean) || !ok.boolean()) {
      errors.Add("form/" + f.spec.name, f.spec.validation_message);
    }
  }
}

void CheckFormValidations(const std::vector<catalog::FormField>& fields,
                          const std::map<std::string, std::string>& form, FieldErrors& errors) {
  auto filler = FormFiller::Compile(fields);
  if (filler.ok()) filler->ValidateText(form, errors);
}

}  // namespace tongban::registers
