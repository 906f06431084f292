// The corpus of the differential test against feelin (issue 4, item 4): FEEL expressions generated
// from a seed, each with the variables it reads, evaluated by tongban's interpreter and written
// as typed JSON so that tests/feelin/diff.mjs can evaluate the same text with feelin and compare.
//
// The typed JSON form is the one both sides are normalised to, because plain JSON cannot tell a
// date from a string or a years-and-months duration from a days-and-time one:
//   {"type": "number", "value": "0.3"}              (decimal text, plain notation)
//   {"type": "date", "value": "2026-11-26"}         (likewise time, date and time, both durations,
//                                                    with the FEEL kind name as type)
//   {"type": "list", "items": [...]}
//   {"type": "context", "entries": {"a": {...}}}
//   {"type": "range", "start": {...}, "end": {...}, "start included": true, "end included": false}
//   {"type": "null"}, {"type": "boolean", "value": true}, {"type": "string", "value": "..."},
//   {"type": "function"}, and {"type": "error", "message": "..."} for a text that does not compile.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "feel/feel.h"
#include "feel/value.h"

namespace tongban::feel::differential {

// One generated expression. `family` names the part of the language it exercises (rule,
// arithmetic, temporal, ...) so the report can say where disagreements come from. In unary-tests
// mode (a decision table's input entry) the text is tested against `input`, the value of `?`.
struct Case {
  std::string family;
  std::string text;
  std::vector<ContextEntry> variables;
  Mode mode = Mode::kExpression;
  Value input;
};

// `count` expressions generated from `seed`: the same seed gives the same corpus on every
// machine (the generator uses its own pseudo-random sequence, not the standard distributions,
// whose results differ between standard libraries). Weighted towards what eligibility rules use:
// comparisons, and/or/not, `in`, dates and ages, code prefixes, filters over a household.
std::vector<Case> GenerateCorpus(uint64_t seed, int count);

// The typed JSON form of `value` described above, as one line of text.
std::string TypedJson(const Value& value);

// Evaluates `c` with tongban's interpreter and returns one JSON line:
// {"id", "family", "expression", "variables": {name: typed} (those the text mentions),
// "tongban": typed, "warning": the first warning, if any}, plus "mode": "unary tests" and
// "input": typed for a unary test.
std::string EvaluateCase(int id, const Case& c);

}  // namespace tongban::feel::differential
