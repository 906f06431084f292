// GB 11643-1999: 6-digit region of first issue, 8-digit birth date, 3-digit sequence (odd for
// men), and a check character by ISO 7064 MOD 11-2.
#include "base/id_number.h"

#include <fmt/format.h>

#include "base/code_text.h"
#include "base/region.h"
#include "base/utf8.h"

namespace tongban {
namespace {

using code_text::At;
using code_text::IsDigit;

constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr std::string_view kCheckCharacters = "10X98765432";
// Nobody alive was born earlier; such a year is a typing error, not a person.
constexpr int kEarliestBirthYear = 1850;

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, "ID number: " + std::move(message));
}

int Number(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

Result<std::chrono::year_month_day> BirthDate(std::string_view yyyymmdd,
                                              std::chrono::year_month_day today) {
  using namespace std::chrono;
  const int y = Number(yyyymmdd.substr(0, 4));
  const int m = Number(yyyymmdd.substr(4, 2));
  const int d = Number(yyyymmdd.substr(6, 2));
  if (y < kEarliestBirthYear) {
    return Invalid(fmt::format("birth year {} is before {}", y, kEarliestBirthYear));
  }
  if (m < 1 || m > 12)
    return Invalid(fmt::format("birth date {}: month {} does not exist", yyyymmdd, m));
  const year_month_day date{year{y}, month{static_cast<unsigned>(m)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok()) {
    const year_month_day_last last{year{y}, month_day_last{month{static_cast<unsigned>(m)}}};
    std::string why = fmt::format("birth date {}: day {} does not exist, {:04}-{:02} has {} days",
                                  yyyymmdd, d, y, m, static_cast<unsigned>(last.day()));
    if (m == 2 && d == 29) why += fmt::format(" ({} is not a leap year)", y);
    return Invalid(std::move(why));
  }
  if (sys_days(date) > sys_days(today)) {
    return Invalid(fmt::format("birth date {:04}-{:02}-{:02} is in the future", y, m, d));
  }
  return date;
}

}  // namespace

std::string_view SexName(Sex sex) { return sex == Sex::kFemale ? "female" : "male"; }

char IdNumberCheckCharacter(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    if (!IsDigit(first17[i])) return '\0';
    sum += (first17[i] - '0') * kWeights[i];
  }
  return kCheckCharacters[static_cast<size_t>(sum % 11)];
}

Result<IdNumberInfo> ParseIdNumber(std::string_view text, std::chrono::year_month_day today) {
  const size_t length = utf8::CodePointCount(text);
  if (length != 18 && length != 15) {
    return Invalid(fmt::format("must have 18 characters (or 15 digits), got {}", length));
  }
  IdNumberInfo info;
  // Characters are checked before the length in bytes, so a full-width digit is named as such.
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (IsDigit(c)) continue;
    if (length == 18 && i == 17 && (c == 'X' || c == 'x')) continue;
    return Invalid(fmt::format(
        "{} {}", At(text, i), length == 18 && i == 17 ? "must be a digit or X" : "is not a digit"));
  }
  if (length == 15) {
    // The old form: YYMMDD in the 20th century, no check character.
    std::string first17 = fmt::format("{}19{}", text.substr(0, 6), text.substr(6));
    info.normalized = first17 + IdNumberCheckCharacter(first17);
    info.converted_from_15_digits = true;
  } else {
    info.normalized = std::string(text);
    if (info.normalized[17] == 'x') info.normalized[17] = 'X';
    const char expected = IdNumberCheckCharacter(std::string_view(info.normalized).substr(0, 17));
    if (info.normalized[17] != expected) {
      return Invalid(
          fmt::format("check character expected {}, got {}", expected, info.normalized[17]));
    }
  }
  const std::string_view id = info.normalized;
  TB_ASSIGN_OR_RETURN(info.birth_date, BirthDate(id.substr(6, 8), today));
  info.sex = (id[16] - '0') % 2 == 1 ? Sex::kMale : Sex::kFemale;

  info.region_code = std::string(id.substr(0, 6));
  const std::string_view province = id.substr(0, 2);
  if (province == "83") {
    // 台湾居民居住证 use 830000; GB/T 2260 has no province 83.
    if (info.region_code != "830000") {
      info.warnings.push_back(fmt::format(
          "region code {} is not 830000, the code of Taiwan residents' residence permits",
          info.region_code));
    } else {
      info.region_name = "台湾居民居住证";
    }
    return info;
  }
  if (!IsValidProvinceCode(province)) return Invalid(fmt::format("unknown province {}", province));
  auto region = LookupRegion(info.region_code);
  if (region.ok()) {
    info.region_name = std::move(region->full_name);
  } else {
    info.warnings.push_back(fmt::format(
        "region code {} is not in the current GB/T 2260 list; ID numbers keep the code of their "
        "first issue, so it may be an abolished code",
        info.region_code));
  }
  return info;
}

Result<IdNumberInfo> ParseIdNumber(std::string_view text) {
  using namespace std::chrono;
  const auto china_now = system_clock::now() + hours(8);
  return ParseIdNumber(text, year_month_day(floor<days>(china_now)));
}

std::string MaskIdNumber(std::string_view id_number) {
  if (id_number.size() <= 8) return std::string(id_number.size(), '*');
  return std::string(id_number.substr(0, 4)) + std::string(id_number.size() - 8, '*') +
         std::string(id_number.substr(id_number.size() - 4));
}

}  // namespace tongban
