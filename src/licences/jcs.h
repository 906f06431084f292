// RFC 8785 JSON Canonicalization Scheme (JCS): the exact bytes a licence's signature covers.
// Object members are sorted by their names as UTF-16 code units, strings use the minimal
// escapes, numbers are serialised as ECMAScript's Number.prototype.toString does (IEEE 754
// doubles; integers beyond 2^53 lose precision exactly as they would in JavaScript).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "base/result.h"

namespace tongban::licences {

// The canonical form of `value`. kInvalidArgument for NaN or infinite numbers and for strings
// that are not valid UTF-8 (RFC 8785 §3.2.2.2 and §3.1: I-JSON).
Result<std::string> Canonicalize(const nlohmann::json& value);

// The ECMAScript serialisation of a finite double (RFC 8785 §3.2.2.3): "0" for ±0, "1e+21",
// "0.000001", "1e-7", "333333333.3333333". Precondition: `value` is finite.
std::string SerializeNumber(double value);

}  // namespace tongban::licences
