#include "api/static_files.h"

#include <fmt/format.h>

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
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
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
  return StaticFiles(dir, std::move(patterns));
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
    // A file: served when it exists; a missing one is a 404 from routing, never index.html
    // (a stale page asking for an old hashed file must not get HTML as JavaScript).
    std::optional<std::string> body = ReadFile(fs::path(dir_) / path.substr(1));
    if (!body) return false;
    res.set_header("Cache-Control", path.starts_with("/assets/") ? kImmutable : kRevalidate);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(std::move(*body), ContentTypeOf(path));
    return true;
  }
  std::optional<std::string> index = ReadFile(fs::path(dir_) / "index.html");
  if (!index) return false;
  res.set_header("Cache-Control", kRevalidate);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "same-origin");
  res.set_content(std::move(*index), "text/html; charset=utf-8");
  return true;
}

}  // namespace tongban::api
