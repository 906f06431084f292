// Decision tables written in YAML (for the catalog: docs/dmn-yaml.md), read into the same model
// as DMN XML, so they are evaluated by the same code.
#pragma once

#include <string_view>

#include "base/result.h"
#include "dmn/model.h"

namespace tongban::dmn {

// Reads one YAML decision table into a model with one decision (its logic the table) that
// requires the input data the file lists under `data`. Every problem is reported at once with its
// path
// ("rules/2: has 3 cells, the table has 2 inputs and 1 output"). Never throws.
Result<Definitions> ParseDecisionTableYaml(std::string_view text, std::string_view source);

// Parses a hit policy as DMN XML writes it ("UNIQUE", "COLLECT") or in the single-letter
// notation of the specification ("U", "F", "P", "A", "C", "C+", "C<", "C>", "C#", "R", "O"),
// optionally followed by an aggregation ("COLLECT SUM").
Result<std::pair<HitPolicy, Aggregation>> ParseHitPolicy(std::string_view text);

}  // namespace tongban::dmn
