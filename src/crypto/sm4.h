// SM4 (GB/T 32907) field encryption: SM4-CTR with an SM3-HMAC over the IV and ciphertext
// (encrypt-then-MAC). OpenSSL 3.0, the version Debian 12 ships, has SM4 in ECB/CBC/CFB/OFB/CTR
// only (SM4-GCM arrived in 3.2), so the authenticated mode is built from CTR (no padding, so
// ciphertext length = plaintext length) and HMAC-SM3 (GB/T 15852.2 style MAC with SM3).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "crypto/sm3.h"

namespace tongban::crypto {

using Sm4Key = std::array<uint8_t, 16>;
using Sm4Iv = std::array<uint8_t, 16>;

// SM4-CTR of `data` under `key` starting at counter block `iv`; the same call decrypts. Throws
// std::runtime_error only if OpenSSL lacks SM4 (a broken installation).
std::string Sm4Ctr(const Sm4Key& key, const Sm4Iv& iv, std::string_view data);

// HMAC (RFC 2104) with SM3 of `data` under `key` (any length).
Sm3Digest HmacSm3(std::string_view key, std::string_view data);

// An HMAC-SM3 key prepared once (OpenSSL 3 fetches the MAC and digest on every one-shot call,
// which dominates a bulk import); each Mac() copies the keyed state. Cheap to copy (shared),
// safe to use from several threads.
class HmacSm3Key {
 public:
  explicit HmacSm3Key(std::string_view key);
  Sm3Digest Mac(std::string_view data) const;
  // The MAC of the concatenation of `a` and `b`, without concatenating them.
  Sm3Digest Mac(std::string_view a, std::string_view b) const;

 private:
  std::shared_ptr<void> ctx_;  // EVP_MAC_CTX
};

// `n` bytes from OpenSSL's CSPRNG; throws std::runtime_error if it cannot be seeded.
std::string RandomBytes(size_t n);

// A sealed value: iv (16) || SM4-CTR ciphertext || first 16 bytes of HMAC-SM3(mac_key,
// associated || iv || ciphertext). `associated` binds the ciphertext to its context (the key id
// and field name), so a ciphertext copied into another field or labelled with another key id
// fails to open.
std::string Sm4Seal(const Sm4Key& enc_key, const HmacSm3Key& mac_key, std::string_view associated,
                    std::string_view plaintext);
// The plaintext of Sm4Seal's output; kIntegrity when it is too short or its MAC does not verify
// (altered, truncated, or sealed under other keys or another `associated`).
Result<std::string> Sm4Open(const Sm4Key& enc_key, const HmacSm3Key& mac_key,
                            std::string_view associated, std::string_view sealed);

}  // namespace tongban::crypto
