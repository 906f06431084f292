// Authentication and authorisation at the HTTP edge, for every route that needs them: the
// bearer token of "Authorization: Bearer <token>" becomes a people::Principal, and Require()
// checks a permission over a target (region, department, matter). A route does
//   auto p = auth.Authenticate(req);
//   if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
//   Status s = auth.Require(*p, "catalog.write",
//                           {.region = item.region, .department = item.department,
//                            .matter = item.code});
//   if (!s.ok()) return WriteProblem(res, s.error(), ctx);
// A 401 answer carries the RFC 6750 challenge; a 403 names the missing permission or scope.
//
// Pages authenticate by cookie instead (docs/web.md): `POST /api/v1/sessions?session=cookie`
// sets the HttpOnly session cookie tb_session (SameSite=Strict; Secure over TLS) and answers a
// CSRF token bound to the session (also readable by the page from the tb_csrf cookie). A write
// (any method but GET/HEAD/OPTIONS) authenticated by the cookie must send that token back in
// X-CSRF-Token or is refused 403. A request with an Authorization header never looks at cookies.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/server.h"
#include "base/result.h"
#include "people/model.h"
#include "people/service.h"

namespace tongban::api {

class Auth {
 public:
  // `people` must outlive the Auth.
  explicit Auth(people::PeopleService& people) : people_(people) {}

  // The principal behind the request's bearer token, or, without an Authorization header, behind
  // its session cookie. kUnauthenticated when neither is there, the header is not
  // "Bearer <token>", or the token is malformed, unknown, expired or revoked; kForbidden for a
  // cookie-authenticated write whose X-CSRF-Token header is missing or wrong.
  Result<people::Principal> Authenticate(const httplib::Request& req) const;

  // Ok when `principal` holds `permission` over `target` now; kForbidden naming the missing
  // permission or the scope dimension no grant reaches.
  Status Require(const people::Principal& principal, std::string_view permission,
                 const people::Target& target) const;

  // Authenticate, then Require.
  Result<people::Principal> AuthenticateAndRequire(const httplib::Request& req,
                                                   std::string_view permission,
                                                   const people::Target& target) const;

  people::PeopleService& people() const { return people_; }

 private:
  people::PeopleService& people_;
};

inline constexpr char kSessionCookie[] = "tb_session";
inline constexpr char kCsrfCookie[] = "tb_csrf";
inline constexpr char kCsrfHeader[] = "X-CSRF-Token";

// The CSRF token of a session: a digest of its (secret, HttpOnly) token, so it is bound to the
// session, needs no storage, and does not reveal the token.
std::string CsrfTokenFor(std::string_view session_token);

// The value of cookie `name` in the request's Cookie header(s); empty when absent.
std::string CookieValue(const httplib::Request& req, std::string_view name);

// True when a login asks for a cookie session (`?session=cookie`) instead of a bearer token.
bool WantsCookieSession(const httplib::Request& req);

// Sets tb_session (HttpOnly) and tb_csrf (readable by the page), both SameSite=Strict, Path=/,
// expiring with the session, and Secure when the request came over TLS.
void SetSessionCookies(const httplib::Request& req, httplib::Response& res,
                       std::string_view session_token, int64_t expires_at_ms, int64_t now_ms);

// Expires both cookies (logout).
void ClearSessionCookies(const httplib::Request& req, httplib::Response& res);

// WriteProblem, plus `WWW-Authenticate: Bearer` on 401 answers (RFC 6750).
void WriteAuthProblem(httplib::Response& res, const Error& error, const RequestContext& ctx);

// The caller, or nullopt after answering the authentication problem (WriteAuthProblem): the
// first line of every authenticated route handler.
std::optional<people::Principal> CallerOrProblem(const Auth& auth, const httplib::Request& req,
                                                 httplib::Response& res, const RequestContext& ctx);

// The body as a JSON object, or nullopt after answering the problem (malformed JSON, wrong
// Content-Type, not an object). With `empty_ok` an empty body is an empty object (actions
// without fields).
std::optional<nlohmann::json> JsonBodyOrProblem(const httplib::Request& req, httplib::Response& res,
                                                const RequestContext& ctx, bool empty_ok);

}  // namespace tongban::api
