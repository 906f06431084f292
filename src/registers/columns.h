// The person register as FEEL sees it, for eligibility rules (免申即享, issue 8): column-wise
// for a whole population (feel::Register), and one person at a time for the interpreter, with
// the same names and values in both, so a rule selects the same persons either way.
//
// Names: age (whole years at the reference date), sex, birth_date, household_region (the code
// as a string), income_band, assistance ("none", "minimum_living", "extreme_poverty"),
// disability_certificate (true when the person holds one), disability_category (null without
// a certificate), disability_level (1-4, null without a certificate), long_term_care, status.
// No sensitive field is loaded: matching never needs an ID number in clear.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "feel/columnar.h"
#include "feel/feel.h"
#include "registers/model.h"
#include "registers/register.h"

namespace tongban::registers {

struct PersonColumns {
  feel::Register reg;
  std::vector<std::string> person_ids;  // row i of reg is person_ids[i]
};

// The persons whose household region lies in `region`'s subtree (empty: all), in id order, as
// typed columns with ages computed at `reference`. The caller authorises the run (a policy
// match needs policy.match in the region); only non-sensitive columns are read.
Result<PersonColumns> LoadPersonColumns(Registers& registers, std::string_view region,
                                        Date reference);

// Whole years from `birth` to `reference` (a birthday on 29 February counts on 1 March in
// common years).
int AgeAt(Date birth, Date reference);

// A scope declaring the names above, and one person's bindings of them.
feel::Scope PersonScope();
feel::Bindings PersonBindings(const feel::Scope& scope, const Person& person, Date reference);

}  // namespace tongban::registers
