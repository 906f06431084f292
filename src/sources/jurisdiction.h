// The jurisdiction rule of a matter (管辖): a FEEL expression over the applicant and the case,
// true when the matter's department and region are competent for the application.
//
// Names:
//   applicant  {kind ("person" | "enterprise"), code, name, region, household_region,
//              address, registered_region}; `region` is the household region (户籍地) of a
//              person and the registered region (登记地) of an enterprise
//   person     the applicant's person record (registers/forms.h), null for an enterprise
//   entity     the applying enterprise's record, null for a person
//   form       the application's form fields as text ({property_region: "431128101200"})
//   case       {matter, region, channel, form}: the matter applied for and where it is
//
// `true` is "anywhere" (全市通办 / 全省通办); a business address or property location is a form
// field of type region (`starts with(form.property_region, "431128")`).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "feel/feel.h"
#include "registers/model.h"

namespace tongban::sources {

struct JurisdictionSubject {
  std::string kind = "person";  // person | enterprise
  std::string code;
  std::string name;
  std::optional<registers::Person> person;
  std::optional<registers::Entity> entity;
  std::map<std::string, std::string> form;
  std::string channel;
};

// A form field's text as FEEL sees it in a rule: true/false as booleans, numbers as numbers,
// anything else as text.
feel::Value Typed(const std::string& text);

// Compiles a rule; kInvalidArgument with the FEEL problem when it does not compile.
Result<feel::Program> CompileJurisdiction(const std::string& rule);

// The rule's answer for `subject` applying to a matter of `matter_region`: true, false, or
// nullopt when the rule gives no boolean (a name with no record behind it).
std::optional<bool> EvaluateJurisdiction(const feel::Program& rule,
                                         const JurisdictionSubject& subject,
                                         const std::string& matter_code,
                                         const std::string& matter_region, Date today);

// Whether a conditional material's FEEL `condition` holds for `subject`'s application: the
// form's fields by name (numbers and booleans typed) and `applicant` (as above, plus `age`).
// nullopt when it does not compile or gives no boolean.
std::optional<bool> ConditionHolds(const std::string& condition, const JurisdictionSubject& subject,
                                   Date today);

}  // namespace tongban::sources
