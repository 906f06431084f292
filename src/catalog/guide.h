// 智能导办: the guide of a matter, which asks the applicant questions and picks the scenario
// from the answers, then gives the scenario's materials checklist and form. Pure functions over
// the catalog's values: no storage, no HTTP. A guide is catalog data (docs/catalog-format.md):
// a question tree, or questions and a decision table (docs/dmn-yaml.md) over their answers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/result.h"
#include "catalog/matter.h"
#include "catalog/model.h"

namespace tongban::catalog {

// The answers so far: question id → the value of the option chosen.
using GuideAnswers = std::map<std::string, std::string>;

// One question on the way to the scenario and the answer given to it.
struct GuideAnswered {
  std::string question;  // the question's id
  std::string text;
  std::string value;
  std::string label;
};

// Where a guide stands after the answers so far: either the next question to ask or the
// scenario the answers select (with its form and materials), never both.
struct GuideStep {
  std::vector<GuideAnswered> answered;  // in the order asked
  std::optional<GuideQuestion> question;
  std::optional<Scenario> scenario;
};

// The problems of a guide against its item's scenarios, each with its path under `path`:
// question ids (identifiers, unique), option values (codes, unique per question), each tree
// option leading to exactly one existing question or scenario and no question reachable from
// itself, every question of a tree reachable from the first; a decision table that reads, and
// its questions lead nowhere themselves.
std::vector<FieldError> CheckGuide(const Guide& guide, const std::vector<Scenario>& scenarios,
                                   const std::string& path);

// The next step of the item's guide given `answers`. An answer to a question the path does not
// reach is ignored (the applicant went back and changed an earlier answer). An item without a
// guide and with one scenario answers that scenario at once. Errors: kNotFound when the item has
// no guide and several scenarios; kInvalidArgument naming `answers/<id>` for a value the
// question does not offer; kRefused when the decision table selects no scenario for the
// answers (the applicant is sent to a window).
Result<GuideStep> RunGuide(const ImplementationItem& item, const GuideAnswers& answers);

// The printable checklist of a finished step (一次性告知单): the matter, the answers given, the
// materials with whether each is required and where it comes from, and the form's fields.
// Plain text, and the same as an HTML page whose text is escaped.
std::string ChecklistText(const Matter& matter, const GuideStep& step);
std::string ChecklistHtml(const Matter& matter, const GuideStep& step);

}  // namespace tongban::catalog
