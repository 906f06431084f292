#include "cases/files.h"

#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "crypto/sm3.h"

namespace tongban::cases {

std::string SniffMediaType(std::string_view b) {
  if (b.starts_with("%PDF-")) return "application/pdf";
  if (b.starts_with("\x89PNG\r\n\x1a\n")) return "image/png";
  if (b.starts_with("\xFF\xD8\xFF")) return "image/jpeg";
  // A zip local file header: the name starts at byte 30, its length at bytes 26-27.
  if (b.starts_with(std::string_view("PK\x03\x04", 4)) && b.size() >= 30) {
    const size_t len = static_cast<unsigned char>(b[26]) | (static_cast<unsigned char>(b[27]) << 8);
    if (b.size() >= 30 + len && b.substr(30, len) == "OFD.xml") return "application/ofd";
  }
  return "";
}

Result<ScanVerdict> SimulatedVirusScanner::Scan(std::string_view bytes) {
  constexpr std::string_view kEicar =
      "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
  return bytes.find(kEicar) == std::string_view::npos ? ScanVerdict::kClean
                                                      : ScanVerdict::kInfected;
}

std::string BlobStore::PathOf(std::string_view hash) const {
  return fmt::format("{}/{}/{}", dir_, hash.substr(0, 2), hash);
}

Result<std::string> BlobStore::Put(std::string_view bytes) const {
  namespace fs = std::filesystem;
  std::string hash = crypto::Sm3Hex(bytes);
  const fs::path path = PathOf(hash);
  std::error_code ec;
  if (fs::exists(path, ec)) return hash;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    return Error(ErrorCode::kStorage,
                 fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
  static std::atomic<uint64_t> counter{0};
  const fs::path temp = fmt::format("{}.tmp-{}-{}", path.string(), ::getpid(), ++counter);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return Error(ErrorCode::kStorage, fmt::format("cannot write {}", temp.string()));
  }
  fs::rename(temp, path, ec);
  if (ec)
    return Error(ErrorCode::kStorage,
                 fmt::format("cannot store {}: {}", path.string(), ec.message()));
  return hash;
}

Result<std::string> BlobStore::Get(std::string_view hash) const {
  std::ifstream in(PathOf(hash), std::ios::binary);
  if (!in) return Error(ErrorCode::kNotFound, fmt::format("no stored file {}", hash));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (crypto::Sm3Hex(bytes) != hash) {
    return Error(ErrorCode::kIntegrity,
                 fmt::format("stored file {} does not match its digest", hash));
  }
  return bytes;
}

}  // namespace tongban::cases
