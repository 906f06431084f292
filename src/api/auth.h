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
#pragma once

#include <httplib.h>

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

  // The principal behind the request's bearer token. kUnauthenticated when the header is
  // missing, is not "Bearer <token>", or the token is malformed, unknown, expired or revoked.
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

// WriteProblem, plus `WWW-Authenticate: Bearer` on 401 answers (RFC 6750).
void WriteAuthProblem(httplib::Response& res, const Error& error, const RequestContext& ctx);

}  // namespace tongban::api
