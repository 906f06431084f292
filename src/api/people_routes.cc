#include "api/people_routes.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <set>

#include "api/json_body.h"
#include "people/authorization.h"
#include "people/timestamp.h"

namespace tongban::api {
namespace {

using nlohmann::json;
using people::Principal;

// Shows the start and end of an identifier only: 431128********0037, 138****0001.
std::string Mask(const std::string& s, size_t head, size_t tail) {
  if (s.size() <= head + tail) return s;
  return s.substr(0, head) + std::string(s.size() - head - tail, '*') + s.substr(s.size() - tail);
}

json Time(const std::optional<int64_t>& ms) {
  return ms ? json(people::FormatTimestamp(*ms)) : json(nullptr);
}

json AccountJson(const people::Account& a) {
  return {{"id", a.id},
          {"kind", people::AccountKindName(a.kind)},
          {"name", a.name},
          {"username", Nullable(a.username)},
          {"id_number", Nullable(Mask(a.id_number, 6, 4))},
          {"phone", Nullable(Mask(a.phone, 3, 4))},
          {"region", Nullable(a.region)},
          {"department", Nullable(a.department)},
          {"status", people::AccountStatusName(a.status)},
          {"created_at", people::FormatTimestamp(a.created_at)}};
}

json EnterpriseJson(const people::Enterprise& e) {
  return {{"uscc", e.uscc},
          {"name", e.name},
          {"legal_representative", e.legal_representative},
          {"registered_at", people::FormatTimestamp(e.registered_at)}};
}

json ScopeJson(const people::Scope& s) {
  return {{"region", s.region},
          {"department", s.department},
          {"matters", s.matters.empty() ? json(nullptr) : json(s.matters)},
          {"valid_from", people::FormatTimestamp(s.valid_from)},
          {"valid_until", Time(s.valid_until)}};
}

json GrantJson(const people::RoleGrant& g) {
  return {{"id", g.id},
          {"account_id", g.account_id},
          {"role", g.role},
          {"scope", ScopeJson(g.scope)},
          {"granted_by", Nullable(g.granted_by)},
          {"granted_at", people::FormatTimestamp(g.granted_at)}};
}

json AuthorisationJson(const people::AgentAuthorisation& a) {
  return {{"id", a.id},
          {"uscc", a.uscc},
          {"agent_account", a.agent_account},
          {"valid_from", people::FormatTimestamp(a.valid_from)},
          {"valid_until", Time(a.valid_until)},
          {"granted_by", a.granted_by},
          {"granted_at", people::FormatTimestamp(a.granted_at)},
          {"revoked_at", Time(a.revoked_at)}};
}

// Adds the content errors of `more` for fields not already reported with a type error.
void Merge(FieldErrors& into, const FieldErrors& more) {
  for (const FieldError& f : more.fields()) {
    const bool reported = std::any_of(into.fields().begin(), into.fields().end(),
                                      [&](const FieldError& e) { return e.field == f.field; });
    if (!reported) into.Add(f.field, f.message);
  }
}

// Answers a request that has shape errors (missing fields, wrong types): the service is not
// called with it, but its validator still runs on what was read, so one answer lists every
// invalid field (a field's shape error wins over its content error).
template <typename Request, typename Validate>
void WriteInvalid(const FieldErrors& shape, Request request, Validate validate,
                  std::string_view message, httplib::Response& res, const RequestContext& ctx) {
  FieldErrors errors = shape;
  FieldErrors content;
  validate(request, content);
  Merge(errors, content);
  WriteProblem(res, errors.ToError(std::string(message)), ctx);
}

std::optional<int64_t> ReadTime(ObjectReader& r, const std::string& key, bool required,
                                FieldErrors& errors) {
  auto text = r.String(key, required);
  if (!text) return std::nullopt;
  auto t = people::ParseTimestamp(*text);
  if (!t.ok()) {
    errors.Add(r.PathOf(key), t.error().message());
    return std::nullopt;
  }
  return *t;
}

// Parses the body as a JSON object; answers and returns nullopt when it is not one.
std::optional<json> Body(const httplib::Request& req, httplib::Response& res,
                         const RequestContext& ctx) {
  return JsonBodyOrProblem(req, res, ctx, false);
}

// The principal, or nullopt after answering 401.
std::optional<Principal> Caller(const Auth& auth, const httplib::Request& req,
                                httplib::Response& res, const RequestContext& ctx) {
  return CallerOrProblem(auth, req, res, ctx);
}

void NoContent(httplib::Response& res) {
  res.status = 204;
  res.body.clear();
}

class Routes {
 public:
  Routes(people::PeopleService& people, const Auth& auth, PeopleRoutesOptions options)
      : people_(people), auth_(auth), options_(options) {}

  void RequestCode(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto body = Body(req, res, ctx);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    people::SmsCodeRequest request;
    request.phone = r.String("phone", true).value_or("");
    const std::string purpose = r.String("purpose", true).value_or("");
    if (purpose == "login") {
      request.purpose = people::CodePurpose::kLogin;
    } else if (purpose != "register" && !purpose.empty()) {
      errors.Add("purpose", "must be register or login");
    }
    r.Finish();
    if (!errors.empty())
      return WriteProblem(res, errors.ToError("the code request is invalid"), ctx);
    auto sent = people_.RequestSmsCode(request);
    if (!sent.ok()) return WriteProblem(res, sent.error(), ctx);
    WriteJson(res,
              {{"phone", Mask(request.phone, 3, 4)},
               {"purpose", purpose},
               {"expires_at", people::FormatTimestamp(sent->expires_at)},
               {"resend_after", people::FormatTimestamp(sent->resend_after)}},
              202);
  }

  void RegisterCitizen(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto body = Body(req, res, ctx);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    people::CitizenRegistration request;
    request.id_number = r.String("id_number", true).value_or("");
    request.name = r.String("name", true).value_or("");
    request.phone = r.String("phone", true).value_or("");
    request.code = r.String("code", true).value_or("");
    request.password = r.String("password", false);
    r.Finish();
    if (!errors.empty()) {
      return WriteInvalid(
          errors, request,
          [&](people::CitizenRegistration& r, FieldErrors& e) {
            people::ValidateCitizenRegistration(r, people_.Now(), e);
          },
          "the registration is invalid", res, ctx);
    }
    auto account = people_.RegisterCitizen(std::move(request));
    if (!account.ok()) return WriteProblem(res, account.error(), ctx);
    res.set_header("Location", "/api/v1/me");
    WriteJson(res, {{"account", AccountJson(*account)}}, 201);
  }

  void Login(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto body = Body(req, res, ctx);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    auto username = r.String("username", false);
    auto id_number = r.String("id_number", false);
    auto phone = r.String("phone", false);
    auto password = r.String("password", false);
    auto code = r.String("code", false);
    r.Finish();
    people::LoginRequest request;
    const int identifiers = !!username + !!id_number + !!phone;
    if (identifiers != 1) {
      errors.Add("username",
                 "give exactly one of username, id_number (with password) or phone "
                 "(with code)");
    } else if (phone) {
      request = {people::LoginMethod::kPhoneCode, *phone, code.value_or("")};
      if (!code) errors.Add("code", "is required with phone");
      if (password) errors.Add("password", "is not used with phone; send code");
    } else {
      request = {username ? people::LoginMethod::kUsernamePassword
                          : people::LoginMethod::kIdNumberPassword,
                 username ? *username : *id_number, password.value_or("")};
      if (!password) errors.Add("password", "is required");
      if (code) errors.Add("code", "is used only with phone");
    }
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the login is invalid"), ctx);
    auto session = people_.Login(std::move(request));
    if (!session.ok()) return WriteAuthProblem(res, session.error(), ctx);
    res.set_header("Cache-Control", "no-store");
    json answer = {{"token", session->token},
                   {"token_type", "Bearer"},
                   {"expires_at", people::FormatTimestamp(session->expires_at)},
                   {"session_id", session->session_id},
                   {"account", AccountJson(session->account)}};
    if (WantsCookieSession(req)) {  // a page: the token stays in the HttpOnly cookie
      SetSessionCookies(req, res, session->token, session->expires_at, people_.Now());
      answer.erase("token");
      answer["token_type"] = "Cookie";
      answer["csrf_token"] = CsrfTokenFor(session->token);
    }
    WriteJson(res, answer, 201);
  }

  void Logout(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    Status s = people_.Logout(*caller);
    if (!s.ok()) return WriteProblem(res, s.error(), ctx);
    ClearSessionCookies(req, res);
    NoContent(res);
  }

  void Me(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    const int64_t now = people_.Now();
    json roles = json::array();
    std::set<std::string> permissions;
    for (const people::HeldGrant& g : caller->grants) {
      json item = GrantJson(g.grant);
      const bool valid = now >= g.grant.scope.valid_from &&
                         (!g.grant.scope.valid_until || now < *g.grant.scope.valid_until);
      item["valid_now"] = valid;
      item["permissions"] = g.permissions;
      if (valid) permissions.insert(g.permissions.begin(), g.permissions.end());
      roles.push_back(std::move(item));
    }
    json enterprises = json::array();
    for (const people::Agency& a : caller->agencies) {
      json item = {{"uscc", a.uscc},
                   {"name", a.enterprise_name},
                   {"relation", people::EnterpriseRelationName(a.relation)}};
      if (a.relation == people::EnterpriseRelation::kAgent) {
        item["authorisation_id"] = a.authorisation_id;
        item["valid_from"] = people::FormatTimestamp(a.valid_from);
        item["valid_until"] = Time(a.valid_until);
      }
      enterprises.push_back(std::move(item));
    }
    WriteJson(res, {{"account", AccountJson(caller->account)},
                    {"session",
                     {{"id", caller->session_id},
                      {"expires_at", people::FormatTimestamp(caller->session_expires_at)}}},
                    {"roles", std::move(roles)},
                    {"permissions", permissions},
                    {"enterprises", std::move(enterprises)}});
  }

  void GetEnterprise(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    auto e = people_.ReadEnterprise(*caller, req.matches[1].str());
    if (!e.ok()) return WriteProblem(res, e.error(), ctx);
    WriteJson(res, EnterpriseJson(*e));
  }

  void GetAccount(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    auto a = people_.ReadAccount(*caller, req.matches[1].str());
    if (!a.ok()) return WriteProblem(res, a.error(), ctx);
    WriteJson(res, AccountJson(*a));
  }

  // GET /accounts?role=&region=&department=&limit=&cursor=: the staff accounts the caller may
  // read, by id, a page at a time (next_cursor when more may follow).
  void ListAccounts(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    people::AccountQuery query;
    query.role = req.get_param_value("role");
    query.region = req.get_param_value("region");
    query.department = req.get_param_value("department");
    query.after = req.get_param_value("cursor");
    FieldErrors errors;
    if (!query.region.empty() && !people::IsRegionCode(query.region)) {
      errors.Add("region", "must be a region code of 6, 9 or 12 digits");
    }
    if (req.has_param("limit")) {
      const std::string l = req.get_param_value("limit");
      const auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), query.limit);
      if (ec != std::errc() || end != l.data() + l.size() || query.limit < 1 || query.limit > 200) {
        errors.Add("limit", "must be an integer from 1 to 200");
      }
    }
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the query is invalid"), ctx);
    auto page = people_.ListAccounts(*caller, query);
    if (!page.ok()) return WriteProblem(res, page.error(), ctx);
    json items = json::array();
    for (const people::AccountListing& item : page->items) {
      json a = AccountJson(item.account);
      a["roles"] = item.roles;
      items.push_back(std::move(a));
    }
    WriteJson(res, {{"items", std::move(items)}, {"next_cursor", Nullable(page->next_cursor)}});
  }

  void RegisterEnterprise(const httplib::Request& req, httplib::Response& res,
                          RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    people::EnterpriseRegistration request;
    request.uscc = r.String("uscc", true).value_or("");
    request.name = r.String("name", true).value_or("");
    // The caller registers its own enterprise unless it names someone else (a window does).
    request.legal_representative =
        r.String("legal_representative", false).value_or(caller->account.id);
    r.Finish();
    if (!errors.empty()) {
      return WriteInvalid(
          errors, request,
          [](people::EnterpriseRegistration& r, FieldErrors& e) {
            people::ValidateEnterpriseRegistration(r, e);
          },
          "the enterprise registration is invalid", res, ctx);
    }
    auto e = people_.RegisterEnterprise(*caller, std::move(request));
    if (!e.ok()) return WriteProblem(res, e.error(), ctx);
    res.set_header("Location", "/api/v1/enterprises/" + e->uscc);
    WriteJson(res, EnterpriseJson(*e), 201);
  }

  void ListAgents(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    const std::string uscc = req.matches[1].str();
    const bool represents =
        std::any_of(caller->agencies.begin(), caller->agencies.end(), [&](const people::Agency& a) {
          return a.uscc == uscc && a.relation == people::EnterpriseRelation::kLegalRepresentative;
        });
    if (!represents) {
      return WriteProblem(
          res,
          Error(ErrorCode::kForbidden,
                fmt::format("only the legal representative of {} sees its agents", uscc)),
          ctx);
    }
    auto agents = people_.ListAgents(uscc);
    if (!agents.ok()) return WriteProblem(res, agents.error(), ctx);
    json items = json::array();
    for (const auto& a : *agents) items.push_back(AuthorisationJson(a));
    WriteJson(res, {{"items", std::move(items)}});
  }

  void AuthoriseAgent(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    people::AgentRequest request;
    request.uscc = req.matches[1].str();
    request.id_number = r.String("id_number", true).value_or("");
    request.name = r.String("name", true).value_or("");
    request.valid_from = ReadTime(r, "valid_from", false, errors);
    auto until = ReadTime(r, "valid_until", true, errors);
    request.valid_until = until.value_or(0);
    r.Finish();
    if (!errors.empty()) {
      return WriteInvalid(
          errors, request,
          [&](people::AgentRequest& r, FieldErrors& e) {
            people::ValidateAgentRequest(r, people_.Now(), e);
          },
          "the authorisation is invalid", res, ctx);
    }
    auto a = people_.AuthoriseAgent(*caller, std::move(request));
    if (!a.ok()) return WriteProblem(res, a.error(), ctx);
    WriteJson(res, AuthorisationJson(*a), 201);
  }

  void RevokeAgent(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    Status s = people_.RevokeAgent(*caller, req.matches[1].str(), req.matches[2].str());
    if (!s.ok()) return WriteProblem(res, s.error(), ctx);
    NoContent(res);
  }

  void CreateAccount(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    people::StaffAccountRequest request;
    request.username = r.String("username", true).value_or("");
    request.name = r.String("name", true).value_or("");
    request.password = r.String("password", true).value_or("");
    request.region = r.String("region", true).value_or("");
    request.department = r.String("department", false).value_or("");
    request.phone = r.String("phone", false).value_or("");
    r.Finish();
    if (!errors.empty()) {
      return WriteInvalid(
          errors, request,
          [](people::StaffAccountRequest& r, FieldErrors& e) {
            people::ValidateStaffAccountRequest(r, e);
          },
          "the account is invalid", res, ctx);
    }
    auto a = people_.CreateStaffAccount(*caller, std::move(request));
    if (!a.ok()) return WriteProblem(res, a.error(), ctx);
    res.set_header("Location", "/api/v1/accounts/" + a->id);
    WriteJson(res, AccountJson(*a), 201);
  }

  void GrantRole(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    people::GrantRequest request;
    request.account_id = req.matches[1].str();
    request.role = r.String("role", true).value_or("");
    if (const json* scope = r.Member("scope", json::value_t::object, true)) {
      ObjectReader s(*scope, "scope", errors);
      request.scope.region = s.String("region", true).value_or("");
      request.scope.department = s.String("department", false).value_or(people::Scope::kAny);
      if (const json* matters = s.Member("matters", json::value_t::array, false)) {
        if (matters->empty()) {
          errors.Add("scope/matters", "must list at least one matter, or be left out for any");
        }
        for (size_t i = 0; i < matters->size(); ++i) {
          if ((*matters)[i].is_string()) {
            request.scope.matters.push_back((*matters)[i].get<std::string>());
          } else {
            errors.Add(fmt::format("scope/matters/{}", i), "must be a string");
          }
        }
      }
      request.valid_from = ReadTime(s, "valid_from", false, errors);
      request.scope.valid_until = ReadTime(s, "valid_until", false, errors);
      s.Finish();
    }
    r.Finish();
    if (!errors.empty()) {
      return WriteInvalid(
          errors, request,
          [&](people::GrantRequest& r, FieldErrors& e) {
            people::ValidateGrantRequest(r, people_.Now(), e);
          },
          "the grant is invalid", res, ctx);
    }
    auto g = people_.GrantRole(*caller, std::move(request));
    if (!g.ok()) return WriteProblem(res, g.error(), ctx);
    WriteJson(res, GrantJson(*g), 201);
  }

  void RevokeGrant(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    Status s = people_.RevokeGrant(*caller, req.matches[1].str(), req.matches[2].str());
    if (!s.ok()) return WriteProblem(res, s.error(), ctx);
    NoContent(res);
  }

  void RevokeSessions(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    auto n = people_.RevokeAllSessions(*caller, req.matches[1].str());
    if (!n.ok()) return WriteProblem(res, n.error(), ctx);
    WriteJson(res, {{"revoked", *n}});
  }

  void ListRoles(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(auth_, req, res, ctx);
    if (!caller) return;
    if (!people::HoldsPermission(*caller, "role.read", people_.Now())) {
      return WriteProblem(res, Error(ErrorCode::kForbidden, "missing permission 'role.read'"), ctx);
    }
    auto catalog = people_.ListRoles();
    if (!catalog.ok()) return WriteProblem(res, catalog.error(), ctx);
    json roles = json::array();
    for (const people::Role& role : catalog->roles) {
      roles.push_back({{"name", role.name},
                       {"title", role.title},
                       {"description", role.description},
                       {"account_kind", people::AccountKindName(role.account_kind)},
                       {"admin_duty", people::AdminDutyName(role.admin_duty)},
                       {"permissions", role.permissions}});
    }
    json permissions = json::array();
    for (const people::Permission& p : catalog->permissions) {
      permissions.push_back({{"name", p.name}, {"description", p.description}});
    }
    WriteJson(res, {{"roles", std::move(roles)}, {"permissions", std::move(permissions)}});
  }

  void SmsOutbox(const httplib::Request& req, httplib::Response& res, RequestContext&) const {
    json items = json::array();
    for (const people::SmsMessage& m :
         options_.sms_outbox->Outbox(req.get_param_value("phone"), 50)) {
      items.push_back(
          {{"phone", m.phone}, {"text", m.text}, {"sent_at", people::FormatTimestamp(m.sent_at)}});
    }
    WriteJson(res, {{"simulated", true}, {"items", std::move(items)}});
  }

 private:
  people::PeopleService& people_;
  const Auth& auth_;
  PeopleRoutesOptions options_;
};

}  // namespace

void RegisterPeopleRoutes(Server& server, people::PeopleService& people, const Auth& auth,
                          PeopleRoutesOptions options) {
  auto routes = std::make_shared<Routes>(people, auth, options);
  // Any member function of Routes (const or not) as a Handler.
  auto bind = [routes](auto method) {
    return [routes, method](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) { ((*routes).*method)(req, res, ctx); };
  };
  server.Post("/api/v1/sms-codes", bind(&Routes::RequestCode));
  server.Post("/api/v1/citizens", bind(&Routes::RegisterCitizen));
  server.Post("/api/v1/sessions", bind(&Routes::Login));
  server.Delete("/api/v1/sessions/current", bind(&Routes::Logout));
  server.Get("/api/v1/me", bind(&Routes::Me));
  server.Post("/api/v1/enterprises", bind(&Routes::RegisterEnterprise));
  server.Get(R"(/api/v1/enterprises/([^/]+))", bind(&Routes::GetEnterprise));
  server.Get(R"(/api/v1/enterprises/([^/]+)/agents)", bind(&Routes::ListAgents));
  server.Post(R"(/api/v1/enterprises/([^/]+)/agents)", bind(&Routes::AuthoriseAgent));
  server.Delete(R"(/api/v1/enterprises/([^/]+)/agents/([^/]+))", bind(&Routes::RevokeAgent));
  server.Post("/api/v1/accounts", bind(&Routes::CreateAccount));
  server.Get("/api/v1/accounts", bind(&Routes::ListAccounts));
  server.Get(R"(/api/v1/accounts/([^/]+))", bind(&Routes::GetAccount));
  server.Post(R"(/api/v1/accounts/([^/]+)/roles)", bind(&Routes::GrantRole));
  server.Delete(R"(/api/v1/accounts/([^/]+)/roles/([^/]+))", bind(&Routes::RevokeGrant));
  server.Delete(R"(/api/v1/accounts/([^/]+)/sessions)", bind(&Routes::RevokeSessions));
  server.Get("/api/v1/roles", bind(&Routes::ListRoles));
  if (options.sms_outbox) server.Get("/api/v1/dev/sms-outbox", bind(&Routes::SmsOutbox));
}

}  // namespace tongban::api
