#include "registers/rules.h"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include "base/embedded.h"

namespace tongban {
extern const EmbeddedFile kRegisterRules[];
extern const size_t kRegisterRules_count;
}  // namespace tongban

namespace tongban::registers {

Result<RegisterRule> ParseRegisterRule(std::string_view yaml) {
  RegisterRule rule;
  FieldErrors errors;
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    auto get = [&](const char* key, std::string& out) {
      if (root[key] && root[key].IsScalar() && !root[key].as<std::string>().empty()) {
        out = root[key].as<std::string>();
      } else {
        errors.Add(key, "required");
      }
    };
    get("name", rule.name);
    get("title", rule.title);
    get("legal_basis", rule.legal_basis);
    get("feel", rule.feel);
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("rule: {}", e.what()));
  }
  if (!errors.empty()) return errors.ToError("incomplete rule");
  return rule;
}

Result<std::vector<RegisterRule>> BuiltinRegisterRules() {
  std::vector<RegisterRule> out;
  for (size_t i = 0; i < kRegisterRules_count; ++i) {
    auto rule = ParseRegisterRule(kRegisterRules[i].contents);
    if (!rule.ok()) return std::move(rule).error().Prefix(kRegisterRules[i].path);
    out.push_back(std::move(rule).value());
  }
  return out;
}

}  // namespace tongban::registers
