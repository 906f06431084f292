// SM3 (GB/T 32905) digests and the hex text they are stored as.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tongban::crypto {

using Sm3Digest = std::array<uint8_t, 32>;

// The SM3 digest of `data`. OpenSSL failing to compute a digest is not an expected outcome (it
// means a broken installation), so that throws std::runtime_error instead of returning a Result.
Sm3Digest Sm3(std::string_view data);
// Lower-case hex of Sm3(data): 64 characters.
std::string Sm3Hex(std::string_view data);

// Lower-case hex of `bytes`.
std::string ToHex(std::span<const uint8_t> bytes);
std::string ToHex(std::string_view bytes);
// The bytes of an even-length hex string (either case); kInvalidArgument otherwise.
Result<std::string> FromHex(std::string_view hex);
// The bytes of standard base64 text (RFC 4648 §4, with padding, no line breaks), as a binary
// file travels inside a JSON body; kInvalidArgument for anything else.
Result<std::string> FromBase64(std::string_view text);

}  // namespace tongban::crypto
