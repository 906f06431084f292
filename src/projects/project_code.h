// The investment project code (投资项目统一代码, GB/T 40058-2021 《全国固定资产投资项目代码编码
// 规范》) that the national investment-project online approval and supervision platform
// (全国投资项目在线审批监管平台) gives a project before its first approval; every approval of the
// project's stages carries it.
//
// Layout, 24 characters with hyphens: YYYY-RRRRRR-DD-TT-NNNNNN
//   YYYY    时间代码 (§4.2): the year the code was given
//   RRRRRR  地区代码 (§4.3): the GB/T 2260 region of the platform that gave it
//   DD      中央业务指导部门代码 (§4.4): the central department guiding the business
//   TT      项目类型代码 (§4.5): the project type (by content and secrecy, term 3.4)
//   NNNNNN  随机码 (§4.6) and 校验码 (§4.7); before the 2020 rules a 6-digit serial
// Only what the published sources establish is refused (docs/projects.md, "The project code"):
// the layout, digits where digits are certain, a year not after today's. The values of DD and
// TT and the check character's algorithm (the standard's §4.4–4.7 text was not found) are
// reported as unverified, never refused: a guessed check would refuse codes the platform gave.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban::projects {

struct ProjectCode {
  std::string normalized;  // 24 characters, Latin letters upper-case
  int year = 0;
  std::string region;      // 6 digits
  std::string department;  // 2 digits (§4.4), value not checked
  std::string type;        // 2 digits (§4.5), value not checked
  std::string random;      // the last 6 characters: random code and check character
  // What the code claims that was not verified, one sentence each ("check: …").
  std::vector<std::string> unverified;
};

// Parses and checks a project code. `current_year` bounds the year segment. On error,
// kInvalidArgument with the field "project_code" and a message naming the segment at fault
// ("length", "format", "year", "region", "department", "type", "random"), e.g.
// "year: 2030 is after 2026".
Result<ProjectCode> ParseProjectCode(std::string_view text, int current_year);

// A well-formed code from its parts (for the demo and tests): `serial` is 0 … 999999 and fills
// the last segment.
std::string MakeProjectCode(int year, std::string_view region, std::string_view department,
                            std::string_view type, int serial);

}  // namespace tongban::projects
