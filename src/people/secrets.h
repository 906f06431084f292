// Random secrets and their stored forms: bearer tokens (stored as SHA-256), one-time SMS codes
// (stored as a salted BLAKE2b hash), record ids. Nothing secret is ever stored in clear.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tongban::people {

// A bearer token: 32 random bytes (libsodium randombytes) as 43 base64url characters.
std::string NewToken();
// The stored form of a token: SHA-256, lower-case hex (64 characters).
std::string HashToken(std::string_view token);
// True when `token` has the shape NewToken() produces (cheap rejection before any lookup).
bool LooksLikeToken(std::string_view token);

// A one-time code: 6 decimal digits, uniformly random.
std::string NewSmsCode();
// A random salt for one code, 16 bytes as hex.
std::string NewSalt();
// The stored form of a code: BLAKE2b-256 keyed by the salt and bound to the phone, hex.
std::string HashSmsCode(std::string_view code, std::string_view phone, std::string_view salt);

// Compares two strings in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// A record id: `prefix` + 12 hex digits of `now_ms` + 16 random hex digits, so ids sort by
// creation time ("acc_0194f2c3a1b27c9e1d0f4a5b6c7d").
std::string NewId(std::string_view prefix, int64_t now_ms);

}  // namespace tongban::people
