// TCK values as FEEL values, and the comparison the TCK runner makes between an expected value
// and an evaluated one.
#pragma once

#include <string>

#include "base/result.h"
#include "dmn/tck_file.h"
#include "feel/value.h"

namespace tongban::dmn {

// xsd:decimal/double/int… → number from its text (never through a double), xsd:string → string,
// xsd:boolean → boolean, xsd:date/dateTime/time/duration → the FEEL temporal value, nil → null,
// components → context, list → list. An untyped value is read as a number or a boolean when
// it looks like one, else as a string. Errors name the value that cannot be read.
Result<feel::Value> ToFeelValue(const TckValue& value);

// Whether `actual` is what the test expects: numbers by value, or within 1e-12 relative (the
// suite's expected values for inexact results, such as 0008-LX-arithmetic's annuity, were
// computed in binary floating point and differ from 34-digit decimals after ~13 digits), or
// rounded to the expected's decimals when it has 8 or more significant digits (expected values
// printed shortened, 54.59815003 for exp(4)); strings,
// booleans and temporals by value, lists and contexts deeply (a context must have exactly the
// expected entries). On a mismatch, `why` names the first difference.
bool TckMatches(const feel::Value& actual, const feel::Value& expected, std::string* why);

}  // namespace tongban::dmn
