#include "crypto/sm4.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace tongban::crypto {
namespace {

constexpr size_t kTagSize = 16;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

}  // namespace

std::string Sm4Ctr(const Sm4Key& key, const Sm4Iv& iv, std::string_view data) {
  // Fetched once: an implicit fetch on every call costs more than the encryption.
  static EVP_CIPHER* const kCipher = EVP_CIPHER_fetch(nullptr, "SM4-CTR", nullptr);
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  std::string out(data.size(), '\0');
  int len = 0;
  int final_len = 0;
  if (!ctx || kCipher == nullptr ||
      EVP_EncryptInit_ex2(ctx.get(), kCipher, key.data(), iv.data(), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                        reinterpret_cast<const unsigned char*>(data.data()),
                        static_cast<int>(data.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len,
                          &final_len) != 1 ||
      static_cast<size_t>(len) + static_cast<size_t>(final_len) != data.size()) {
    throw std::runtime_error("OpenSSL cannot compute SM4-CTR");
  }
  return out;
}

Sm3Digest HmacSm3(std::string_view key, std::string_view data) {
  Sm3Digest out{};
  unsigned int len = 0;
  if (HMAC(EVP_sm3(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &len) == nullptr ||
      len != out.size()) {
    throw std::runtime_error("OpenSSL cannot compute HMAC-SM3");
  }
  return out;
}

HmacSm3Key::HmacSm3Key(std::string_view key) {
  static EVP_MAC* const kMac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = kMac != nullptr ? EVP_MAC_CTX_new(kMac) : nullptr;
  char digest[] = "SM3";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                         OSSL_PARAM_construct_end()};
  if (ctx == nullptr || EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()),
                                     key.size(), params) != 1) {
    EVP_MAC_CTX_free(ctx);
    throw std::runtime_error("OpenSSL cannot prepare HMAC-SM3");
  }
  ctx_ =
      std::shared_ptr<void>(ctx, [](void* c) { EVP_MAC_CTX_free(static_cast<EVP_MAC_CTX*>(c)); });
}

Sm3Digest HmacSm3Key::Mac(std::string_view data) const { return Mac(data, {}); }

Sm3Digest HmacSm3Key::Mac(std::string_view a, std::string_view b) const {
  std::unique_ptr<EVP_MAC_CTX, void (*)(EVP_MAC_CTX*)> c(
      EVP_MAC_CTX_dup(static_cast<EVP_MAC_CTX*>(ctx_.get())), EVP_MAC_CTX_free);
  Sm3Digest out{};
  size_t len = 0;
  if (!c ||
      EVP_MAC_update(c.get(), reinterpret_cast<const unsigned char*>(a.data()), a.size()) != 1 ||
      EVP_MAC_update(c.get(), reinterpret_cast<const unsigned char*>(b.data()), b.size()) != 1 ||
      EVP_MAC_final(c.get(), out.data(), &len, out.size()) != 1 || len != out.size()) {
    throw std::runtime_error("OpenSSL cannot compute HMAC-SM3");
  }
  return out;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("OpenSSL's random generator failed");
  }
  return out;
}

namespace {

std::string Tag(const HmacSm3Key& mac_key, std::string_view associated, std::string_view body) {
  // Length-prefixed so that (associated, body) pairs never collide.
  std::string prefix = std::to_string(associated.size());
  prefix += ':';
  prefix += associated;
  Sm3Digest mac = mac_key.Mac(prefix, body);
  return std::string(reinterpret_cast<const char*>(mac.data()), kTagSize);
}

}  // namespace

std::string Sm4Seal(const Sm4Key& enc_key, const HmacSm3Key& mac_key, std::string_view associated,
                    std::string_view plaintext) {
  std::string iv_bytes = RandomBytes(16);
  Sm4Iv iv{};
  std::copy(iv_bytes.begin(), iv_bytes.end(), iv.begin());
  std::string out = iv_bytes + Sm4Ctr(enc_key, iv, plaintext);
  out += Tag(mac_key, associated, out);
  return out;
}

Result<std::string> Sm4Open(const Sm4Key& enc_key, const HmacSm3Key& mac_key,
                            std::string_view associated, std::string_view sealed) {
  if (sealed.size() < 16 + kTagSize) {
    return Error(ErrorCode::kIntegrity, "sealed value too short");
  }
  std::string_view body = sealed.substr(0, sealed.size() - kTagSize);
  std::string_view tag = sealed.substr(sealed.size() - kTagSize);
  std::string expected = Tag(mac_key, associated, body);
  if (CRYPTO_memcmp(expected.data(), tag.data(), kTagSize) != 0) {
    return Error(ErrorCode::kIntegrity, "sealed value fails its SM3-HMAC check");
  }
  Sm4Iv iv{};
  std::copy(body.begin(), body.begin() + 16, iv.begin());
  return Sm4Ctr(enc_key, iv, body.substr(16));
}

}  // namespace tongban::crypto
