#include "crypto/sm3.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace tongban::crypto {

Sm3Digest Sm3(std::string_view data) {
  Sm3Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sm3(), nullptr) != 1 ||
      len != out.size()) {
    throw std::runtime_error("OpenSSL cannot compute SM3");
  }
  return out;
}

std::string Sm3Hex(std::string_view data) { return ToHex(Sm3(data)); }

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

std::string ToHex(std::string_view bytes) {
  return ToHex(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

Result<std::string> FromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) {
    return Error(ErrorCode::kInvalidArgument, "hex text must have an even number of digits");
  }
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return Error(ErrorCode::kInvalidArgument, "hex text has a character that is not 0-9a-f");
    }
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

Result<std::string> FromBase64(std::string_view text) {
  const auto alphabet = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
  };
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  const std::string_view body = text.substr(0, text.size() - padding);
  if (text.size() % 4 != 0 || !std::all_of(body.begin(), body.end(), alphabet)) {
    return Error(ErrorCode::kInvalidArgument,
                 "base64 text must be groups of four of A-Z a-z 0-9 + / with '=' padding");
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return Error(ErrorCode::kInvalidArgument, "base64 text does not decode");
  out.resize(static_cast<size_t>(n) - padding);  // EVP_DecodeBlock counts the padding as zeros
  return out;
}

}  // namespace tongban::crypto
