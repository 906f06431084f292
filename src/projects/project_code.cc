// The investment project code: segments checked one by one so the refusal names the segment;
// what cannot be checked from the published sources is reported, not refused.
#include "projects/project_code.h"

#include <fmt/format.h>

#include "base/region.h"

namespace tongban::projects {
namespace {

// The national platform opened in 2015; an earlier year is unusual but not refused (projects
// already under way were given codes too, and the rule for their year was not found).
constexpr int kPlatformYear = 2015;

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

Result<ProjectCode> ParseProjectCode(std::string_view text, int current_year) {
  if (text.size() != 24) {
    return Invalid(fmt::format("length: 24 characters expected (YYYY-RRRRRR-DD-TT-NNNNNN), got {}",
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
  const std::string_view department = text.substr(12, 2);
  const std::string_view type = text.substr(15, 2);
  std::string random(text.substr(18, 6));
  if (!AllDigits(year)) return Invalid("year: 4 digits expected");
  out.year = std::stoi(std::string(year));
  if (out.year > current_year) {
    return Invalid(fmt::format("year: {} is after {}", out.year, current_year));
  }
  if (out.year < kPlatformYear) {
    out.unverified.push_back(
        fmt::format("year: {} is before the national platform opened ({})", year, kPlatformYear));
  }
  if (!AllDigits(region)) return Invalid("region: 6 digits expected");
  if (!LookupRegion(region).ok()) {
    // A code keeps the region it was given in: regions abolished since are not refused.
    out.unverified.push_back(
        fmt::format("region: {} is not in the current GB/T 2260 list", region));
  }
  if (!AllDigits(department)) return Invalid("department: 2 digits expected");
  out.unverified.push_back(fmt::format(
      "department: {} is the central guiding department's code (§4.4); its table was not at "
      "hand, the value is not checked",
      department));
  if (!AllDigits(type)) return Invalid("type: 2 digits expected");
  out.unverified.push_back(fmt::format(
      "type: {} is the project type code (§4.5); its table was not at hand, the value is not "
      "checked",
      type));
  for (char& c : random) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
      return Invalid("random: 6 digits or Latin letters expected");
    }
  }
  out.unverified.emplace_back(
      "check: the check character's algorithm (§4.7) was not found; it is not verified");
  out.normalized = fmt::format("{}-{}-{}-{}-{}", year, region, department, type, random);
  out.region = std::string(region);
  out.department = std::string(department);
  out.type = std::string(type);
  out.random = std::move(random);
  return out;
}

std::string MakeProjectCode(int year, std::string_view region, std::string_view department,
                            std::string_view type, int serial) {
  return fmt::format("{:04d}-{}-{}-{}-{:06d}", year, region, department, type, serial);
}

}  // namespace tongban::projects
