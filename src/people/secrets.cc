#include "people/secrets.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "people/password.h"

namespace tongban::people {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

}  // namespace

std::string NewToken() {
  EnsureSodium();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(out);
}

std::string HashToken(std::string_view token) {
  EnsureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return Hex(digest, sizeof digest);
}

bool LooksLikeToken(std::string_view token) {
  if (token.size() != 43) return false;
  for (char c : token) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

std::string NewSmsCode() {
  EnsureSodium();
  return fmt::format("{:06d}", randombytes_uniform(1000000));
}

std::string NewSalt() {
  EnsureSodium();
  unsigned char salt[16];
  randombytes_buf(salt, sizeof salt);
  return Hex(salt, sizeof salt);
}

std::string HashSmsCode(std::string_view code, std::string_view phone, std::string_view salt) {
  EnsureSodium();
  crypto_generichash_state state;
  crypto_generichash_init(&state, reinterpret_cast<const unsigned char*>(salt.data()),
                          std::min<size_t>(salt.size(), crypto_generichash_KEYBYTES_MAX), 32);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(phone.data()),
                            phone.size());
  const unsigned char separator = 0;
  crypto_generichash_update(&state, &separator, 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(code.data()),
                            code.size());
  unsigned char digest[32];
  crypto_generichash_final(&state, digest, sizeof digest);
  return Hex(digest, sizeof digest);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string NewId(std::string_view prefix, int64_t now_ms) {
  EnsureSodium();
  unsigned char random[8];
  randombytes_buf(random, sizeof random);
  return fmt::format("{}{:012x}{}", prefix, static_cast<uint64_t>(now_ms) & 0xffffffffffffULL,
                     Hex(random, sizeof random));
}

}  // namespace tongban::people
