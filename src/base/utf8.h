// UTF-8 text: decoding, validation, counting, boundaries and encoding -- the one implementation
// every module uses (the catalog's search and validation, FEEL's lexer and string functions, the
// registers' and the code validators' length limits, the region import, canonical JSON).
//
// "Valid" is RFC 3629: shortest form, no surrogate (U+D800-U+DFFF), nothing above U+10FFFF --
// what PostgreSQL accepts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tongban::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// True for a continuation byte (10xxxxxx), which never starts a code point.
constexpr bool IsContinuation(char byte) {
  return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

struct Decoded {
  char32_t code_point = kReplacement;  // U+FFFD when not valid
  size_t length = 1;                   // the bytes it takes: 1 for an invalid byte
  bool valid = false;
};

// Decodes the sequence that starts at byte `i` of `text` (i < text.size()). A valid sequence
// gives its code point and length. Anything else -- a stray continuation byte, a lead byte
// 0xC0, 0xC1 or 0xF5-0xFF, a sequence cut short, an overlong form, a surrogate, a code point
// above U+10FFFF -- gives U+FFFD, valid = false and length 1: the caller goes on at the next
// byte, so decoding resynchronizes on the next lead byte.
constexpr Decoded Decode(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return {.code_point = c, .length = 1, .valid = true};
  size_t n = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
    min = 0x10000;
  } else {
    return {};
  }
  if (n > text.size() - i) return {};
  for (size_t k = 1; k < n; ++k) {
    if (!IsContinuation(static_cast<char>(byte(i + k)))) return {};
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
  return {.code_point = cp, .length = n, .valid = true};
}

// True when all of `text` is valid UTF-8.
constexpr bool IsValid(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const Decoded d = Decode(text, i);
    if (!d.valid) return false;
    i += d.length;
  }
  return true;
}

// The code points of valid UTF-8 text, counted as the bytes that are not continuation bytes. On
// invalid text this never fails and never exceeds the byte count: an ASCII byte or a lead byte
// counts one (whether or not its sequence is complete), a stray continuation byte none. Length
// limits ("4-500 characters") rely on exactly this.
constexpr size_t CodePointCount(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += IsContinuation(c) ? 0 : 1;
  return n;
}

// The byte after the code point that starts at `i` (i < text.size()): one byte on, then past
// every continuation byte that follows. On valid text, where the next code point starts; on
// invalid text never further than the next non-continuation byte.
constexpr size_t NextBoundary(std::string_view text, size_t i) {
  ++i;
  while (i < text.size() && IsContinuation(text[i])) ++i;
  return i;
}

// Appends the UTF-8 encoding of `cp`; a surrogate or a value above U+10FFFF, which UTF-8 cannot
// carry, is appended as U+FFFD.
inline void Append(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacement;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace tongban::utf8
