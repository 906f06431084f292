#include "keys/master_key.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "crypto/sm3.h"

namespace tongban::keys {
namespace {

constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Status MasterKeyRing::Add(std::string id, std::string key) {
  if (!ValidId(id)) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("master key id \"{}\" must be 1 to 32 of A-Z a-z 0-9 - _ .", id));
  }
  if (key.size() != kKeyBytes) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("master key {} must be {} bytes", id, kKeyBytes));
  }
  keys_[id] = std::move(key);
  current_ = std::move(id);
  return Ok();
}

Result<MasterKeyRing> MasterKeyRing::Parse(std::string_view text) {
  MasterKeyRing ring;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::string id;
    std::string hex;
    std::string extra;
    if (!(fields >> id)) continue;
    if (!(fields >> hex) || (fields >> extra)) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("master key line {}: expected \"<id> <64 hex digits>\"", number));
    }
    auto key = crypto::FromHex(hex);
    if (!key.ok()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("master key line {}: the key is not hex", number));
    }
    Status added = ring.Add(id, std::move(key).value());
    if (!added.ok()) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("master key line {}: {}", number, added.error().message()));
    }
  }
  if (ring.keys_.empty()) return Error(ErrorCode::kInvalidArgument, "no master key");
  return ring;
}

Result<MasterKeyRing> MasterKeyRing::Generate(std::string id) {
  std::string key(kKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), kKeyBytes) != 1) {
    return Error(ErrorCode::kCrypto, "no random bytes for a master key");
  }
  MasterKeyRing ring;
  TB_RETURN_IF_ERROR(ring.Add(std::move(id), std::move(key)));
  return ring;
}

Result<MasterKeyRing> MasterKeyRing::LoadOrCreate(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    return Parse(text.str());
  }
  TB_ASSIGN_OR_RETURN(MasterKeyRing ring, Generate("m1"));
  const std::string text = ring.ToText();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    return Error(ErrorCode::kUnavailable, fmt::format("cannot create master key file {}", path));
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) {
    return Error(ErrorCode::kUnavailable, fmt::format("cannot write master key file {}", path));
  }
  return ring;
}

std::string MasterKeyRing::ToText() const {
  std::string out = "# tongban master keys: <id> <hex>; the last line is the current key\n";
  for (const auto& [id, key] : keys_) {
    if (id == current_) continue;
    out += fmt::format("{} {}\n", id, crypto::ToHex(key));
  }
  out += fmt::format("{} {}\n", current_, crypto::ToHex(keys_.at(current_)));
  return out;
}

std::string_view MasterKeyRing::KeyIdOf(std::string_view wrapped) {
  return wrapped.substr(0, wrapped.find(':'));
}

Result<std::string> MasterKeyRing::Wrap(std::string_view plaintext,
                                        std::string_view context) const {
  const std::string& key = keys_.at(current_);
  unsigned char nonce[kNonceBytes];
  if (RAND_bytes(nonce, kNonceBytes) != 1) return Error(ErrorCode::kCrypto, "no random nonce");
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  std::string out(plaintext.size() + kTagBytes, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  int total = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(context),
                        static_cast<int>(context.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1) {
    return Error(ErrorCode::kCrypto, "cannot encrypt with the master key");
  }
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), dst + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, dst + total + len) != 1) {
    return Error(ErrorCode::kCrypto, "cannot encrypt with the master key");
  }
  total += len;
  out.resize(total + kTagBytes);
  return fmt::format(
      "{}:{}:{}", current_,
      crypto::ToHex(std::string_view(reinterpret_cast<const char*>(nonce), kNonceBytes)),
      crypto::ToHex(out));
}

Result<std::string> MasterKeyRing::Unwrap(std::string_view wrapped,
                                          std::string_view context) const {
  const size_t first = wrapped.find(':');
  const size_t second = first == std::string_view::npos ? first : wrapped.find(':', first + 1);
  if (second == std::string_view::npos) {
    return Error(ErrorCode::kIntegrity, "a wrapped private key is malformed");
  }
  const std::string_view id = wrapped.substr(0, first);
  const auto key = keys_.find(id);
  if (key == keys_.end()) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("master key {} is not in the master key file", id));
  }
  auto nonce = crypto::FromHex(wrapped.substr(first + 1, second - first - 1));
  auto sealed = crypto::FromHex(wrapped.substr(second + 1));
  if (!nonce.ok() || !sealed.ok() || nonce.value().size() != kNonceBytes ||
      sealed.value().size() < kTagBytes) {
    return Error(ErrorCode::kIntegrity, "a wrapped private key is malformed");
  }
  const std::string& data = sealed.value();
  const size_t body = data.size() - kTagBytes;
  std::string out(body, '\0');
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::string tag = data.substr(body);
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key->second),
                         Bytes(nonce.value())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(context),
                        static_cast<int>(context.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, Bytes(data),
                        static_cast<int>(body)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) !=
          1) {
    return Error(ErrorCode::kIntegrity,
                 fmt::format("a private key does not decrypt under master key {}", id));
  }
  return out;
}

}  // namespace tongban::keys
