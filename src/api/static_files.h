// The built web pages (Vite's output: index.html and hashed files under assets/) served by the
// API server itself, so one process serves pages and API. A single-page application in history
// mode: a page path such as /portal/matters/X is answered with index.html and the page's router
// takes it from there — but never a path under /api/ (an unknown API path stays a problem+json
// 404) nor one the server routes itself (`reserved`).
#pragma once

#include <httplib.h>

#include <regex>
#include <string>
#include <vector>

#include "base/result.h"

namespace tongban::api {

class StaticFiles {
 public:
  // The pages in `dir`; kNotFound naming the file when `dir` has no index.html (not built).
  // `reserved` are the server's own non-API GET routes (cpp-httplib regexes such as
  // "/verify/([^/]+)"), which keep precedence over index.html.
  static Result<StaticFiles> Open(const std::string& dir, const std::vector<std::string>& reserved);

  // Answers a GET or HEAD for a file or a page path and returns true; returns false (and leaves
  // `res` alone) for everything else so that routing goes on. Hashed files under /assets/ are
  // cached for a year (immutable); index.html is revalidated every time, so a new build shows at
  // the next visit.
  bool Serve(const httplib::Request& req, httplib::Response& res) const;

  const std::string& dir() const { return dir_; }

 private:
  StaticFiles(std::string dir, std::vector<std::regex> reserved)
      : dir_(std::move(dir)), reserved_(std::move(reserved)) {}

  std::string dir_;
  std::vector<std::regex> reserved_;
};

// The MIME type of a file name by its extension; application/octet-stream when unknown.
std::string ContentTypeOf(const std::string& path);

}  // namespace tongban::api
