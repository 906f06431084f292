#include "crypto/sm2.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fmt/format.h>

#include "crypto/sm3.h"

namespace tongban::crypto {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

// A kCrypto error carrying OpenSSL's queued reason, which is then cleared so that it does not
// leak into an unrelated later call on this thread.
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

Result<std::string> BioText(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len < 0 || data == nullptr) return CryptoError("cannot read PEM output");
  return std::string(data, static_cast<size_t>(len));
}

BioPtr ReadBio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// A digest-sign or digest-verify context for SM2 with SM3 and the default identifier. The
// identifier is set on a key context that the digest context borrows, as OpenSSL's SM2(7)
// prescribes; both must live until the operation ends.
struct Sm2Operation {
  PkeyCtxPtr pctx;
  MdCtxPtr mctx;
};

enum class Purpose { kSign, kVerify };

Status StartOperation(EVP_PKEY* pkey, Purpose purpose, Sm2Operation& op) {
  op.pctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  op.mctx.reset(EVP_MD_CTX_new());
  if (!op.pctx || !op.mctx) return CryptoError("cannot allocate an SM2 context");
  if (EVP_PKEY_CTX_set1_id(op.pctx.get(), kSm2DefaultId.data(), kSm2DefaultId.size()) != 1) {
    return CryptoError("cannot set the SM2 distinguishing identifier");
  }
  EVP_MD_CTX_set_pkey_ctx(op.mctx.get(), op.pctx.get());
  const int rc = purpose == Purpose::kSign
                     ? EVP_DigestSignInit(op.mctx.get(), nullptr, EVP_sm3(), nullptr, pkey)
                     : EVP_DigestVerifyInit(op.mctx.get(), nullptr, EVP_sm3(), nullptr, pkey);
  if (rc != 1) return CryptoError("cannot start an SM2 operation");
  return Ok();
}

}  // namespace

Result<Sm2Key> Sm2Key::Wrap(EVP_PKEY* pkey, bool has_private) {
  if (pkey == nullptr) return CryptoError("not an SM2 key");
  std::shared_ptr<EVP_PKEY> owned(pkey, EVP_PKEY_free);
  if (!EVP_PKEY_is_a(pkey, "SM2")) {
    return Error(ErrorCode::kCrypto,
                 fmt::format("the key is {}, not SM2", EVP_PKEY_get0_type_name(pkey)
                                                           ? EVP_PKEY_get0_type_name(pkey)
                                                           : "of an unknown type"));
  }
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) return CryptoError("cannot encode the SM2 public key");
  Sm2Key key;
  key.id_ = Sm3Hex(std::string_view(reinterpret_cast<const char*>(der), len));
  OPENSSL_free(der);
  key.pkey_ = std::move(owned);
  key.has_private_ = has_private;
  return key;
}

Result<Sm2Key> Sm2Key::Generate() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "SM2");
  if (pkey == nullptr) return CryptoError("cannot generate an SM2 key");
  return Wrap(pkey, /*has_private=*/true);
}

Result<Sm2Key> Sm2Key::FromPrivatePem(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  if (!bio) return CryptoError("cannot read PEM");
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) return CryptoError("not a PEM private key");
  return Wrap(pkey, /*has_private=*/true);
}

Result<Sm2Key> Sm2Key::FromPublicPem(std::string_view pem) {
  BioPtr bio = ReadBio(pem);
  if (!bio) return CryptoError("cannot read PEM");
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) return CryptoError("not a PEM public key");
  return Wrap(pkey, /*has_private=*/false);
}

Result<Sm2Key> Sm2Key::FromPem(std::string_view pem) {
  if (pem.find("PRIVATE KEY-----") != std::string_view::npos) return FromPrivatePem(pem);
  return FromPublicPem(pem);
}

Result<std::string> Sm2Key::PrivatePem() const {
  if (!has_private_) return Error(ErrorCode::kCrypto, "the SM2 key has no private part");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return CryptoError("cannot write the SM2 private key");
  }
  return BioText(bio.get());
}

Result<std::string> Sm2Key::PublicPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
    return CryptoError("cannot write the SM2 public key");
  }
  return BioText(bio.get());
}

Result<std::string> Sm2Key::Sign(std::string_view message) const {
  if (!has_private_) return Error(ErrorCode::kCrypto, "the SM2 key has no private part");
  Sm2Operation op;
  TB_RETURN_IF_ERROR(StartOperation(pkey_.get(), Purpose::kSign, op));
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  size_t len = 0;
  if (EVP_DigestSignUpdate(op.mctx.get(), data, message.size()) != 1 ||
      EVP_DigestSignFinal(op.mctx.get(), nullptr, &len) != 1) {
    return CryptoError("cannot sign with SM2");
  }
  std::string signature(len, '\0');
  if (EVP_DigestSignFinal(op.mctx.get(), reinterpret_cast<unsigned char*>(signature.data()),
                          &len) != 1) {
    return CryptoError("cannot sign with SM2");
  }
  signature.resize(len);
  return signature;
}

Result<bool> Sm2Key::Verify(std::string_view message, std::string_view signature) const {
  Sm2Operation op;
  TB_RETURN_IF_ERROR(StartOperation(pkey_.get(), Purpose::kVerify, op));
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestVerifyUpdate(op.mctx.get(), data, message.size()) != 1) {
    return CryptoError("cannot verify with SM2");
  }
  const int rc = EVP_DigestVerifyFinal(
      op.mctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
  // A wrong or malformed signature queues an OpenSSL error; it is an answer, not a failure.
  ERR_clear_error();
  return rc == 1;
}

}  // namespace tongban::crypto
