// Field checks shared by the service, the demo loader and the HTTP edge, so an invalid request is
// answered with every bad field at once. Each Check* adds "field: why" to `errors` and returns the
// normalised value (empty when invalid).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "people/model.h"

namespace tongban::people {

// The calendar date in China (UTC+8) at `now_ms`, for validating birth dates.
std::chrono::year_month_day ChinaDate(int64_t now_ms);

// 公民身份号码 through base's ParseIdNumber; returns the 18-character form.
std::string CheckIdNumber(std::string_view value, std::string_view field, int64_t now_ms,
                          FieldErrors& errors);
// 统一社会信用代码 through base's ParseUscc; returns the upper-case form.
std::string CheckUscc(std::string_view value, std::string_view field, FieldErrors& errors);
// A mainland mobile number: 11 digits starting 13-19.
std::string CheckPhone(std::string_view value, std::string_view field, FieldErrors& errors);
// A person's or organisation's name: 1 to `max_chars` characters, no control characters, no
// leading or trailing spaces.
std::string CheckName(std::string_view value, std::string_view field, size_t max_chars,
                      FieldErrors& errors);
// A staff username: 3-64 of a-z 0-9 . _ -, starting with a letter or digit.
std::string CheckUsername(std::string_view value, std::string_view field, FieldErrors& errors);
// A one-time code: exactly 6 digits.
std::string CheckCode(std::string_view value, std::string_view field, FieldErrors& errors);
// A region code in the region list (villages need only the right shape), in canonical form;
// "*" too when `allow_any`.
std::string CheckRegion(std::string_view value, std::string_view field, bool allow_any,
                        FieldErrors& errors);
// A department code (1-64 of A-Z a-z 0-9 . _ -); "*" too when `allow_any`.
std::string CheckDepartment(std::string_view value, std::string_view field, bool allow_any,
                            FieldErrors& errors);
// A matter code (1-64 of A-Z a-z 0-9 . _ -).
std::string CheckMatter(std::string_view value, std::string_view field, FieldErrors& errors);
// A new password against PasswordPolicyViolation.
void CheckPassword(std::string_view value, std::string_view field, FieldErrors& errors);
// A scope's fields ("scope/region", "scope/department", "scope/matters/2", "scope/valid_until"),
// normalising region codes in place.
void CheckScope(Scope& scope, std::string_view path, FieldErrors& errors);

// The region code embedded in a USCC (positions 3-8).
std::string UsccRegion(std::string_view uscc);

}  // namespace tongban::people
