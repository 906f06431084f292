#include "people/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "base/id_number.h"
#include "base/region.h"
#include "base/uscc.h"
#include "base/utf8.h"
#include "people/clock.h"
#include "people/password.h"

namespace tongban::people {
namespace {

std::string Field(std::string_view path, std::string_view name) {
  return path.empty() ? std::string(name) : fmt::format("{}/{}", path, name);
}

bool IsCodeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

bool IsCode(std::string_view v) {
  return !v.empty() && v.size() <= 64 && std::all_of(v.begin(), v.end(), IsCodeChar);
}

// Counts UTF-8 code points; false when the text is not valid UTF-8 or has control characters.
bool CountChars(std::string_view s, size_t& count) {
  count = 0;
  for (size_t i = 0; i < s.size();) {
    const utf8::Decoded d = utf8::Decode(s, i);
    if (!d.valid || d.code_point < 0x20 || d.code_point == 0x7F) return false;
    i += d.length;
    ++count;
  }
  return true;
}

}  // namespace

std::chrono::year_month_day ChinaDate(int64_t now_ms) {
  const auto days =
      std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>(
          std::chrono::milliseconds(now_ms + 8 * kHourMs)));
  return std::chrono::year_month_day{days};
}

std::string CheckIdNumber(std::string_view value, std::string_view field, int64_t now_ms,
                          FieldErrors& errors) {
  if (value.empty()) {
    errors.Add(std::string(field), "is required");
    return "";
  }
  auto parsed = ParseIdNumber(value, ChinaDate(now_ms));
  if (!parsed.ok()) {
    errors.Add(std::string(field), parsed.error().message());
    return "";
  }
  return parsed->normalized;
}

std::string CheckUscc(std::string_view value, std::string_view field, FieldErrors& errors) {
  if (value.empty()) {
    errors.Add(std::string(field), "is required");
    return "";
  }
  auto parsed = ParseUscc(value);
  if (!parsed.ok()) {
    errors.Add(std::string(field), parsed.error().message());
    return "";
  }
  return parsed->normalized;
}

std::string CheckPhone(std::string_view value, std::string_view field, FieldErrors& errors) {
  const bool ok =
      value.size() == 11 && value[0] == '1' && value[1] >= '3' && value[1] <= '9' &&
      std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!ok) {
    errors.Add(std::string(field), "must be a mainland mobile number: 11 digits starting 13-19");
    return "";
  }
  return std::string(value);
}

std::string CheckName(std::string_view value, std::string_view field, size_t max_chars,
                      FieldErrors& errors) {
  size_t count = 0;
  if (value.empty()) {
    errors.Add(std::string(field), "is required");
    return "";
  }
  if (!CountChars(value, count)) {
    errors.Add(std::string(field), "must be text without control characters");
    return "";
  }
  if (count > max_chars) {
    errors.Add(std::string(field), fmt::format("must be at most {} characters", max_chars));
    return "";
  }
  if (value.front() == ' ' || value.back() == ' ') {
    errors.Add(std::string(field), "must not begin or end with a space");
    return "";
  }
  return std::string(value);
}

std::string CheckUsername(std::string_view value, std::string_view field, FieldErrors& errors) {
  const bool ok =
      value.size() >= 3 && value.size() <= 64 &&
      std::isalnum(static_cast<unsigned char>(value[0])) &&
      std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
      });
  if (!ok) {
    errors.Add(std::string(field),
               "must be 3-64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or "
               "digit");
    return "";
  }
  return std::string(value);
}

std::string CheckCode(std::string_view value, std::string_view field, FieldErrors& errors) {
  if (value.size() != 6 ||
      !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    errors.Add(std::string(field), "must be the 6 digits sent by SMS");
    return "";
  }
  return std::string(value);
}

std::string CheckRegion(std::string_view value, std::string_view field, bool allow_any,
                        FieldErrors& errors) {
  if (allow_any && value == Scope::kAny) return std::string(value);
  if (value.empty()) {
    errors.Add(std::string(field),
               allow_any ? "is required (a region code or \"*\")" : "is required");
    return "";
  }
  auto code = ParseRegionCode(value);
  if (!code.ok()) {
    errors.Add(std::string(field), code.error().message());
    return "";
  }
  if (code->level != RegionLevel::kVillage) {
    auto found = LookupRegion(code->code);
    if (!found.ok()) {
      errors.Add(std::string(field), fmt::format("{} is not in the region list", code->code));
      return "";
    }
  }
  return code->code;
}

std::string CheckDepartment(std::string_view value, std::string_view field, bool allow_any,
                            FieldErrors& errors) {
  if (allow_any && value == Scope::kAny) return std::string(value);
  if (!IsCode(value)) {
    errors.Add(std::string(field),
               fmt::format("must be a department code (1-64 of A-Z, a-z, 0-9, '.', '_', '-'){}",
                           allow_any ? " or \"*\"" : ""));
    return "";
  }
  return std::string(value);
}

std::string CheckMatter(std::string_view value, std::string_view field, FieldErrors& errors) {
  if (!IsCode(value)) {
    errors.Add(std::string(field), "must be a matter code (1-64 of A-Z, a-z, 0-9, '.', '_', '-')");
    return "";
  }
  return std::string(value);
}

void CheckPassword(std::string_view value, std::string_view field, FieldErrors& errors) {
  const std::string why = PasswordPolicyViolation(value);
  if (!why.empty()) errors.Add(std::string(field), why);
}

void CheckScope(Scope& scope, std::string_view path, FieldErrors& errors) {
  scope.region = CheckRegion(scope.region, Field(path, "region"), true, errors);
  scope.department = CheckDepartment(scope.department, Field(path, "department"), true, errors);
  for (size_t i = 0; i < scope.matters.size(); ++i) {
    CheckMatter(scope.matters[i], Field(path, fmt::format("matters/{}", i)), errors);
  }
  if (scope.valid_until && *scope.valid_until <= scope.valid_from) {
    errors.Add(Field(path, "valid_until"), "must be after valid_from");
  }
}

std::string UsccRegion(std::string_view uscc) {
  return uscc.size() >= 8 ? std::string(uscc.substr(2, 6)) : "";
}

}  // namespace tongban::people
