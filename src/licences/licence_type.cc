#include "licences/licence_type.h"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/error.h"
#include "base/licence_id.h"

namespace tongban::licences {
namespace {

constexpr std::pair<FieldType, std::string_view> kFieldTypes[] = {
    {FieldType::kString, "string"},   {FieldType::kDate, "date"},
    {FieldType::kInteger, "integer"}, {FieldType::kNumber, "number"},
    {FieldType::kBoolean, "boolean"},
};

bool ParseFieldType(std::string_view text, FieldType& out) {
  for (const auto& [type, name] : kFieldTypes) {
    if (name == text) {
      out = type;
      return true;
    }
  }
  return false;
}

// Checks a type's own definition; errors are prefixed with `path`.
void ValidateType(const LicenceType& t, const std::string& path, FieldErrors& errors) {
  // A type code is the part of a licence id before the issuer: check it by building one.
  const LicenceIdParts probe{
      .type_code = t.code, .issuer_uscc = "11100000000013338W", .serial = "1", .version = "001"};
  if (!MakeLicenceId(probe).ok()) {
    errors.Add(path + "/code", "must be a GB/T 36904 type code: an authority's USCC + 3 digits");
  }
  if (t.name.empty()) errors.Add(path + "/name", "is required");
  if (t.issuers.empty()) errors.Add(path + "/issuers", "needs at least one department code");
  if (t.validity_years < 0 || t.validity_years > 100) {
    errors.Add(path + "/validity_years", "must be 0 (long-term) to 100");
  }
  for (size_t i = 0; i < t.fields.size(); ++i) {
    const auto& f = t.fields[i];
    const std::string fp = fmt::format("{}/fields/{}", path, i);
    if (f.name.empty()) errors.Add(fp + "/name", "is required");
    for (size_t j = 0; j < i; ++j) {
      if (t.fields[j].name == f.name) errors.Add(fp + "/name", "is a duplicate");
    }
  }
}

}  // namespace

std::string_view FieldTypeName(FieldType type) {
  for (const auto& [t, name] : kFieldTypes) {
    if (t == type) return name;
  }
  return "string";
}

Result<std::vector<LicenceType>> ParseLicenceTypesYaml(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("licence types: {}", e.what()));
  }
  FieldErrors errors;
  std::vector<LicenceType> out;
  const YAML::Node list = root["licence_types"];
  if (!list || !list.IsSequence()) {
    errors.Add("licence_types", "must be a list");
    return errors.ToError("the licence types are invalid");
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = fmt::format("licence_types/{}", i);
    const YAML::Node n = list[i];
    LicenceType t;
    try {
      t.code = n["code"].as<std::string>("");
      t.name = n["name"].as<std::string>("");
      const std::string holder = n["holder"].as<std::string>("person");
      if (holder == "entity") {
        t.holder = HolderKind::kEntity;
      } else if (holder != "person") {
        errors.Add(path + "/holder", "must be person or entity");
      }
      for (const auto& issuer : n["issuers"]) t.issuers.push_back(issuer.as<std::string>());
      t.validity_years = n["validity_years"].as<int>(0);
      const YAML::Node fields = n["fields"];
      for (size_t j = 0; fields && j < fields.size(); ++j) {
        FieldSpec f;
        f.name = fields[j]["name"].as<std::string>("");
        const std::string type = fields[j]["type"].as<std::string>("string");
        if (!ParseFieldType(type, f.type)) {
          errors.Add(fmt::format("{}/fields/{}/type", path, j),
                     "must be string, date, integer, number or boolean");
        }
        f.required = fields[j]["required"].as<bool>(false);
        f.description = fields[j]["description"].as<std::string>("");
        t.fields.push_back(std::move(f));
      }
    } catch (const YAML::Exception& e) {
      errors.Add(path, e.what());
      continue;
    }
    ValidateType(t, path, errors);
    out.push_back(std::move(t));
  }
  if (!errors.empty()) return errors.ToError("the licence types are invalid");
  return out;
}

nlohmann::json LicenceTypeToJson(const LicenceType& t) {
  nlohmann::json fields = nlohmann::json::array();
  for (const auto& f : t.fields) {
    fields.push_back({{"name", f.name},
                      {"type", FieldTypeName(f.type)},
                      {"required", f.required},
                      {"description", f.description}});
  }
  return {{"code", t.code},
          {"name", t.name},
          {"holder", t.holder == HolderKind::kEntity ? "entity" : "person"},
          {"issuers", t.issuers},
          {"validity_years", t.validity_years},
          {"fields", fields}};
}

Result<LicenceType> LicenceTypeFromJson(const nlohmann::json& j) {
  try {
    LicenceType t;
    t.code = j.at("code").get<std::string>();
    t.name = j.at("name").get<std::string>();
    t.holder =
        j.at("holder").get<std::string>() == "entity" ? HolderKind::kEntity : HolderKind::kPerson;
    t.issuers = j.at("issuers").get<std::vector<std::string>>();
    t.validity_years = j.at("validity_years").get<int>();
    for (const auto& f : j.at("fields")) {
      FieldSpec spec;
      spec.name = f.at("name").get<std::string>();
      ParseFieldType(f.at("type").get<std::string>(), spec.type);
      spec.required = f.at("required").get<bool>();
      spec.description = f.at("description").get<std::string>();
      t.fields.push_back(std::move(spec));
    }
    return t;
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorCode::kIntegrity,
                 fmt::format("a stored licence type is malformed: {}", e.what()));
  }
}

void ValidateData(const LicenceType& type, const nlohmann::json& data, FieldErrors& errors) {
  if (!data.is_object()) {
    errors.Add("data", "must be an object of the licence type's fields");
    return;
  }
  for (const auto& f : type.fields) {
    const std::string path = "data." + f.name;
    auto it = data.find(f.name);
    if (it == data.end() || it->is_null()) {
      if (f.required) errors.Add(path, fmt::format("{} is required", f.description));
      continue;
    }
    bool ok = false;
    switch (f.type) {
      case FieldType::kString:
        ok = it->is_string() && !it->get_ref<const std::string&>().empty();
        break;
      case FieldType::kDate:
        ok = it->is_string() && Date::Parse(it->get_ref<const std::string&>()).ok();
        break;
      case FieldType::kInteger:
        ok = it->is_number_integer();
        break;
      case FieldType::kNumber:
        ok = it->is_number();
        break;
      case FieldType::kBoolean:
        ok = it->is_boolean();
        break;
    }
    if (!ok) {
      errors.Add(path, f.type == FieldType::kDate
                           ? std::string("must be a date YYYY-MM-DD")
                           : fmt::format("must be a non-empty {}", FieldTypeName(f.type)));
    }
  }
  for (auto it = data.begin(); it != data.end(); ++it) {
    bool known = false;
    for (const auto& f : type.fields) known = known || f.name == it.key();
    if (!known) errors.Add("data." + it.key(), fmt::format("is not a field of {}", type.name));
  }
}

}  // namespace tongban::licences
