// 公民身份号码 (GB 11643-1999): the 18-character person number with its ISO 7064 MOD 11-2 check
// character, and the old 15-digit form it replaced.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban {

enum class Sex { kMale, kFemale };

// "male" / "female", as JSON and SQL spell it.
std::string_view SexName(Sex sex);

struct IdNumberInfo {
  std::string normalized;  // 18 characters, check character X in upper case
  std::chrono::year_month_day birth_date;
  Sex sex = Sex::kMale;     // the 17th character: odd for men, even for women
  std::string region_code;  // the 6 digits of first issue
  // The region's full name when the code is in the current list (湖南省永州市新田县), else empty.
  std::string region_name;
  bool converted_from_15_digits = false;
  // Accepted, but worth telling: a region code missing from the current list (ID numbers keep
  // the code of their first issue, so abolished codes such as 零陵地区 4329xx are legitimate).
  std::vector<std::string> warnings;
};

// Validates an ID number as of `today` (the caller's date in China; services pass their
// injectable clock's date so tests are deterministic). Accepts 18 characters (lower-case x as
// the check character is normalized to X) or the old 15-digit form (birth year 19YY, no check
// character), whose 18-digit form is computed. Refuses, with kInvalidArgument and a message
// naming the fault: a wrong length, a non-digit at position N, a wrong check character
// ("expected X, got 1"), a birth date that is not a real date or lies after `today`, and an
// unknown province. 810000/820000/830000 (Hong Kong, Macao, Taiwan residence permits) are valid.
Result<IdNumberInfo> ParseIdNumber(std::string_view text, std::chrono::year_month_day today);

// The same, with today's date in China (UTC+8) from the system clock: for the command line and
// other edges only; services pass their clock's date.
Result<IdNumberInfo> ParseIdNumber(std::string_view text);

// The check character ('0'-'9' or 'X') for 17 digits; '\0' when `first17` is not 17 digits.
char IdNumberCheckCharacter(std::string_view first17);

// 4301**********1234: the first 4 and last 4 characters kept, as lists, logs and the trace show
// an ID number (8 characters or fewer: all masked).
std::string MaskIdNumber(std::string_view id_number);

}  // namespace tongban
