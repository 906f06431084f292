#include "keys/certificate.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fmt/format.h>

#include <memory>

namespace tongban::keys {
namespace {

template <auto F>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    F(p);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

Error CryptoError(std::string_view what) {
  std::string detail;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!detail.empty()) detail += "; ";
    detail += buf;
  }
  return Error(ErrorCode::kCrypto,
               detail.empty() ? std::string(what) : fmt::format("{}: {}", what, detail));
}

BioPtr ReadBio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

Result<X509Ptr> ParsePem(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    ERR_clear_error();
    return Error(ErrorCode::kInvalidArgument, "not a PEM X.509 certificate");
  }
  return cert;
}

Result<PkeyPtr> PrivatePkey(const crypto::Sm2Key& key) {
  TB_ASSIGN_OR_RETURN(std::string pem, key.PrivatePem());
  BioPtr bio = ReadBio(pem);
  PkeyPtr pkey(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!pkey) return CryptoError("cannot read the issuer's private key");
  return pkey;
}

Result<PkeyPtr> PublicPkey(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  PkeyPtr pkey(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!pkey) return CryptoError("cannot read the subject's public key");
  return pkey;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return CryptoError(fmt::format("cannot add extension {}", value));
  }
  return Ok();
}

time_t ToTimeT(Timestamp t) {
  return static_cast<time_t>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

Timestamp FromAsn1Time(const ASN1_TIME* t) {
  struct tm tm = {};
  ASN1_TIME_to_tm(t, &tm);
  const int64_t days = DaysFromCivil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  const int64_t seconds = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
  return Timestamp(std::chrono::seconds(seconds));
}

std::string NameEntry(const X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return "";
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

// Verification of an SM2-signed certificate uses the distinguishing identifier attached to it.
Status SetDistinguishingId(X509* cert) {
  ASN1_OCTET_STRING* id = ASN1_OCTET_STRING_new();
  if (id == nullptr || ASN1_OCTET_STRING_set(
                           id, reinterpret_cast<const unsigned char*>(crypto::kSm2DefaultId.data()),
                           static_cast<int>(crypto::kSm2DefaultId.size())) != 1) {
    ASN1_OCTET_STRING_free(id);
    return CryptoError("cannot set the SM2 distinguishing identifier");
  }
  X509_set0_distinguishing_id(cert, id);
  return Ok();
}

}  // namespace

Result<std::string> IssueCertificate(const crypto::Sm2Key& issuer,
                                     std::string_view issuer_certificate_pem,
                                     const CertificateRequest& request) {
  TB_ASSIGN_OR_RETURN(PkeyPtr issuer_pkey, PrivatePkey(issuer));
  TB_ASSIGN_OR_RETURN(PkeyPtr subject_pkey, PublicPkey(request.public_pem));
  X509Ptr issuer_cert;
  if (!issuer_certificate_pem.empty()) {
    TB_ASSIGN_OR_RETURN(issuer_cert, ParsePem(issuer_certificate_pem));
  }
  X509Ptr cert(X509_new());
  if (!cert) return CryptoError("cannot allocate a certificate");
  X509_NAME* subject = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(request.common_name.c_str());
  const auto* org = reinterpret_cast<const unsigned char*>(request.organization.c_str());
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set_int64(X509_get_serialNumber(cert.get()), request.serial) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "C", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("CN"), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, org, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(),
                           issuer_cert ? X509_get_subject_name(issuer_cert.get()) : subject) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), ToTimeT(request.not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), ToTimeT(request.not_after)) == nullptr ||
      X509_set_pubkey(cert.get(), subject_pkey.get()) != 1) {
    return CryptoError("cannot fill the certificate");
  }
  X509* issuer_for_ext = issuer_cert ? issuer_cert.get() : cert.get();
  TB_RETURN_IF_ERROR(AddExtension(cert.get(), issuer_for_ext, NID_basic_constraints,
                                  request.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
  TB_RETURN_IF_ERROR(AddExtension(
      cert.get(), issuer_for_ext, NID_key_usage,
      request.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation"));
  TB_RETURN_IF_ERROR(AddExtension(cert.get(), issuer_for_ext, NID_subject_key_identifier, "hash"));
  TB_RETURN_IF_ERROR(
      AddExtension(cert.get(), issuer_for_ext, NID_authority_key_identifier, "keyid:always"));

  // SM3withSM2 with the identifier set on the key context the digest context borrows.
  MdCtxPtr mctx(EVP_MD_CTX_new());
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(nullptr, issuer_pkey.get(), nullptr));
  if (!mctx || !pctx ||
      EVP_PKEY_CTX_set1_id(pctx.get(), crypto::kSm2DefaultId.data(),
                           crypto::kSm2DefaultId.size()) != 1) {
    return CryptoError("cannot set up SM2 certificate signing");
  }
  EVP_MD_CTX_set_pkey_ctx(mctx.get(), pctx.get());
  if (EVP_DigestSignInit(mctx.get(), nullptr, EVP_sm3(), nullptr, issuer_pkey.get()) != 1 ||
      X509_sign_ctx(cert.get(), mctx.get()) <= 0) {
    return CryptoError("cannot sign the certificate");
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509(out.get(), cert.get()) != 1) {
    return CryptoError("cannot write the certificate");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<CertificateInfo> ReadCertificate(std::string_view pem) {
  TB_ASSIGN_OR_RETURN(X509Ptr cert, ParsePem(pem));
  CertificateInfo info;
  info.subject_common_name = NameEntry(X509_get_subject_name(cert.get()), NID_commonName);
  info.subject_organization = NameEntry(X509_get_subject_name(cert.get()), NID_organizationName);
  info.issuer_common_name = NameEntry(X509_get_issuer_name(cert.get()), NID_commonName);
  int64_t serial = 0;
  ASN1_INTEGER_get_int64(&serial, X509_get0_serialNumber(cert.get()));
  info.serial = serial;
  info.not_before = FromAsn1Time(X509_get0_notBefore(cert.get()));
  info.not_after = FromAsn1Time(X509_get0_notAfter(cert.get()));
  info.is_ca = X509_check_ca(cert.get()) != 0;
  EVP_PKEY* pkey = X509_get0_pubkey(cert.get());
  BioPtr out(BIO_new(BIO_s_mem()));
  if (pkey == nullptr || !out || PEM_write_bio_PUBKEY(out.get(), pkey) != 1) {
    ERR_clear_error();
    return Error(ErrorCode::kInvalidArgument, "the certificate has no readable public key");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(out.get(), &data);
  auto key = crypto::Sm2Key::FromPublicPem(std::string_view(data, static_cast<size_t>(len)));
  if (!key.ok()) {
    return Error(ErrorCode::kInvalidArgument, "the certificate's key is not an SM2 key");
  }
  info.public_key = std::move(key).value();
  return info;
}

Result<bool> IsSignedBy(std::string_view certificate_pem, std::string_view issuer_certificate_pem) {
  TB_ASSIGN_OR_RETURN(X509Ptr cert, ParsePem(certificate_pem));
  TB_ASSIGN_OR_RETURN(X509Ptr issuer, ParsePem(issuer_certificate_pem));
  if (X509_NAME_cmp(X509_get_issuer_name(cert.get()), X509_get_subject_name(issuer.get())) != 0) {
    return false;
  }
  TB_RETURN_IF_ERROR(SetDistinguishingId(cert.get()));
  EVP_PKEY* issuer_key = X509_get0_pubkey(issuer.get());
  const int rc = issuer_key == nullptr ? 0 : X509_verify(cert.get(), issuer_key);
  ERR_clear_error();
  return rc == 1;
}

}  // namespace tongban::keys
