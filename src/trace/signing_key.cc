#include "trace/signing_key.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

namespace tongban::trace {
namespace {

Error FileError(std::string_view what, const std::string& path) {
  return Error(ErrorCode::kInvalidArgument,
               fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

Status WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error(ErrorCode::kInternal, std::strerror(errno));
    text.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

}  // namespace

std::string DefaultSigningKeyPath(const store::DatabaseUrl& url) {
  if (url.backend == store::Backend::kSqlite) return url.target + ".signing-key.pem";
  return "tongban.signing-key.pem";
}

Result<crypto::Sm2Key> LoadKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) {
      return Error(ErrorCode::kNotFound, fmt::format("no key file at {}", path));
    }
    return FileError("cannot read key file", path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto key = crypto::Sm2Key::FromPem(text.str());
  if (!key.ok()) {
    Error e = std::move(key).error();
    e.Prefix(fmt::format("key file {}", path));
    return e;
  }
  return key;
}

Result<crypto::Sm2Key> LoadOrCreateSigningKey(const std::string& path) {
  auto existing = LoadKeyFile(path);
  if (existing.ok()) {
    if (!existing->has_private_key()) {
      return Error(
          ErrorCode::kCrypto,
          fmt::format("key file {} holds a public key; signing needs the private key", path));
    }
    return existing;
  }
  if (existing.error().code() != ErrorCode::kNotFound) return existing;

  TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, crypto::Sm2Key::Generate());
  TB_ASSIGN_OR_RETURN(std::string pem, key.PrivatePem());
  const std::string temp =
      fmt::format("{}.{}.{:08x}.tmp", path, ::getpid(), std::random_device{}());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return FileError("cannot create key file", temp);
  Status written = WriteAll(fd, pem);
  if (written.ok() && ::fsync(fd) != 0) written = FileError("cannot sync key file", temp);
  ::close(fd);
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return std::move(written).error();
  }
  const int linked = ::link(temp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) return LoadOrCreateSigningKey(path);  // another process won
    errno = link_errno;
    return FileError("cannot create key file", path);
  }
  spdlog::info("generated the installation's SM2 signing key {} (key {})", path, key.id());
  return key;
}

}  // namespace tongban::trace
