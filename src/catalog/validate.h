// The rules of the catalog (docs/catalog-format.md) between values: codes well-formed and
// unique, region codes and USCCs valid, references resolved, limits consistent, certificates on
// the certificate list (清单外无证明). Every problem is collected with its path, so a file or a
// draft is answered with all of them at once.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/result.h"
#include "catalog/model.h"
#include "catalog/yaml_io.h"
#include "feel/feel.h"

namespace tongban::catalog {

// What is already stored, so references from a file (or a single draft) may point at it. The
// file's own entries take precedence: a file that cancels a certificate and still requires it
// is refused.
struct KnownCodes {
  std::set<std::string, std::less<>> departments;
  std::set<std::string, std::less<>> windows;
  std::set<std::string, std::less<>> basic_items;
  std::set<std::string, std::less<>> implementation_items;
  std::map<std::string, CertificateStatus, std::less<>> certificates;
  // Regions imported into the database (`tongban regions import`, module regions), asked for
  // codes the embedded region list lacks: the name of a canonical code, or nullopt. Unset: the
  // embedded list alone decides.
  std::function<std::optional<std::string>(std::string_view canonical_code)> imported_region;
};

// Checks every rule on `file`; a reference is satisfied by the file itself or by `known`.
void ValidateCatalog(const CatalogFile& file, const KnownCodes& known, FieldErrors& errors);

// Checks one implementation item against `known` alone (a draft saved on its own); paths are
// `base_path` joined with the item's fields ("scenarios/0/materials/2/certificate" for "").
void ValidateItem(const ImplementationItem& item, const KnownCodes& known,
                  std::string_view base_path, FieldErrors& errors);

// Reads and validates a catalog file: the file, or one kInvalidArgument error listing every
// problem (syntax, shape and rules) with its path. No database: references must resolve in the
// file or in `known`. Never throws on any input (the importer's fuzz target).
Result<CatalogFile> ReadCatalog(std::string_view text, const KnownCodes& known,
                                const ParseLimits& limits = {});

// The region's name in the embedded region list (src/base) or else among `known`'s imported
// regions; "" when neither has it.
std::string RegionName(std::string_view code, const KnownCodes& known);

// The code prefix shared by a region and everything below it, for subtree filters: 430000 →
// "43", 431100 → "4311", 431128 → "431128", a town 431128100 or 431128100000 → "431128100", a
// village → all 12 digits. nullopt unless the code is 6, 9 or 12 digits.
std::optional<std::string> RegionSubtreePrefix(std::string_view code);

// The names a form field's `prefill` and `validation` may use, for checking them when a
// catalog is read: `person`, `entity` and `licence(type)`. registers/forms.h evaluates them
// with the same names bound to the applicant's records.
const feel::Scope& PrefillScope();

// The inputs a matter's jurisdiction rule (管辖) may name: `applicant`, `person`, `entity`,
// `form` and `case` (sources/jurisdiction.h binds them at submission and documents them).
const feel::Scope& JurisdictionScope();

// Every problem of a jurisdiction rule, so that a rule that would decide nothing at
// submission is refused when the catalog is read or a draft saved: FEEL that does not
// compile, a name that is not one of JurisdictionScope's inputs, or a member that `applicant`
// or `case` do not have (`applicant.regoin`). Empty when the rule is fine.
std::vector<feel::Diagnostic> CheckJurisdiction(std::string_view rule);

// The inputs a scenario's auto_decision rule (秒批) may name: `form` (the form's fields, numbers
// and booleans typed), `applicant` ({kind, code, name}), `person` and `entity` (the applicant's
// register record, registers::PersonValue / EntityValue; null when not registered or for the
// other kind of applicant) and `materials` (a list of {name, required, state, origin});
// sources/auto_decision.cc binds them after submission and after each supplied material.
const feel::Scope& AutoDecisionScope();

// The members of AutoDecisionScope's contexts whose shape is fixed, by input name: `applicant`,
// `person` and `entity` (nested members such as `person.disability.level` are not checked;
// `form` is the scenario's own and not listed). A test in src/sources keeps them equal to what
// auto_decision.cc binds.
const std::map<std::string, std::set<std::string, std::less<>>, std::less<>>& AutoDecisionMembers();

// Every problem of an auto_decision rule, so that a rule over a name the decision would not
// see is refused when the catalog is read or a draft saved: FEEL that does not compile, a name
// that is not one of AutoDecisionScope's inputs, or a member its contexts do not have
// (`person.disabled`). Empty when the rule is fine.
std::vector<feel::Diagnostic> CheckAutoDecision(std::string_view rule);

}  // namespace tongban::catalog
