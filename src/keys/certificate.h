// X.509 certificates for the key hierarchy: the installation's root SM2 key certifies itself
// and each department's SM2 key, signed SM3withSM2 through OpenSSL 3's X509 and EVP APIs with
// the distinguishing identifier 1234567812345678 set explicitly on signing and on verifying
// (OpenSSL 3.0 does not default to it; GM/T 0015 certificates are made and checked with it).
#pragma once

#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/sm2.h"

namespace tongban::keys {

struct CertificateRequest {
  std::string common_name;   // the department's name, UTF-8 ("新田县市场监督管理局")
  std::string organization;  // what the subject is known by in tongban: a department code
  std::string public_pem;    // the subject's SM2 public key (SubjectPublicKeyInfo PEM)
  int64_t serial = 1;
  Timestamp not_before;
  Timestamp not_after;
  bool is_ca = false;  // the root: basicConstraints CA:TRUE, keyCertSign
};

// Signs a certificate for `request` with `issuer` (a private key). `issuer_certificate_pem` is
// the issuer's own certificate, whose subject becomes the issuer name; empty for a self-signed
// root, whose issuer name is then its own subject. kCrypto when OpenSSL refuses.
Result<std::string> IssueCertificate(const crypto::Sm2Key& issuer,
                                     std::string_view issuer_certificate_pem,
                                     const CertificateRequest& request);

struct CertificateInfo {
  std::string subject_common_name;
  std::string subject_organization;
  std::string issuer_common_name;
  int64_t serial = 0;
  Timestamp not_before;
  Timestamp not_after;
  bool is_ca = false;
  crypto::Sm2Key public_key;  // the subject's key (public part only)
};

// Reads a PEM certificate. kInvalidArgument when the text is not an X.509 certificate with an
// SM2 key.
Result<CertificateInfo> ReadCertificate(std::string_view pem);

// True when `certificate_pem` is signed by the key of `issuer_certificate_pem` (SM3withSM2,
// default identifier) and names that certificate's subject as its issuer. Says nothing about
// dates. kInvalidArgument when either text is not a certificate.
Result<bool> IsSignedBy(std::string_view certificate_pem, std::string_view issuer_certificate_pem);

}  // namespace tongban::keys
