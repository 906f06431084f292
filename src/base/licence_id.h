// E-licence identifiers (GB/T 36904-2018 电子证照标识):
//   1.2.156.3005.2.<type>.<issuer USCC>.<serial>.<version>.<check>
// <type> is the licence type code: the defining authority's USCC and 3 digits; <serial> 1-20
// characters 0-9A-Z; <version> 3 digits; <check> ISO 7064 MOD 37,36 over type, issuer, serial
// and version concatenated without the root and the dots.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban {

// The fixed object-identifier root of every e-licence identifier.
inline constexpr std::string_view kLicenceIdRoot = "1.2.156.3005.2";

struct LicenceIdInfo {
  std::string normalized;           // upper case, as issued
  std::string type_code;            // 21 characters
  std::string type_authority_uscc;  // the first 18 characters of type_code
  std::string type_number;          // its last 3 digits
  std::string issuer_uscc;
  std::string serial;
  std::string version;  // 3 digits
  char check = '0';
  // Warnings of the embedded USCCs (a registration region not in the current list).
  std::vector<std::string> warnings;
};

// Validates an identifier. Lower-case letters are normalized to upper case. Both embedded USCCs
// must pass ParseUscc in full (their own check characters included: every published example
// does). Refuses, with kInvalidArgument and a message naming the part at fault: a wrong root,
// a wrong number of parts, a bad type code, issuer, serial or version, and a wrong check
// character ("expected U, got 7").
Result<LicenceIdInfo> ParseLicenceId(std::string_view text);

struct LicenceIdParts {
  std::string_view type_code;    // authority USCC + 3 digits
  std::string_view issuer_uscc;  // the issuing department
  std::string_view serial;       // 1-20 characters 0-9A-Z
  std::string_view version;      // 3 digits
};

// Builds the identifier of `parts`, computing its check character, and validates the result
// as ParseLicenceId does.
Result<std::string> MakeLicenceId(const LicenceIdParts& parts);

// The ISO 7064 MOD 37,36 check character for characters 0-9A-Z; '\0' for any other character
// or an empty input.
char Mod3736CheckCharacter(std::string_view text);

}  // namespace tongban
