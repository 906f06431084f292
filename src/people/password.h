// Password hashing with Argon2id (libsodium crypto_pwhash_str_alg, ALG_ARGON2ID13). The stored
// string carries its own parameters, so hashes made with different costs all verify.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tongban::people {

struct PasswordOptions {
  unsigned long long ops_limit = 0;
  size_t mem_limit = 0;

  // Production: libsodium's INTERACTIVE limits (2 passes, 64 MiB), about 0.1 s per hash.
  static PasswordOptions Interactive();
  // Tests only: the minimum the algorithm allows (1 pass, 8 KiB), microseconds per hash.
  static PasswordOptions Cheap();
};

// Initialises libsodium once; safe from any thread. Aborts when libsodium cannot start (no
// entropy source), because nothing secret could be made safely then.
void EnsureSodium();

// The Argon2id string ("$argon2id$v=19$m=...,t=...,p=1$salt$hash") of `password`.
Result<std::string> HashPassword(std::string_view password, const PasswordOptions& options);

// True when `password` matches `hash` (any Argon2 parameters); false for a wrong password or a
// malformed hash.
bool VerifyPassword(std::string_view hash, std::string_view password);

// Empty when `password` is acceptable: 8 to 128 bytes with at least two of letters, digits and
// other characters; otherwise what is wrong with it.
std::string PasswordPolicyViolation(std::string_view password);

}  // namespace tongban::people
