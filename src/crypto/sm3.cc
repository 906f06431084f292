#include "crypto/sm3.h"

#include <openssl/evp.h>

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

}  // namespace tongban::crypto
