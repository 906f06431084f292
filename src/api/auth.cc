#include "api/auth.h"

#include <fmt/format.h>

namespace tongban::api {

Result<people::Principal> Auth::Authenticate(const httplib::Request& req) const {
  const std::string header = req.get_header_value("Authorization");
  if (header.empty()) {
    return Error(ErrorCode::kUnauthenticated, "this resource needs an Authorization: Bearer token");
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

}  // namespace tongban::api
