// 统一社会信用代码 (GB 32100-2015 with amendment No. 1 of 2016): the 18-character code of every
// legal entity and other organisation, which embeds a GB 11714 organisation code.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban {

struct UsccInfo {
  std::string normalized;       // 18 characters, upper case
  char department = '9';        // 登记管理部门代码, position 1
  std::string department_name;  // 工商
  char type = '1';              // 机构类别代码, position 2
  std::string type_name;        // 企业
  std::string region_code;      // positions 3-8: the registering authority's region, or 100000
  std::string region_name;  // 福建省福州市; 中央 for 100000; empty when not in the current list
  std::string organization_code;  // positions 9-17 (GB 11714), its own check last
  // Accepted, but worth telling: a registration region missing from the current list (codes
  // are lifelong, and counties are merged after their organisations were registered).
  std::vector<std::string> warnings;
};

// Validates a USCC. Lower-case letters are normalized to upper case. Refuses, with
// kInvalidArgument and a message naming the fault: a length other than 18, a character outside
// the 31-symbol alphabet (no I O Z S V) at position N, a department/type pair not in the
// standard's table, a region that is not six digits of a known province (or 100000), a wrong
// organisation-code check character (position 17) and a wrong USCC check character (position 18).
Result<UsccInfo> ParseUscc(std::string_view text);

// The USCC check character for 17 characters of the alphabet; '\0' when `first17` is not that.
char UsccCheckCharacter(std::string_view first17);

// The GB 11714 check character ('0'-'9' or 'X') for an organisation code's first 8 characters
// (digits and upper-case letters); '\0' when `first8` is not that.
char OrganizationCodeCheckCharacter(std::string_view first8);

// Completes a USCC from its first 16 characters (department, type, region, the organisation
// code's 8-character body) by computing both check characters, then validates it as ParseUscc
// does. For demo data and tests that need real-looking codes.
Result<std::string> MakeUscc(std::string_view first16);

}  // namespace tongban
