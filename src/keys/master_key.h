// The master keys that encrypt private keys at rest (AES-256-GCM through OpenSSL's EVP). Each
// master key has an id that is stored with every ciphertext, so a ring can hold the new key and
// the old ones while `tongban keys rewrap` moves every private key to the new one.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tongban::keys {

class MasterKeyRing {
 public:
  static constexpr size_t kKeyBytes = 32;

  // Parses the master key file: one key per line, "<id> <64 hex digits>", '#' comments; the
  // last key listed is the current one (the one new ciphertexts use). kInvalidArgument names
  // the line at fault; a ring needs at least one key.
  static Result<MasterKeyRing> Parse(std::string_view text);
  // Loads `path`; when missing, creates it (mode 0600) with one random key named "m1".
  static Result<MasterKeyRing> LoadOrCreate(const std::string& path);
  // A new ring with one random key of id `id`; tests and the rewrap command use it.
  static Result<MasterKeyRing> Generate(std::string id);

  // Adds a key (32 bytes) and makes it current. kInvalidArgument for a bad id or length.
  Status Add(std::string id, std::string key);
  // The file text Parse() reads back.
  std::string ToText() const;
  const std::string& current_id() const { return current_; }

  // Encrypts `plaintext` under the current key. `context` is authenticated but not stored: the
  // same context must be given to Unwrap (the owner's key id binds a ciphertext to its row).
  // The result is "<master key id>:<hex nonce>:<hex ciphertext and tag>".
  Result<std::string> Wrap(std::string_view plaintext, std::string_view context) const;
  // Decrypts what Wrap made. kNotFound when the ring lacks the master key named in the text;
  // kIntegrity when the ciphertext, its tag or the context do not match.
  Result<std::string> Unwrap(std::string_view wrapped, std::string_view context) const;
  // The master key id a wrapped text names.
  static std::string_view KeyIdOf(std::string_view wrapped);

 private:
  std::map<std::string, std::string, std::less<>> keys_;
  std::string current_;
};

}  // namespace tongban::keys
