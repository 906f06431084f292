#include "people/password.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdlib>

namespace tongban::people {

PasswordOptions PasswordOptions::Interactive() {
  return {.ops_limit = crypto_pwhash_OPSLIMIT_INTERACTIVE,
          .mem_limit = crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordOptions PasswordOptions::Cheap() {
  return {.ops_limit = crypto_pwhash_OPSLIMIT_MIN, .mem_limit = crypto_pwhash_MEMLIMIT_MIN};
}

void EnsureSodium() {
  static const bool kReady = [] {
    if (sodium_init() < 0) {
      spdlog::critical("libsodium cannot be initialised");
      std::abort();
    }
    return true;
  }();
  (void)kReady;
}

Result<std::string> HashPassword(std::string_view password, const PasswordOptions& options) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), options.ops_limit,
                            options.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error(ErrorCode::kCrypto, "password hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  EnsureSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

std::string PasswordPolicyViolation(std::string_view password) {
  if (password.size() < 8) return "must be at least 8 characters long";
  if (password.size() > 128) return "must be at most 128 bytes long";
  bool letter = false, digit = false, other = false;
  for (char c : password) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) {
      letter = true;
    } else if (std::isdigit(u)) {
      digit = true;
    } else {
      other = true;
    }
  }
  if (letter + digit + other < 2) {
    return "must mix at least two of letters, digits and other characters";
  }
  return "";
}

}  // namespace tongban::people
