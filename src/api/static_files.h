// The built web pages (Vite's output: index.html and hashed files under assets/) served by the
// API server itself, so one process serves pages and API. A single-page application in history
// mode: a page path such as /portal/matters/X is answered with index.html and the page's router
// takes it from there — but never a path under /api/ (an unknown API path stays a problem+json
// 404) nor one the server routes itself (`reserved`).
#pragma once

#include <httplib.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "base/result.h"

namespace tongban::api {

class StaticFiles {
 public:
  // The pages in `dir`, read and compressed at once; kNotFound naming the file when `dir` has no
  // index.html (not built).
  // `reserved` are the server's own non-API GET routes (cpp-httplib regexes such as
  // "/verify/([^/]+)"), which keep precedence over index.html.
  static Result<StaticFiles> Open(const std::string& dir, const std::vector<std::string>& reserved);

  // Answers a GET or HEAD for a file or a page path and returns true; returns false (and leaves
  // `res` alone) for everything else so that routing goes on. Hashed files under /assets/ are
  // cached for a year (immutable); index.html is revalidated every time, so a new build shows at
  // the next visit. Text files go gzip-compressed (once, kept in memory) to clients that accept
  // it; they are sent with a fixed length, which keeps cpp-httplib from compressing them again
  // per request (its Brotli at the default quality takes seconds for a megabyte).
  bool Serve(const httplib::Request& req, httplib::Response& res) const;

  const std::string& dir() const { return dir_; }

 private:
  // A file as read, with its gzip form (empty when not worth compressing).
  struct Cached {
    std::string raw;
    std::string gzip;
    std::filesystem::file_time_type modified;
    uintmax_t size = 0;
  };
  // Files by path; an entry is replaced when the file's size or time changes (a new build).
  struct Cache {
    std::mutex mu;
    std::map<std::string, std::shared_ptr<const Cached>> files;
  };

  StaticFiles(std::string dir, std::vector<std::regex> reserved)
      : dir_(std::move(dir)), reserved_(std::move(reserved)), cache_(std::make_unique<Cache>()) {}

  std::shared_ptr<const Cached> Load(const std::string& relative) const;
  void Send(const httplib::Request& req, httplib::Response& res, std::shared_ptr<const Cached> file,
            const std::string& type) const;

  std::string dir_;
  std::vector<std::regex> reserved_;
  std::unique_ptr<Cache> cache_;
};

// The MIME type of a file name by its extension; application/octet-stream when unknown.
std::string ContentTypeOf(const std::string& path);

// `data` in the gzip format (RFC 1952); throws std::runtime_error if zlib fails (out of memory).
std::string Gzip(std::string_view data);

}  // namespace tongban::api
