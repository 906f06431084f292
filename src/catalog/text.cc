#include "catalog/text.h"

#include <array>
#include <cstdint>

#include "base/utf8.h"

namespace tongban::catalog {
namespace {

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string Excerpt(std::string_view text, size_t max_bytes) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const utf8::Decoded d = utf8::Decode(text, i);
    if (out.size() + d.length > max_bytes) {
      out += "…";
      break;
    }
    if (!d.valid || d.code_point < 0x20 || d.code_point == 0x7F) {
      out += '?';
    } else {
      out.append(text.substr(i, d.length));
    }
    i += d.length;
  }
  return out;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string JoinPath(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  std::string out(base);
  out += '/';
  out += key;
  return out;
}

std::string JoinPath(std::string_view base, size_t index) {
  return JoinPath(base, std::to_string(index));
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kBase64Url[(buffer << (6 - bits)) & 0x3F];
  return out;
}

bool Base64UrlDecode(std::string_view text, std::string* out) {
  out->clear();
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const size_t v = kBase64Url.find(c);
    if (v == std::string_view::npos) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  // Leftover bits must be the zero padding the encoder writes; a lone 6-bit tail is invalid.
  return bits < 6 && (buffer & ((1u << bits) - 1)) == 0;
}

}  // namespace tongban::catalog
