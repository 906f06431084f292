// SM2 (GB/T 32918) keys and signatures with SM3 as the digest, through OpenSSL 3.
//
// Signatures use the standard's default distinguishing identifier "1234567812345678"
// (GB/T 35276 / GM/T 0009), so any conforming implementation verifies them. They are DER
// SEQUENCE { r, s } as OpenSSL and GM/T 0009 encode them.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tongban::crypto {

inline constexpr std::string_view kSm2DefaultId = "1234567812345678";

// An SM2 key pair, or a public key alone. Cheap to copy (the OpenSSL key is shared and never
// modified), and safe to use from several threads at once.
class Sm2Key {
 public:
  // A new random key pair.
  static Result<Sm2Key> Generate();
  // A private key from PEM ("-----BEGIN PRIVATE KEY-----", PKCS#8, unencrypted); the public
  // key is derived from it. kCrypto when the text is not an SM2 private key.
  static Result<Sm2Key> FromPrivatePem(std::string_view pem);
  // A public key from PEM ("-----BEGIN PUBLIC KEY-----", SubjectPublicKeyInfo).
  static Result<Sm2Key> FromPublicPem(std::string_view pem);
  // Either of the above, whichever the text holds.
  static Result<Sm2Key> FromPem(std::string_view pem);

  bool has_private_key() const { return has_private_; }

  // PKCS#8 PEM of the private key; kCrypto for a public-only key.
  Result<std::string> PrivatePem() const;
  // SubjectPublicKeyInfo PEM of the public key.
  Result<std::string> PublicPem() const;
  // A stable name for the public key: lower-case hex SM3 of its DER SubjectPublicKeyInfo.
  const std::string& id() const { return id_; }

  // Signs SM3(Z || message) where Z binds the default identifier and the public key.
  // kCrypto for a public-only key.
  Result<std::string> Sign(std::string_view message) const;
  // True when `signature` is this key's signature of `message`; false for any other signature,
  // including malformed ones. kCrypto only when OpenSSL cannot set up the verification.
  Result<bool> Verify(std::string_view message, std::string_view signature) const;

 private:
  static Result<Sm2Key> Wrap(EVP_PKEY* pkey, bool has_private);

  std::shared_ptr<EVP_PKEY> pkey_;
  bool has_private_ = false;
  std::string id_;
};

}  // namespace tongban::crypto
