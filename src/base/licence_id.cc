// GB/T 36904 e-licence identifiers; the check is ISO 7064's hybrid system MOD 37,36
// (M = 36, M + 1 = 37) over the alphabet 0-9A-Z.
#include "base/licence_id.h"

#include <fmt/format.h>

#include "base/code_text.h"
#include "base/uscc.h"
#include "base/utf8.h"

namespace tongban {
namespace {

using code_text::IsDigit;

constexpr size_t kMaxSerial = 20;

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, "licence id: " + std::move(message));
}

int Mod36Value(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

Status CheckDigits(std::string_view part, std::string_view what, size_t count) {
  if (part.size() != count) {
    return Invalid(fmt::format("{} must have {} digits, got {} characters", what, count,
                               utf8::CodePointCount(part)));
  }
  for (size_t i = 0; i < part.size(); ++i) {
    if (!IsDigit(part[i])) {
      return Invalid(fmt::format("{}: {} is not a digit", what, code_text::At(part, i)));
    }
  }
  return Ok();
}

Result<UsccInfo> CheckUscc(std::string_view uscc, std::string_view what) {
  auto info = ParseUscc(uscc);
  if (!info.ok()) {
    // "USCC: check character …" becomes "licence id: issuer USCC: check character …".
    std::string message = info.error().message();
    if (message.starts_with("USCC: ")) message.erase(0, 6);
    return Invalid(fmt::format("{}: {}", what, message));
  }
  return info;
}

}  // namespace

char Mod3736CheckCharacter(std::string_view text) {
  if (text.empty()) return '\0';
  int p = 36;
  for (char c : text) {
    const int v = Mod36Value(c);
    if (v < 0) return '\0';
    int s = (p + v) % 36;
    if (s == 0) s = 36;
    p = (s * 2) % 37;
  }
  const int check = (37 - p) % 36;
  return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[check];
}

Result<LicenceIdInfo> ParseLicenceId(std::string_view text) {
  LicenceIdInfo info;
  info.normalized.reserve(text.size());
  for (char c : text) info.normalized += code_text::ToUpper(c);
  std::string_view id = info.normalized;
  if (!id.starts_with(kLicenceIdRoot) || id.size() == kLicenceIdRoot.size() ||
      id[kLicenceIdRoot.size()] != '.') {
    return Invalid(fmt::format("must start with {}.", kLicenceIdRoot));
  }
  std::string_view rest = id.substr(kLicenceIdRoot.size() + 1);
  std::vector<std::string_view> parts;
  while (true) {
    const size_t dot = rest.find('.');
    parts.push_back(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest = rest.substr(dot + 1);
  }
  if (parts.size() != 5) {
    return Invalid(
        fmt::format("after the root must come 5 parts (type.issuer.serial.version.check), got {}",
                    parts.size()));
  }
  const std::string_view type = parts[0];
  if (utf8::CodePointCount(type) != 21) {
    return Invalid(fmt::format("type code must have 21 characters (a USCC and 3 digits), got {}",
                               utf8::CodePointCount(type)));
  }
  TB_ASSIGN_OR_RETURN(UsccInfo authority, CheckUscc(type.substr(0, 18), "type code's USCC"));
  TB_RETURN_IF_ERROR(CheckDigits(type.substr(18), "type code's number", 3));
  TB_ASSIGN_OR_RETURN(UsccInfo issuer, CheckUscc(parts[1], "issuer USCC"));

  const std::string_view serial = parts[2];
  if (serial.empty() || serial.size() > kMaxSerial) {
    return Invalid(fmt::format("serial must have 1 to {} characters, got {}", kMaxSerial,
                               utf8::CodePointCount(serial)));
  }
  for (size_t i = 0; i < serial.size(); ++i) {
    if (Mod36Value(serial[i]) < 0) {
      return Invalid(fmt::format("serial: {} is not 0-9 or A-Z", code_text::At(serial, i)));
    }
  }
  TB_RETURN_IF_ERROR(CheckDigits(parts[3], "version", 3));
  const std::string_view check = parts[4];
  if (check.size() != 1 || Mod36Value(check[0]) < 0) {
    return Invalid("check must be one character 0-9 or A-Z");
  }
  const std::string body = fmt::format("{}{}{}{}", type, parts[1], serial, parts[3]);
  const char expected = Mod3736CheckCharacter(body);
  if (check[0] != expected) {
    return Invalid(fmt::format("check character expected {}, got {}", expected, check[0]));
  }

  info.type_code = std::string(type);
  info.type_authority_uscc = std::string(type.substr(0, 18));
  info.type_number = std::string(type.substr(18));
  info.issuer_uscc = std::string(parts[1]);
  info.serial = std::string(serial);
  info.version = std::string(parts[3]);
  info.check = check[0];
  for (auto* uscc : {&authority, &issuer}) {
    for (std::string& w : uscc->warnings) info.warnings.push_back(std::move(w));
  }
  return info;
}

Result<std::string> MakeLicenceId(const LicenceIdParts& parts) {
  std::string body =
      fmt::format("{}{}{}{}", parts.type_code, parts.issuer_uscc, parts.serial, parts.version);
  for (char& c : body) c = code_text::ToUpper(c);
  const char check = Mod3736CheckCharacter(body);
  // An unusable character is reported by the parse below, which names the part at fault.
  const std::string id =
      fmt::format("{}.{}.{}.{}.{}.{}", kLicenceIdRoot, parts.type_code, parts.issuer_uscc,
                  parts.serial, parts.version, check == '\0' ? '0' : check);
  TB_ASSIGN_OR_RETURN(LicenceIdInfo info, ParseLicenceId(id));
  return std::move(info.normalized);
}

}  // namespace tongban
