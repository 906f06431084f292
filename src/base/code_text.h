// Small text helpers shared by the code validators (id_number, uscc, licence_id, region); not a
// public API of base.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "base/utf8.h"

namespace tongban::code_text {

// The 1-based character position of byte `i` (UTF-8 sequences count as one character).
inline size_t Position(std::string_view s, size_t i) {
  return utf8::CodePointCount(s.substr(0, i)) + 1;
}

// The character at byte `i` described for an error message: 'A' when printable ASCII; never
// echoes a control character or a possibly broken UTF-8 sequence.
inline std::string Quote(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c >= 0x20 && c < 0x7F) return fmt::format("'{}'", static_cast<char>(c));
  if (c >= 0x80) return "a non-ASCII character";
  return fmt::format("control character 0x{:02X}", c);
}

// "character at position 7 ('A')" for the character at byte `i`.
inline std::string At(std::string_view s, size_t i) {
  return fmt::format("character at position {} ({})", Position(s, i), Quote(s, i));
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

inline char ToUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace tongban::code_text
