// Licence types (证照类型): the catalogue of what may be issued, each with its field schema in
// the style of GB/T 36902 (电子证照 元数据规范: item name, data type, required, description), the
// departments that may issue it and how long a licence of the type is valid.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban::licences {

enum class FieldType { kString, kDate, kInteger, kNumber, kBoolean };
std::string_view FieldTypeName(FieldType type);

enum class HolderKind { kPerson, kEntity };  // 公民身份号码 | 统一社会信用代码

struct FieldSpec {
  std::string name;  // the key in the licence's data, e.g. "legal_representative"
  FieldType type = FieldType::kString;
  bool required = false;
  std::string description;  // 法定代表人
};

struct LicenceType {
  std::string code;  // GB/T 36904 type code: the defining authority's USCC + 3 digits
  std::string name;  // 营业执照
  HolderKind holder = HolderKind::kPerson;
  std::vector<std::string> issuers;  // department codes that may issue it
  int validity_years = 0;            // 0: long-term (长期)
  std::vector<FieldSpec> fields;
};

// Reads `licence_types:` from YAML text. kInvalidArgument lists every bad entry by path
// ("licence_types/2/fields/0/type").
Result<std::vector<LicenceType>> ParseLicenceTypesYaml(std::string_view text);

nlohmann::json LicenceTypeToJson(const LicenceType& type);
Result<LicenceType> LicenceTypeFromJson(const nlohmann::json& json);

// Checks `data` (a JSON object) against the type's fields: every required field present, each
// value of its type (dates "YYYY-MM-DD"), no field the type does not define. The errors name
// "data.<field>"; all of them are added to `errors`.
void ValidateData(const LicenceType& type, const nlohmann::json& data, FieldErrors& errors);

}  // namespace tongban::licences
