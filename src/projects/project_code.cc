// The investment project code: segments checked one by one so the refusal names the segment.
#include "projects/project_code.h"

#include <fmt/format.h>

#include "base/region.h"

namespace tongban::projects {
namespace {

constexpr int kFirstYear = 2015;  // the national platform opened in 2015
constexpr int kWeights[19] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2, 1, 6};
constexpr char kCheck[] = "10X98765432";

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("project code: {}", message),
               {{"project_code", message}});
}

}  // namespace

char ProjectCodeCheckCharacter(std::string_view digits19) {
  if (digits19.size() != 19 || !AllDigits(digits19)) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 19; ++i) sum += (digits19[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

Result<ProjectCode> ParseProjectCode(std::string_view text, int current_year) {
  if (text.size() != 24) {
    return Invalid(fmt::format("length: 24 characters expected (YYYY-RRRRRR-II-TT-SSSSSC), got {}",
                               text.size()));
  }
  for (size_t pos : {4U, 11U, 14U, 17U}) {
    if (text[pos] != '-') {
      return Invalid(fmt::format("format: a hyphen expected at position {}", pos + 1));
    }
  }
  ProjectCode out;
  const std::string_view year = text.substr(0, 4);
  const std::string_view region = text.substr(5, 6);
  const std::string_view industry = text.substr(12, 2);
  const std::string_view type = text.substr(15, 2);
  const std::string_view serial = text.substr(18, 5);
  const char check = text[23] == 'x' ? 'X' : text[23];
  if (!AllDigits(year)) return Invalid("year: 4 digits expected");
  out.year = std::stoi(std::string(year));
  if (out.year < kFirstYear || out.year > current_year) {
    return Invalid(fmt::format("year: {} is outside {} … {}", out.year, kFirstYear, current_year));
  }
  if (!AllDigits(region)) return Invalid("region: 6 digits expected");
  if (!LookupRegion(region).ok()) {
    return Invalid(fmt::format("region: {} is not a GB/T 2260 region code", region));
  }
  if (!AllDigits(industry)) return Invalid("industry: 2 digits expected");
  const int division = std::stoi(std::string(industry));
  if (division < 1 || division > 97) {
    return Invalid(fmt::format("industry: {} is not a GB/T 4754 division (01 … 97)", industry));
  }
  if (type == "01") {
    out.kind = ApprovalKind::kApproval;
  } else if (type == "02") {
    out.kind = ApprovalKind::kVerification;
  } else if (type == "03") {
    out.kind = ApprovalKind::kFiling;
  } else {
    return Invalid(fmt::format("type: {} is not 01 (审批), 02 (核准) or 03 (备案)", type));
  }
  if (!AllDigits(serial)) return Invalid("serial: 5 digits expected");
  std::string digits;
  digits.append(year).append(region).append(industry).append(type).append(serial);
  const char expected = ProjectCodeCheckCharacter(digits);
  if (check != expected) {
    return Invalid(fmt::format("check: check character expected {}, got {}", expected, text[23]));
  }
  out.normalized = std::string(text.substr(0, 23)) + check;
  out.region = std::string(region);
  out.industry = std::string(industry);
  out.serial = std::string(serial);
  return out;
}

std::string MakeProjectCode(int year, std::string_view region, std::string_view industry,
                            ApprovalKind kind, int serial) {
  const char* type = kind == ApprovalKind::kApproval       ? "01"
                     : kind == ApprovalKind::kVerification ? "02"
                                                           : "03";
  const std::string serial5 = fmt::format("{:05d}", serial);
  const std::string digits = fmt::format("{:04d}{}{}{}{}", year, region, industry, type, serial5);
  return fmt::format("{:04d}-{}-{}-{}-{}{}", year, region, industry, type, serial5,
                     ProjectCodeCheckCharacter(digits));
}

}  // namespace tongban::projects
