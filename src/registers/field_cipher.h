// Encryption at rest of the registers' sensitive fields and their blind indexes.
//
// A stored value is "<key id>:<hex of crypto::Sm4Seal>", sealed with the associated data
// "<key id>/<field>", so a value moved to another field or relabelled with another key id does
// not open. Keys rotate: new values are sealed under the current key, old ones open under the
// key their id names until RotatePersons re-seals them. A value is found without decrypting
// through its blind index: HMAC-SM3 under a separate index key of "<field>:<value>", truncated to
// 16 bytes (32 hex characters), so equal values give equal indexes while the index reveals
// nothing without the key.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "crypto/sm4.h"

namespace tongban::registers {

// The key material, as configuration holds it: secrets are 32 random bytes in hex.
struct RegisterKeys {
  std::map<std::string, std::string> sealing_keys;  // key id -> secret (hex)
  std::string current_key_id;
  std::string index_key;  // hex; never rotated without re-indexing every row
};

// Reads a YAML key file: `current: k1`, `sealing_keys: {k1: HEX, …}`, `index_key: HEX`.
// kInvalidArgument naming each bad key.
Result<RegisterKeys> ParseRegisterKeys(std::string_view yaml);
// Fresh keys (one sealing key "k1" and an index key) as YAML text, for a new installation.
std::string GenerateRegisterKeysYaml();
// The key file at `path`, written with fresh keys (mode 0600) when it does not exist yet, so
// that the server and the CLI of one installation seal and index with the same keys.
Result<RegisterKeys> LoadOrCreateRegisterKeys(const std::string& path);

class FieldCipher {
 public:
  // kInvalidArgument when a secret is not 64 hex digits, the current key id is missing from
  // the ring, or the index key is missing.
  static Result<FieldCipher> Create(const RegisterKeys& keys);

  // Seals `plaintext` of `field` ("id_number", "phone", "disability_certificate") under the
  // current key.
  std::string Seal(std::string_view field, std::string_view plaintext) const;
  // Opens a stored value. kIntegrity when the key id is unknown or the value was altered.
  Result<std::string> Open(std::string_view field, std::string_view stored) const;
  // The blind index of a normalised value of `field`.
  std::string Index(std::string_view field, std::string_view value) const;
  // The key id a stored value names ("" when malformed).
  static std::string_view KeyIdOf(std::string_view stored);
  const std::string& current_key_id() const { return current_; }

 private:
  struct Key {
    crypto::Sm4Key enc{};
    crypto::HmacSm3Key mac;
  };
  std::map<std::string, Key, std::less<>> keys_;
  std::string current_;
  std::optional<crypto::HmacSm3Key> index_key_;
};

}  // namespace tongban::registers
