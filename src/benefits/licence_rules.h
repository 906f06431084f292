// Licences in eligibility rules (issue 8, item 1: "over the person or entity register and
// licences"). A rule writes `licence("残疾人证")` (true when the person or enterprise holds a
// valid licence of that type, by name or type code, on the reference date; false otherwise),
// `licence("残疾人证").level` (a field of the licence's data, typed by the licence type's
// schema; null without a licence) or `.valid_from` / `.valid_until` (dates; valid_until null
// for a long-term licence). Each reference becomes a column beside the register's, so the rule
// is compiled column-wise like any other; a run reads the licence register once per type.
// Limit: the reference is recognised in the rule's text, so it cannot be built from variables.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "benefits/policy.h"
#include "feel/feel.h"
#include "registers/columns.h"
#include "registers/register.h"
#include "store/database.h"

namespace tongban::benefits {

struct LicenceRef {
  std::string type;    // as written: a type name (残疾人证) or code
  std::string field;   // "" (holds one), valid_from, valid_until or a data field
  std::string column;  // the name the rewritten rule uses
  std::string text;    // the reference as written, for explanations
};

struct LicenceRule {
  std::string rule;                // the rule with every reference replaced by its column
  std::vector<LicenceRef> refs{};  // distinct columns, in order of first use
  // Adds `other`'s references (the columns of two rules loaded together).
  void Merge(const LicenceRule& other);
};

LicenceRule RewriteLicenceRefs(std::string_view rule);

// Declares the references' columns (for checks without a database: their values are null).
void DeclareLicenceColumns(const LicenceRule& rule, feel::Scope& scope);

// Checks each reference against the licence types in `db`: the type exists (by name or code),
// its holder is the policy's subject, the field is valid_from, valid_until or one of its data
// fields. kInvalidArgument naming "eligibility".
Status CheckLicenceRefs(store::Database& db, const LicenceRule& rule, Subject subject);

// `cols` with a column per reference: the licences of the rows' persons (by their ID number's
// blind index) or enterprises (by USCC) that are valid on `reference`.
Result<registers::PersonColumns> WithLicenceColumns(registers::Registers& registers,
                                                    registers::PersonColumns cols,
                                                    const LicenceRule& rule, Subject subject,
                                                    Date reference);

// A trace's texts with the columns named as the rule wrote them.
std::string NameLicenceColumns(std::string text, const LicenceRule& rule);

}  // namespace tongban::benefits
