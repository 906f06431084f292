#include "api/static_files.h"

#include <fmt/format.h>
#include <zlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

namespace tongban::api {
namespace {

namespace fs = std::filesystem;

constexpr char kImmutable[] = "public, max-age=31536000, immutable";
constexpr char kRevalidate[] = "no-cache";

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

bool IsCompressible(const std::string& type) {
  return type.starts_with("text/") || type.starts_with("application/json") ||
         type.starts_with("image/svg+xml");
}

bool AcceptsGzip(const httplib::Request& req) {
  return req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
}

// A path the pages may hold: absolute, no "..", no empty or hidden segments, no backslashes.
bool IsSafePath(const std::string& path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.find('\\') != std::string::npos || path.find('\0') != std::string::npos) return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view segment(path.data() + start, end - start);
    if (segment.starts_with('.')) return false;  // "..", "." and hidden files
    if (segment.empty() && end != path.size()) return false;
    start = end + 1;
  }
  return true;
}

bool HasExtension(const std::string& path) {
  const size_t slash = path.rfind('/');
  return path.find('.', slash == std::string::npos ? 0 : slash) != std::string::npos;
}

}  // namespace

std::string ContentTypeOf(const std::string& path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
  }};
  for (const auto& [ext, type] : kTypes) {
    if (path.ends_with(ext)) return std::string(type);
  }
  return "application/octet-stream";
}

std::string Gzip(std::string_view data) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const size_t written = z.total_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  out.resize(written);
  return out;
}

Result<StaticFiles> StaticFiles::Open(const std::string& dir,
                                      const std::vector<std::string>& reserved) {
  std::error_code ec;
  const fs::path index = fs::path(dir) / "index.html";
  if (!fs::is_regular_file(index, ec)) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("no built web pages: {} does not exist", index.string()));
  }
  std::vector<std::regex> patterns;
  patterns.reserve(reserved.size());
  for (const std::string& r : reserved) patterns.emplace_back(r);
  StaticFiles files(dir, std::move(patterns));
  // Read and compress everything now (a build is a few megabytes), so that the first visitor
  // does not wait for it.
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      (void)files.Load(fs::relative(it->path(), dir, ec).generic_string());
    }
  }
  return files;
}

std::shared_ptr<const StaticFiles::Cached> StaticFiles::Load(const std::string& relative) const {
  const fs::path path = fs::path(dir_) / relative;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return nullptr;
  const uintmax_t size = fs::file_size(path, ec);
  const fs::file_time_type modified = fs::last_write_time(path, ec);
  if (ec) return nullptr;
  {
    std::lock_guard lock(cache_->mu);
    auto it = cache_->files.find(relative);
    if (it != cache_->files.end() && it->second->size == size && it->second->modified == modified) {
      return it->second;
    }
  }
  std::optional<std::string> raw = ReadFile(path);
  if (!raw) return nullptr;
  auto cached = std::make_shared<Cached>();
  cached->raw = std::move(*raw);
  cached->size = size;
  cached->modified = modified;
  if (cached->raw.size() >= 1024 && IsCompressible(ContentTypeOf(relative))) {
    cached->gzip = Gzip(cached->raw);
  }
  std::lock_guard lock(cache_->mu);
  cache_->files[relative] = cached;
  return cached;
}

void StaticFiles::Send(const httplib::Request& req, httplib::Response& res,
                       std::shared_ptr<const Cached> file, const std::string& type) const {
  const bool gzip = !file->gzip.empty() && AcceptsGzip(req);
  if (!file->gzip.empty()) res.set_header("Vary", "Accept-Encoding");
  if (gzip) res.set_header("Content-Encoding", "gzip");
  res.set_header("X-Content-Type-Options", "nosniff");
  const size_t size = gzip ? file->gzip.size() : file->raw.size();
  // The provider holds `file` until the answer is written.
  res.set_content_provider(
      size, type,
      [file = std::move(file), gzip](size_t offset, size_t length, httplib::DataSink& sink) {
        const std::string& body = gzip ? file->gzip : file->raw;
        return sink.write(body.data() + offset, length);
      });
}

bool StaticFiles::Serve(const httplib::Request& req, httplib::Response& res) const {
  if (req.method != "GET" && req.method != "HEAD") return false;
  const std::string& path = req.path;
  if (path == "/api" || path.starts_with("/api/")) return false;
  for (const std::regex& r : reserved_) {
    if (std::regex_match(path, r)) return false;
  }
  if (!IsSafePath(path)) return false;
  if (path != "/" && HasExtension(path)) {
    std::shared_ptr<const Cached> file = Load(path.substr(1));
    if (file) {
      res.set_header("Cache-Control", path.starts_with("/assets/") ? kImmutable : kRevalidate);
      Send(req, res, std::move(file), ContentTypeOf(path));
      return true;
    }
    // A missing asset is a 404 from routing, never index.html (a stale page asking for an old
    // hashed file must not get HTML as JavaScript); a dot in a page path (a licence id such as
    // 1.2.156.3005…) is no file type.
    if (path.starts_with("/assets/") || ContentTypeOf(path) != "application/octet-stream") {
      return false;
    }
  }
  std::shared_ptr<const Cached> index = Load("index.html");
  if (!index) return false;
  res.set_header("Cache-Control", kRevalidate);
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "same-origin");
  Send(req, res, std::move(index), "text/html; charset=utf-8");
  return true;
}

}  // namespace tongban::api
