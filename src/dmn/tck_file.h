// Reads the DMN TCK test files (testCases.xsd): input values and expected results per test
// case, kept as a neutral value tree (TckValue) that evaluation converts to FEEL values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban::dmn {

// A value as a test file writes it: a simple value with its `xsi:type` and text, a structure of
// named components, a list of items, or nil.
struct TckValue {
  enum class Kind { kNil, kSimple, kComponents, kList };
  Kind kind = Kind::kNil;
  std::string xsi_type;  // without prefix: "decimal", "string", "dateTime"; empty if untyped
  std::string text;
  // Components: names[i] names components[i] (a vector of pairs would need TckValue complete).
  std::vector<std::string> component_names;
  std::vector<TckValue> components;
  std::vector<TckValue> items;
};

struct TckInput {
  std::string name;
  std::string namespace_uri;  // of the model that declares it (an imported model), or empty
  TckValue value;
};

struct TckResult {
  std::string name;
  bool error_result = false;  // the evaluation is expected to fail (the value is then null)
  bool has_expected = false;
  TckValue expected;
};

enum class TckCaseKind { kDecision, kBkm, kDecisionService };

struct TckCase {
  std::string id;
  TckCaseKind kind = TckCaseKind::kDecision;
  std::string invocable_name;  // the decision service (or BKM) invoked
  std::string description;
  std::vector<TckInput> inputs;
  std::vector<TckResult> results;
};

struct TckFile {
  std::string model_name;  // the .dmn file beside the test file
  std::vector<TckCase> cases;
};

// Reads one test file; `source` names it in messages. Never throws.
Result<TckFile> ParseTckFile(std::string_view text, std::string_view source);

}  // namespace tongban::dmn
