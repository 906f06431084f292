#include "crypto/sm4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
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
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  std::string out(data.size(), '\0');
  int len = 0;
  int final_len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_sm4_ctr(), nullptr, key.data(), iv.data()) != 1 ||
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

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("OpenSSL's random generator failed");
  }
  return out;
}

namespace {

std::string Tag(std::string_view mac_key, std::string_view associated, std::string_view body) {
  std::string input;
  input.reserve(associated.size() + body.size() + 8);
  // Length-prefixed so that (associated, body) pairs never collide.
  input += std::to_string(associated.size());
  input += ':';
  input += associated;
  input += body;
  Sm3Digest mac = HmacSm3(mac_key, input);
  return std::string(reinterpret_cast<const char*>(mac.data()), kTagSize);
}

}  // namespace

std::string Sm4Seal(const Sm4Key& enc_key, std::string_view mac_key, std::string_view associated,
                    std::string_view plaintext) {
  std::string iv_bytes = RandomBytes(16);
  Sm4Iv iv{};
  std::copy(iv_bytes.begin(), iv_bytes.end(), iv.begin());
  std::string out = iv_bytes + Sm4Ctr(enc_key, iv, plaintext);
  out += Tag(mac_key, associated, out);
  return out;
}

Result<std::string> Sm4Open(const Sm4Key& enc_key, std::string_view mac_key,
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
