#include "registers/field_cipher.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "crypto/sm3.h"

namespace tongban::registers {
namespace {

Result<std::string> Secret(std::string_view hex, std::string_view field) {
  auto bytes = crypto::FromHex(hex);
  if (!bytes.ok() || bytes->size() != 32) {
    return Error(ErrorCode::kInvalidArgument, "bad register key",
                 {{std::string(field), "must be 64 hex digits (32 bytes)"}});
  }
  return std::move(bytes).value();
}

}  // namespace

Result<RegisterKeys> ParseRegisterKeys(std::string_view yaml) {
  RegisterKeys keys;
  FieldErrors errors;
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (root["current"]) keys.current_key_id = root["current"].as<std::string>();
    if (root["index_key"]) keys.index_key = root["index_key"].as<std::string>();
    if (root["sealing_keys"] && root["sealing_keys"].IsMap()) {
      for (const auto& kv : root["sealing_keys"]) {
        keys.sealing_keys[kv.first.as<std::string>()] = kv.second.as<std::string>();
      }
    }
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("register keys: {}", e.what()));
  }
  if (keys.current_key_id.empty()) errors.Add("current", "required");
  if (keys.index_key.empty()) errors.Add("index_key", "required");
  if (keys.sealing_keys.empty()) errors.Add("sealing_keys", "required");
  if (!errors.empty()) return errors.ToError("register keys are incomplete");
  return keys;
}

std::string GenerateRegisterKeysYaml() {
  return fmt::format(
      "# Register field keys: SM4 sealing keys by id (add one and make it current to rotate;\n"
      "# keep the old ones until `tongban register rotate-keys` has re-sealed every row) and\n"
      "# the HMAC-SM3 blind-index key (never changes).\n"
      "current: k1\nsealing_keys:\n  k1: {}\nindex_key: {}\n",
      crypto::ToHex(crypto::RandomBytes(32)), crypto::ToHex(crypto::RandomBytes(32)));
}

Result<RegisterKeys> LoadOrCreateRegisterKeys(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    std::ofstream out(path);
    out << GenerateRegisterKeysYaml();
    out.close();
    if (!out) return Error(ErrorCode::kInvalidArgument, "cannot write register keys " + path);
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kInvalidArgument, "cannot read register keys " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseRegisterKeys(text);
}

Result<FieldCipher> FieldCipher::Create(const RegisterKeys& keys) {
  FieldCipher c;
  FieldErrors errors;
  for (const auto& [id, hex] : keys.sealing_keys) {
    if (id.empty() || id.find(':') != std::string::npos || id.find('/') != std::string::npos) {
      errors.Add("sealing_keys",
                 fmt::format("key id '{}' must be non-empty, without ':' or '/'", id));
      continue;
    }
    auto secret = Secret(hex, "sealing_keys/" + id);
    if (!secret.ok()) {
      errors.Add("sealing_keys/" + id, "must be 64 hex digits (32 bytes)");
      continue;
    }
    crypto::Sm3Digest enc = crypto::HmacSm3(*secret, "tongban register sm4");
    crypto::Sm3Digest mac = crypto::HmacSm3(*secret, "tongban register mac");
    Key k{.enc = {},
          .mac = crypto::HmacSm3Key(
              std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()))};
    std::copy(enc.begin(), enc.begin() + 16, k.enc.begin());
    c.keys_.emplace(id, std::move(k));
  }
  if (c.keys_.find(keys.current_key_id) == c.keys_.end()) {
    errors.Add("current", fmt::format("key '{}' is not in sealing_keys", keys.current_key_id));
  }
  auto index = Secret(keys.index_key, "index_key");
  if (!index.ok()) {
    errors.Add("index_key", "must be 64 hex digits (32 bytes)");
  } else {
    c.index_key_.emplace(*index);
  }
  if (!errors.empty()) return errors.ToError("invalid register keys");
  c.current_ = keys.current_key_id;
  return c;
}

std::string FieldCipher::Seal(std::string_view field, std::string_view plaintext) const {
  const Key& k = keys_.find(current_)->second;
  std::string associated = fmt::format("{}/{}", current_, field);
  return current_ + ":" + crypto::ToHex(crypto::Sm4Seal(k.enc, k.mac, associated, plaintext));
}

Result<std::string> FieldCipher::Open(std::string_view field, std::string_view stored) const {
  std::string_view id = KeyIdOf(stored);
  auto it = keys_.find(id);
  if (id.empty() || it == keys_.end()) {
    return Error(ErrorCode::kIntegrity, fmt::format("{} sealed under an unknown key", field));
  }
  auto bytes = crypto::FromHex(stored.substr(id.size() + 1));
  if (!bytes.ok()) return Error(ErrorCode::kIntegrity, fmt::format("{} is not sealed", field));
  return crypto::Sm4Open(it->second.enc, it->second.mac, fmt::format("{}/{}", id, field), *bytes);
}

std::string FieldCipher::Index(std::string_view field, std::string_view value) const {
  std::string prefix(field);
  prefix += ':';
  crypto::Sm3Digest d = index_key_->Mac(prefix, value);
  return crypto::ToHex(std::span<const uint8_t>(d.data(), 16));
}

std::string_view FieldCipher::KeyIdOf(std::string_view stored) {
  size_t colon = stored.find(':');
  return colon == std::string_view::npos ? std::string_view() : stored.substr(0, colon);
}

}  // namespace tongban::registers
