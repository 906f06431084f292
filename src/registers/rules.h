// Eligibility rules written in FEEL over the person register (data/rules/*.yaml, compiled into
// the binary): the two disability subsidies of 国发〔2015〕52号 are the demo's real rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban::registers {

struct RegisterRule {
  std::string name;         // disability_living_subsidy
  std::string title;        // 困难残疾人生活补贴
  std::string legal_basis;  // the document and the words the rule encodes
  std::string feel;         // a boolean FEEL expression over the names of columns.h
};

// Parses one rule file; kInvalidArgument naming each missing key.
Result<RegisterRule> ParseRegisterRule(std::string_view yaml);
// The rules shipped in data/rules/, by name.
Result<std::vector<RegisterRule>> BuiltinRegisterRules();

}  // namespace tongban::registers
