// The investment project code (投资项目统一代码) that the national investment-project online
// approval and supervision platform (全国投资项目在线审批监管平台) gives a project before its
// first approval; every approval of the project's stages carries it.
//
// Layout, 24 characters with hyphens: YYYY-RRRRRR-II-TT-SSSSSC
//   YYYY    the year the code was given (2015, when the platform opened, … the caller's year)
//   RRRRRR  the GB/T 2260 region of the platform that gave it
//   II      the industry: a GB/T 4754 division (国民经济行业大类, 01 … 97)
//   TT      the approval kind: 01 审批 (government investment), 02 核准, 03 备案
//   SSSSS   the serial number within year and region
//   C       the check character: ISO 7064 MOD 11-2 over the 19 digits before it (0-9 or X)
// The check character follows the project's reading of the platform's rule (see
// docs/projects.md); codes from before the check character (a 6-digit serial) are refused.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace tongban::projects {

enum class ApprovalKind { kApproval, kVerification, kFiling };  // 审批, 核准, 备案

struct ProjectCode {
  std::string normalized;  // 24 characters, upper-case X
  int year = 0;
  std::string region;    // 6 digits
  std::string industry;  // 2 digits
  ApprovalKind kind = ApprovalKind::kApproval;
  std::string serial;  // 5 digits
};

// Parses and checks a project code. `current_year` bounds the year segment. On error,
// kInvalidArgument with the field "project_code" and a message naming the segment at fault
// ("year", "region", "industry", "type", "serial", "check"), e.g.
// "check: check character expected 7, got 3".
Result<ProjectCode> ParseProjectCode(std::string_view text, int current_year);

// The check character for the 19 digits of a code (hyphens removed, check omitted); '\0' when
// `digits19` is not 19 digits.
char ProjectCodeCheckCharacter(std::string_view digits19);

// A well-formed code from its parts (for the demo and tests): `serial` is 0 … 99999.
std::string MakeProjectCode(int year, std::string_view region, std::string_view industry,
                            ApprovalKind kind, int serial);

}  // namespace tongban::projects
