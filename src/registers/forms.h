// Forms that fill themselves (表单自动填充): a scenario's form fields may carry a FEEL `prefill`
// expression over the applicant's records and FEEL unary-test `validation`s with a message
// (catalog/model.h FormField). A FormFiller compiles a form once and then, per applicant,
// returns every field with the value it arrives with and where that value came from, and
// checks submitted values against the validations.
//
// Names in the expressions:
//   person   the applicant's person record: id_number, name, sex ("male"/"female"),
//            birth_date (date), age, household_region, address, phone, income_band,
//            assistance, disability (null, or {certificate, category, level}),
//            long_term_care, status
//   entity   the enterprise applying: uscc, name, type, legal_representative, industry, size,
//            registered_region, status
//   licence("营业执照")   the holder's valid licence of that type: its data fields plus id,
//            holder_name, valid_from, valid_until (null when none is held)
//   applicant   who is applying: by_agent (true for an enterprise's authorised agent, false for
//            its legal representative or a citizen applying for themselves, null when not
//            known, e.g. a clerk filling the form)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/result.h"
#include "catalog/model.h"
#include "feel/feel.h"
#include "registers/model.h"

namespace tongban::registers {

// What a form is filled from. The person is the applicant's full record (the caller's own, or
// read with a purpose by a clerk); licences are keyed by type name.
struct FormSubject {
  std::optional<Person> person{};
  std::optional<Entity> entity{};
  std::map<std::string, nlohmann::json, std::less<>> licences{};
  // applicant.by_agent: whether someone applies on the applicant's behalf (委托他人办理); unset
  // when the filler does not know.
  std::optional<bool> by_agent{};
};

struct FilledField {
  std::string name{};
  std::string label{};
  nlohmann::json value{};  // null when nothing was found: the applicant completes it
  // "person", "entity", "licence:<type>", "applicant" when pre-filled from a record; "" otherwise.
  std::string source{};
  // The validation message when the pre-filled value fails it (the applicant must correct it).
  std::string problem{};
};

class FormFiller {
 public:
  // Compiles each field's prefill and validation. kInvalidArgument naming the field
  // ("form/2/prefill") when one does not compile (a catalog that passed validation never
  // fails here).
  static Result<FormFiller> Compile(const std::vector<catalog::FormField>& form);

  // Every field in form order, pre-filled from `subject` as of `today` (for person.age).
  std::vector<FilledField> Fill(const FormSubject& subject, Date today) const;

  // Submission-time checks of `values` (a JSON object, field name -> value): each field with a
  // validation whose value fails it is added to `errors` under its name with the catalog's
  // message; a required field that is missing or null gets "is required". The cases module
  // calls this before it accepts an application.
  void Validate(const nlohmann::json& values, FieldErrors& errors) const;

  // The same validations over a case's form as submitted (field name -> text, as
  // cases::SubmitRequest holds it; the types already checked by the cases module): each failing
  // field is added as "form/<name>" with the catalog's message. Required fields are not checked
  // here (the cases module does).
  void ValidateText(const std::map<std::string, std::string>& form, FieldErrors& errors) const;

  size_t size() const { return fields_.size(); }

 private:
  struct Field {
    catalog::FormField spec;
    std::optional<feel::Program> prefill;
    std::optional<feel::Program> validation;
    std::string source;
  };
  std::vector<Field> fields_;
};

// The hook for the cases module at submission (cases::CaseService::Submit, after its
// ValidateForm): compiles the scenario's validations and runs ValidateText. A form whose FEEL
// does not compile (never one that passed catalog validation) adds no errors.
void CheckFormValidations(const std::vector<catalog::FormField>& fields,
                          const std::map<std::string, std::string>& form, FieldErrors& errors);

// The FEEL value of a JSON value (objects become contexts), and back.
feel::Value FeelFromJson(const nlohmann::json& j);
nlohmann::json JsonFromFeel(const feel::Value& v);
// A person or entity as the `person` / `entity` context above.
feel::Value PersonValue(const Person& p, Date today);
feel::Value EntityValue(const Entity& e);

}  // namespace tongban::registers
