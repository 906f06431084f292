#include "api/auth.h"

#include <fmt/format.h>

#include <algorithm>

#include "api/json_body.h"
#include "crypto/sm3.h"

namespace tongban::api {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads, writes and deletes do not change state: only other methods need the CSRF header.
bool IsSafeMethod(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

// Compares in time independent of where the strings differ (the token is a secret's digest).
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

bool OverTls(const httplib::Request& req) {
  // A TLS-terminating proxy in front says so; the flag only ever makes the cookie stricter.
  return req.ssl != nullptr || req.get_header_value("X-Forwarded-Proto") == "https";
}

std::string CookieAttributes(const httplib::Request& req, int64_t max_age_s) {
  return fmt::format("; Path=/; Max-Age={}; SameSite=Strict{}", max_age_s,
                     OverTls(req) ? "; Secure" : "");
}

}  // namespace

std::string CsrfTokenFor(std::string_view session_token) {
  return crypto::Sm3Hex(fmt::format("tongban-csrf\n{}", session_token));
}

std::string CookieValue(const httplib::Request& req, std::string_view name) {
  const size_t count = req.get_header_value_count("Cookie");
  for (size_t i = 0; i < count; ++i) {
    const std::string header = req.get_header_value("Cookie", i);
    std::string_view rest(header);
    while (!rest.empty()) {
      const size_t end = rest.find(';');
      std::string_view pair = Trim(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != name) continue;
      std::string_view value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
  }
  return "";
}

bool WantsCookieSession(const httplib::Request& req) {
  return req.get_param_value("session") == "cookie";
}

void SetSessionCookies(const httplib::Request& req, httplib::Response& res,
                       std::string_view session_token, int64_t expires_at_ms, int64_t now_ms) {
  const int64_t max_age_s = std::max<int64_t>(0, (expires_at_ms - now_ms) / 1000);
  const std::string attributes = CookieAttributes(req, max_age_s);
  res.set_header("Set-Cookie",
                 fmt::format("{}={}{}; HttpOnly", kSessionCookie, session_token, attributes));
  res.set_header("Set-Cookie",
                 fmt::format("{}={}{}", kCsrfCookie, CsrfTokenFor(session_token), attributes));
}

void ClearSessionCookies(const httplib::Request& req, httplib::Response& res) {
  const std::string attributes = CookieAttributes(req, 0);
  res.set_header("Set-Cookie", fmt::format("{}={}; HttpOnly", kSessionCookie, attributes));
  res.set_header("Set-Cookie", fmt::format("{}={}", kCsrfCookie, attributes));
}

Result<people::Principal> Auth::Authenticate(const httplib::Request& req) const {
  const std::string header = req.get_header_value("Authorization");
  if (header.empty()) {
    const std::string cookie = CookieValue(req, kSessionCookie);
    if (cookie.empty()) {
      return Error(ErrorCode::kUnauthenticated,
                   "this resource needs an Authorization: Bearer token or a session cookie");
    }
    TB_ASSIGN_OR_RETURN(people::Principal principal, people_.Authenticate(cookie));
    if (!IsSafeMethod(req.method) &&
        !ConstantTimeEquals(req.get_header_value(kCsrfHeader), CsrfTokenFor(cookie))) {
      return Error(ErrorCode::kForbidden,
                   fmt::format("a write authenticated by the session cookie needs the {} header "
                               "with the session's CSRF token (the {} cookie)",
                               kCsrfHeader, kCsrfCookie));
    }
    return principal;
  }
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), header.begin(),
                  [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
    return Error(ErrorCode::kUnauthenticated, "the Authorization header must be 'Bearer <token>'");
  }
  std::string_view token(header);
  token.remove_prefix(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return people_.Authenticate(token);
}

Status Auth::Require(const people::Principal& principal, std::string_view permission,
                     const people::Target& target) const {
  return people_.Authorize(principal, permission, target);
}

Result<people::Principal> Auth::AuthenticateAndRequire(const httplib::Request& req,
                                                       std::string_view permission,
                                                       const people::Target& target) const {
  TB_ASSIGN_OR_RETURN(people::Principal principal, Authenticate(req));
  TB_RETURN_IF_ERROR(Require(principal, permission, target));
  return principal;
}

void WriteAuthProblem(httplib::Response& res, const Error& error, const RequestContext& ctx) {
  if (error.code() == ErrorCode::kUnauthenticated) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"tongban\"");
  }
  WriteProblem(res, error, ctx);
}

std::optional<people::Principal> CallerOrProblem(const Auth& auth, const httplib::Request& req,
                                                 httplib::Response& res,
                                                 const RequestContext& ctx) {
  auto p = auth.Authenticate(req);
  if (!p.ok()) {
    WriteAuthProblem(res, p.error(), ctx);
    return std::nullopt;
  }
  return std::move(p).value();
}

std::optional<nlohmann::json> JsonBodyOrProblem(const httplib::Request& req, httplib::Response& res,
                                                const RequestContext& ctx, bool empty_ok) {
  if (empty_ok && req.body.empty()) return nlohmann::json::object();
  auto body = ParseJsonBody(req);
  if (!body.ok()) {
    WriteProblem(res, body.error(), ctx);
    return std::nullopt;
  }
  return std::move(body).value();
}

}  // namespace tongban::api
