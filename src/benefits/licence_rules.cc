#include "benefits/licence_rules.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tongban::benefits {
namespace {

struct TypeInfo {
  std::string code;
  std::string holder;                         // person | entity
  std::map<std::string, std::string> fields;  // data field -> string|date|integer|number|boolean
};

// The licence type named `type` (its name or code). kInvalidArgument naming "eligibility".
Result<TypeInfo> FindType(soci::session& sql, const std::string& type) {
  std::string code, definition;
  std::string name = type;
  soci::indicator ind = soci::i_ok;
  sql << "SELECT code, definition FROM licence_type WHERE code = :a OR name = :b ORDER BY code",
      soci::use(name, "a"), soci::use(name, "b"), soci::into(code), soci::into(definition, ind);
  if (!sql.got_data()) {
    return Error(ErrorCode::kInvalidArgument, "unknown licence type",
                 {{"eligibility", fmt::format("no licence type {}", type)}});
  }
  TypeInfo info;
  info.code = code;
  const nlohmann::json d = nlohmann::json::parse(definition, nullptr, false);
  info.holder = d.is_object() ? d.value("holder", "person") : "person";
  if (d.is_object() && d.contains("fields") && d["fields"].is_array()) {
    for (const auto& f : d["fields"]) {
      if (f.is_object()) info.fields[f.value("name", "")] = f.value("type", "string");
    }
  }
  return info;
}

feel::ColumnType TypeOf(const std::string& field, const TypeInfo& info) {
  if (field.empty()) return feel::ColumnType::kBoolean;
  if (field == "valid_from" || field == "valid_until") return feel::ColumnType::kDate;
  const std::string& t = info.fields.at(field);
  if (t == "integer" || t == "number") return feel::ColumnType::kNumber;
  if (t == "date") return feel::ColumnType::kDate;
  if (t == "boolean") return feel::ColumnType::kBoolean;
  return feel::ColumnType::kString;
}

// Copies one cell of `from` into the builder's column `to` (same type).
void CopyCell(const feel::Register& from, size_t column, size_t row, feel::RegisterBuilder& b,
              size_t to) {
  const feel::Value v = from.Cell(column, row);
  if (v.is_null()) return;
  switch (from.columns()[column].spec.type) {
    case feel::ColumnType::kNumber:
      b.SetNumber(to, v.number().ToInt64().value_or(0));
      break;
    case feel::ColumnType::kString:
      b.SetString(to, v.string());
      break;
    case feel::ColumnType::kBoolean:
      b.SetBoolean(to, v.boolean());
      break;
    case feel::ColumnType::kDate:
      b.SetDate(to, v.date());
      break;
  }
}

}  // namespace

void LicenceRule::Merge(const LicenceRule& other) {
  for (const auto& r : other.refs) {
    bool known = false;
    for (const auto& mine : refs) known = known || mine.column == r.column;
    if (!known) refs.push_back(r);
  }
}

LicenceRule RewriteLicenceRefs(std::string_view rule) {
  static const std::regex kRef(
      R"re(licence\(\s*"([^"]+)"\s*\)(\s*\.\s*([A-Za-z_][A-Za-z0-9_]*))?)re");
  LicenceRule out;
  const std::string text(rule);
  size_t last = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kRef); it != std::sregex_iterator();
       ++it) {
    const std::smatch& m = *it;
    const std::string type = m[1].str();
    const std::string field = m[3].matched ? m[3].str() : "";
    // Named by a hash of the type, so that two rules (a what-if's) name a type alike.
    uint32_t h = 2166136261U;
    for (unsigned char ch : type) h = (h ^ ch) * 16777619U;
    const std::string column = field.empty() ? fmt::format("licence_{:08x}", h)
                                             : fmt::format("licence_{:08x}_{}", h, field);
    out.rule.append(text, last, static_cast<size_t>(m.position(0)) - last);
    out.rule += column;
    last = static_cast<size_t>(m.position(0) + m.length(0));
    bool known = false;
    for (const auto& r : out.refs) known = known || r.column == column;
    if (!known) out.refs.push_back({type, field, column, m.str(0)});
  }
  out.rule.append(text, last);
  return out;
}

void DeclareLicenceColumns(const LicenceRule& rule, feel::Scope& scope) {
  for (const auto& r : rule.refs) scope.Declare(r.column);
}

Status CheckLicenceRefs(store::Database& db, const LicenceRule& rule, Subject subject) {
  if (rule.refs.empty()) return Ok();
  FieldErrors errors;
  Status read = db.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    for (const auto& r : rule.refs) {
      auto info = FindType(sql, r.type);
      if (!info.ok()) {
        errors.Add("eligibility", fmt::format("{}: no licence type {}", r.text, r.type));
        continue;
      }
      if (info->holder != (subject == Subject::kEntity ? "entity" : "person")) {
        errors.Add("eligibility", fmt::format("{}: a {} is held by an {}", r.text, r.type,
                                              info->holder == "entity" ? "enterprise" : "person"));
      }
      if (!r.field.empty() && r.field != "valid_from" && r.field != "valid_until" &&
          !info->fields.contains(r.field)) {
        errors.Add("eligibility", fmt::format("{}: a {} has no field {}", r.text, r.type, r.field));
      }
    }
    return Ok();
  });
  if (!read.ok()) {
    return Error(ErrorCode::kInvalidArgument, "licences are not available here",
                 {{"eligibility", "this installation holds no licence register"}});
  }
  if (!errors.empty()) return errors.ToError("the rule reads licences that do not exist");
  return Ok();
}

Result<registers::PersonColumns> WithLicenceColumns(registers::Registers& registers,
                                                    registers::PersonColumns cols,
                                                    const LicenceRule& rule, Subject subject,
                                                    Date reference) {
  if (rule.refs.empty()) return cols;
  const size_t n = cols.person_ids.size();
  // Per reference, each row's value (null when the row holds no valid licence of the type).
  std::vector<std::vector<feel::Value>> values(rule.refs.size(),
                                               std::vector<feel::Value>(n, feel::Value()));
  std::vector<feel::ColumnType> types(rule.refs.size(), feel::ColumnType::kBoolean);
  TB_RETURN_IF_ERROR(
      registers.db().Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
        // The rows by the key a licence names: the ID number's blind index, or the USCC.
        std::unordered_map<std::string, size_t> row_of;
        if (subject == Subject::kEntity) {
          for (size_t i = 0; i < n; ++i) row_of.emplace(cols.person_ids[i], i);
        } else {
          std::unordered_map<std::string, size_t> by_id;
          for (size_t i = 0; i < n; ++i) by_id.emplace(cols.person_ids[i], i);
          std::string id, idx;
          store::ExecuteRows(
              sql, "SELECT id, id_number_index FROM person",
              [&] {
                if (auto it = by_id.find(id); it != by_id.end()) row_of.emplace(idx, it->second);
              },
              soci::into(id), soci::into(idx));
        }
        std::map<std::string, TypeInfo> infos;
        for (size_t k = 0; k < rule.refs.size(); ++k) {
          const LicenceRef& ref = rule.refs[k];
          if (!infos.contains(ref.type)) {
            TB_ASSIGN_OR_RETURN(TypeInfo info, FindType(sql, ref.type));
            infos.emplace(ref.type, std::move(info));
          }
          const TypeInfo& info = infos.at(ref.type);
          if (!ref.field.empty() && ref.field != "valid_from" && ref.field != "valid_until" &&
              !info.fields.contains(ref.field)) {
            return Error(
                ErrorCode::kInvalidArgument, "unknown licence field",
                {{"eligibility", fmt::format("a {} has no field {}", ref.type, ref.field)}});
          }
          types[k] = TypeOf(ref.field, info);
          if (ref.field.empty())
            std::fill(values[k].begin(), values[k].end(), feel::Value::Boolean(false));
          std::string holder, document;
          std::string code = info.code;
          store::ExecuteRows(
              sql,
              "SELECT holder_id, document FROM licence WHERE type_code = :code AND status = "
              "'valid' ORDER BY id",
              [&] {
                const std::string key = subject == Subject::kEntity
                                            ? holder
                                            : registers.cipher().Index("id_number", holder);
                auto row = row_of.find(key);
                if (row == row_of.end()) return;
                const nlohmann::json d = nlohmann::json::parse(document, nullptr, false);
                if (!d.is_object()) return;
                auto from = Date::Parse(d.value("valid_from", ""));
                if (!from.ok() || reference < *from) return;
                std::optional<Date> until;
                if (d.contains("valid_until") && d["valid_until"].is_string()) {
                  auto u = Date::Parse(d["valid_until"].get<std::string>());
                  if (!u.ok() || *u < reference) return;
                  until = *u;
                }
                feel::Value& v = values[k][row->second];
                if (ref.field.empty()) {
                  v = feel::Value::Boolean(true);
                } else if (ref.field == "valid_from") {
                  v = feel::Value::FromDate(feel::Date::FromDays(from->days()));
                } else if (ref.field == "valid_until") {
                  v = until ? feel::Value::FromDate(feel::Date::FromDays(until->days()))
                            : feel::Value();
                } else {
                  const nlohmann::json& data = d.contains("data") ? d["data"] : nlohmann::json();
                  if (!data.is_object() || !data.contains(ref.field)) return;
                  const nlohmann::json& x = data[ref.field];
                  if (types[k] == feel::ColumnType::kNumber && x.is_number_integer()) {
                    v = feel::Value::Number(x.get<int64_t>());
                  } else if (types[k] == feel::ColumnType::kBoolean && x.is_boolean()) {
                    v = feel::Value::Boolean(x.get<bool>());
                  } else if (types[k] == feel::ColumnType::kDate && x.is_string()) {
                    if (auto dt = Date::Parse(x.get<std::string>()); dt.ok()) {
                      v = feel::Value::FromDate(feel::Date::FromDays(dt->days()));
                    }
                  } else if (types[k] == feel::ColumnType::kString && x.is_string()) {
                    v = feel::Value::String(x.get<std::string>());
                  }
                }
              },
              soci::use(code, "code"), soci::into(holder), soci::into(document));
        }
        return Ok();
      }));
  std::vector<feel::ColumnSpec> specs;
  for (const auto& c : cols.reg.columns()) specs.push_back(c.spec);
  for (size_t k = 0; k < rule.refs.size(); ++k) {
    specs.push_back({rule.refs[k].column, types[k], 0});
  }
  const size_t base = cols.reg.columns().size();
  feel::RegisterBuilder b(specs);
  for (size_t row = 0; row < n; ++row) {
    b.AddRow();
    for (size_t c = 0; c < base; ++c) CopyCell(cols.reg, c, row, b, c);
    for (size_t k = 0; k < rule.refs.size(); ++k) {
      const feel::Value& v = values[k][row];
      if (v.is_null()) continue;
      switch (types[k]) {
        case feel::ColumnType::kNumber:
          b.SetNumber(base + k, v.number().ToInt64().value_or(0));
          break;
        case feel::ColumnType::kString:
          b.SetString(base + k, v.string());
          break;
        case feel::ColumnType::kBoolean:
          b.SetBoolean(base + k, v.boolean());
          break;
        case feel::ColumnType::kDate:
          b.SetDate(base + k, v.date());
          break;
      }
    }
  }
  cols.reg = std::move(b).Build();
  return cols;
}

std::string NameLicenceColumns(std::string text, const LicenceRule& rule) {
  // Longest columns first: a field's column before the type's.
  std::vector<const LicenceRef*> refs;
  refs.reserve(rule.refs.size());
  for (const auto& r : rule.refs) refs.push_back(&r);
  std::sort(refs.begin(), refs.end(), [](const LicenceRef* a, const LicenceRef* b) {
    return a->column.size() > b->column.size();
  });
  for (const LicenceRef* r : refs) {
    for (size_t at = text.find(r->column); at != std::string::npos;
         at = text.find(r->column, at + r->text.size())) {
      text.replace(at, r->column.size(), r->text);
    }
  }
  return text;
}

}  // namespace tongban::benefits
