#include "api/licence_routes.h"

#include <fmt/format.h>

#include "api/json_body.h"
#include "licences/pdf.h"
#include "people/authorization.h"

namespace tongban::api {
namespace {

using nlohmann::json;

json ToJson(const licences::Licence& l) {
  return {{"id", l.id},
          {"type_code", l.type_code},
          {"type_name", l.type_name},
          {"holder_id", l.holder_id},
          {"holder_name", l.holder_name},
          {"issuer", {{"code", l.issuer.code}, {"name", l.issuer.name}, {"uscc", l.issuer.uscc}}},
          {"version", l.version},
          {"valid_from", l.valid_from.ToString()},
          {"valid_until", l.valid_until ? json(l.valid_until->ToString()) : json(nullptr)},
          {"issued_at", l.issued_at},
          {"status", licences::LicenceStatusName(l.status)},
          {"revoked_reason", l.revoked_reason},
          {"previous_id", l.previous_id},
          {"next_id", l.next_id},
          {"data", l.data},
          {"licence", licences::SignedLicenceToJson(l.signed_licence)}};
}

json ToJson(const licences::Verification& v) {
  json out = {{"valid", v.valid()},
              {"outcome", licences::VerifyOutcomeName(v.outcome)},
              {"reason", v.reason},
              {"altered_fields", v.altered_fields}};
  if (v.licence) {
    out["licence_id"] = v.licence->id;
    out["status"] = licences::LicenceStatusName(v.licence->status);
  }
  return out;
}

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

people::Target TargetOf(const licences::IssuerDepartment& d) {
  return {.region = d.region, .department = d.code, .matter = ""};
}

// The scope of a stored licence: its issuer's region comes from the catalog (the signed
// document names the department, not its region).
people::Target TargetOf(licences::LicenceService& service, const licences::Licence& l) {
  auto d = service.Department(l.issuer.code);
  return TargetOf(d.ok() ? *d : l.issuer);
}

// True when `p` is the licence's holder: the person by ID number, or someone who may act for
// the holding enterprise at `now`. Staff accounts hold nothing.
bool HeldBy(const licences::Licence& l, const people::Principal& p, int64_t now) {
  if (p.account.kind == people::AccountKind::kStaff || l.holder_id.empty()) return false;
  if (l.holder_id == p.account.id_number) return true;
  return people::AuthorizeForEnterprise(p, l.holder_id, now).ok();
}

}  // namespace

std::string VerificationPage(const std::string& id, const licences::Verification& v) {
  std::string rows;
  if (v.licence) {
    const auto& l = *v.licence;
    auto row = [&](std::string_view k, std::string_view val) {
      rows += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", k, Escape(val));
    };
    row("证照名称", l.type_name);
    row("持证主体", l.holder_name);
    row("发证机关", l.issuer.name);
    row("有效期", l.valid_until ? l.valid_from.ToString() + " 至 " + l.valid_until->ToString()
                                : l.valid_from.ToString() + " 起长期");
    row("版本", std::to_string(l.version));
  }
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\"><title>电子证照核验</title></head>\n"
      "<body><h1>电子证照核验</h1>\n<p>证照编号：{}</p>\n"
      "<p class=\"{}\"><strong>{}</strong>：{}</p>\n<table>\n{}</table>\n</body></html>\n",
      Escape(id), v.valid() ? "valid" : "invalid", v.valid() ? "有效" : "无效", Escape(v.reason),
      rows);
}

void RegisterLicenceRoutes(Server& server, licences::LicenceService& licences, keys::KeyStore& keys,
                           const Auth& auth, const LicenceRouteOptions& options) {
  const std::string base = options.public_base_url;

  server.Get("/api/v1/licence-types",
             [&licences](const httplib::Request&, httplib::Response& res, RequestContext& ctx) {
               auto types = licences.ListTypes();
               if (!types.ok()) return WriteProblem(res, types.error(), ctx);
               json items = json::array();
               for (const auto& t : *types) items.push_back(licences::LicenceTypeToJson(t));
               WriteJson(res, {{"items", std::move(items)}});
             });

  server.Post("/api/v1/licences", [&licences, &auth](const httplib::Request& req,
                                                     httplib::Response& res, RequestContext& ctx) {
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    auto body = ParseJsonBody(req);
    if (!body.ok()) return WriteProblem(res, body.error(), ctx);
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    licences::IssueRequest request;
    request.type_code = r.String("type_code", true).value_or("");
    request.holder_id = r.String("holder_id", true).value_or("");
    request.holder_name = r.String("holder_name", true).value_or("");
    request.issuer = r.String("issuer", true).value_or("");
    if (const json* data = r.Member("data", json::value_t::object, true)) request.data = *data;
    if (auto from = r.String("valid_from", false)) {
      auto d = Date::Parse(*from, "valid_from");
      if (d.ok()) {
        request.valid_from = *d;
      } else {
        errors.Add("valid_from", d.error().message());
      }
    }
    request.case_id = r.String("case_id", false).value_or("");
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid licence request"), ctx);
    // The issuing department decides the scope: its region and code must be in a grant.
    auto dept = licences.Department(request.issuer);
    if (!dept.ok()) {
      errors.Add("issuer", fmt::format("no department {}", request.issuer));
      return WriteProblem(res, errors.ToError("invalid licence request"), ctx);
    }
    Status allowed = auth.Require(*p, "licence.issue", TargetOf(*dept));
    if (!allowed.ok()) return WriteAuthProblem(res, allowed.error(), ctx);
    request.actor = p->account.id;
    auto l = licences.Issue(request);
    if (!l.ok()) return WriteProblem(res, l.error(), ctx);
    res.set_header("Location", "/api/v1/licences/" + l->id);
    WriteJson(res, ToJson(*l), 201);
  });

  server.Post("/api/v1/licences/verify", [&licences](const httplib::Request& req,
                                                     httplib::Response& res, RequestContext& ctx) {
    auto body = ParseJsonBody(req);
    if (!body.ok()) return WriteProblem(res, body.error(), ctx);
    auto presented = licences::SignedLicenceFromJson(*body);
    if (!presented.ok()) return WriteProblem(res, presented.error(), ctx);
    auto v = licences.Verify(*presented);
    if (!v.ok()) return WriteProblem(res, v.error(), ctx);
    WriteJson(res, ToJson(*v));
  });

  server.Get(R"(/api/v1/licences/([^/]+)/verification)",
             [&licences](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
               auto v = licences.VerifyById(req.matches[1]);
               if (!v.ok()) return WriteProblem(res, v.error(), ctx);
               WriteJson(res, ToJson(*v));
             });

  server.Get(R"(/verify/([^/]+))",
             [&licences](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
               const std::string id = req.matches[1];
               auto v = licences.VerifyById(id);
               if (!v.ok()) return WriteProblem(res, v.error(), ctx);
               res.status = v->outcome == licences::VerifyOutcome::kNotFound ? 404 : 200;
               res.set_content(VerificationPage(id, *v), "text/html; charset=utf-8");
             });

  // Reads of the register: the licence with its signed form, its PDF and its QR code. Staff
  // need licence.read over the issuer; the holder (the person, or whoever may act for the
  // enterprise now) reads their own.
  auto authorized_get = [&licences, &auth](
                            const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) -> std::optional<licences::Licence> {
    auto p = auth.Authenticate(req);
    if (!p.ok()) {
      WriteAuthProblem(res, p.error(), ctx);
      return std::nullopt;
    }
    auto l = licences.Get(req.matches[1]);
    if (!l.ok()) {
      WriteProblem(res, l.error(), ctx);
      return std::nullopt;
    }
    if (HeldBy(*l, *p, auth.people().Now())) return std::move(l).value();
    Status allowed = auth.Require(*p, "licence.read", TargetOf(licences, *l));
    if (!allowed.ok()) {
      WriteAuthProblem(res, allowed.error(), ctx);
      return std::nullopt;
    }
    return std::move(l).value();
  };
  server.Get(
      R"(/api/v1/licences/([^/]+))",
      [authorized_get](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto l = authorized_get(req, res, ctx);
        if (l) WriteJson(res, ToJson(*l));
      });
  server.Get(R"(/api/v1/licences/([^/]+)/pdf)",
             [authorized_get, &licences, base](const httplib::Request& req, httplib::Response& res,
                                               RequestContext& ctx) {
               auto l = authorized_get(req, res, ctx);
               if (!l) return;
               auto type = licences.GetType(l->type_code);
               if (!type.ok()) return WriteProblem(res, type.error(), ctx);
               auto pdf = licences::RenderPdf(*l, *type, base + "/verify/" + l->id);
               if (!pdf.ok()) return WriteProblem(res, pdf.error(), ctx);
               res.set_content(*pdf, "application/pdf");
             });

  server.Get(R"(/api/v1/licences/([^/]+)/qrcode)",
             [authorized_get, base](const httplib::Request& req, httplib::Response& res,
                                    RequestContext& ctx) {
               auto l = authorized_get(req, res, ctx);
               if (!l) return;
               auto svg = licences::RenderQrSvg(base + "/verify/" + l->id);
               if (!svg.ok()) return WriteProblem(res, svg.error(), ctx);
               res.set_content(*svg, "image/svg+xml");
             });

  // The caller's own licences: held by their ID number, or by an enterprise they may act for
  // now; newest first per holder, each with its verification URL (the QR code's target).
  server.Get("/api/v1/me/licences",
             [&licences, &auth, base](const httplib::Request& req, httplib::Response& res,
                                      RequestContext& ctx) {
               auto p = auth.Authenticate(req);
               if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
               std::vector<std::string> holders;
               if (p->account.kind != people::AccountKind::kStaff) {
                 if (!p->account.id_number.empty()) holders.push_back(p->account.id_number);
                 const int64_t now = auth.people().Now();
                 for (const people::Agency& a : p->agencies) {
                   if (people::AuthorizeForEnterprise(*p, a.uscc, now).ok())
                     holders.push_back(a.uscc);
                 }
               }
               json items = json::array();
               for (const std::string& holder : holders) {
                 auto held = licences.ListByHolder(holder);
                 if (!held.ok()) return WriteProblem(res, held.error(), ctx);
                 for (const licences::Licence& l : *held) {
                   json item = ToJson(l);
                   item.erase("licence");
                   item["verification_url"] = base + "/verify/" + l.id;
                   item["pdf_href"] = "/api/v1/licences/" + l.id + "/pdf";
                   item["qrcode_href"] = "/api/v1/licences/" + l.id + "/qrcode";
                   items.push_back(std::move(item));
                 }
               }
               WriteJson(res, {{"items", std::move(items)}});
             });

  // Changes: revoke (with a reason), renew, reissue (with data changes and a reason).
  auto change = [&licences, &auth](const char* permission, auto&& apply) {
    return [&licences, &auth, permission, apply](const httplib::Request& req,
                                                 httplib::Response& res, RequestContext& ctx) {
      auto p = auth.Authenticate(req);
      if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
      auto l = licences.Get(req.matches[1]);
      if (!l.ok()) return WriteProblem(res, l.error(), ctx);
      Status allowed = auth.Require(*p, permission, TargetOf(licences, *l));
      if (!allowed.ok()) return WriteAuthProblem(res, allowed.error(), ctx);
      json body = json::object();
      if (!req.body.empty()) {
        auto parsed = ParseJsonBody(req);
        if (!parsed.ok()) return WriteProblem(res, parsed.error(), ctx);
        body = std::move(parsed).value();
      }
      Result<licences::Licence> out = apply(l->id, body, p->account.id);
      if (!out.ok()) return WriteProblem(res, out.error(), ctx);
      WriteJson(res, ToJson(*out));
    };
  };
  // The bodies' fields read without throwing: a reason that is not text, changes that are not
  // an object, or a body that is not an object is a 400 naming the field, never a 500.
  auto fields = [](const json& body, bool with_changes) -> Result<std::pair<std::string, json>> {
    FieldErrors errors;
    if (!body.is_object()) {
      errors.Add("body", "must be a JSON object");
      return errors.ToError("invalid licence change");
    }
    ObjectReader r(body, "", errors);
    std::string reason = r.String("reason", false).value_or("");
    json changes = json::object();
    if (with_changes) {
      if (const json* c = r.Member("changes", json::value_t::object, false)) changes = *c;
    }
    r.Finish();
    if (!errors.empty()) return errors.ToError("invalid licence change");
    return std::make_pair(std::move(reason), std::move(changes));
  };
  server.Post(R"(/api/v1/licences/([^/]+)/revoke)",
              change("licence.revoke",
                     [&licences, fields](const std::string& id, const json& body,
                                         const std::string& actor) -> Result<licences::Licence> {
                       TB_ASSIGN_OR_RETURN(auto f, fields(body, false));
                       return licences.Revoke(id, f.first, actor);
                     }));
  server.Post(R"(/api/v1/licences/([^/]+)/renew)",
              change("licence.issue",
                     [&licences](const std::string& id, const json&, const std::string& actor) {
                       return licences.Renew(id, actor);
                     }));
  server.Post(R"(/api/v1/licences/([^/]+)/reissue)",
              change("licence.issue",
                     [&licences, fields](const std::string& id, const json& body,
                                         const std::string& actor) -> Result<licences::Licence> {
                       TB_ASSIGN_OR_RETURN(auto f, fields(body, true));
                       return licences.Reissue(id, f.second, f.first, actor);
                     }));

  server.Post(R"(/api/v1/keys/([^/]+)/rotate)",
              [&licences, &keys, &auth](const httplib::Request& req, httplib::Response& res,
                                        RequestContext& ctx) {
                auto dept = licences.Department(req.matches[1]);
                if (!dept.ok()) return WriteProblem(res, dept.error(), ctx);
                auto p = auth.AuthenticateAndRequire(req, "key.manage", TargetOf(*dept));
                if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
                auto cert = keys.Rotate({.code = dept->code, .name = dept->name});
                if (!cert.ok()) return WriteProblem(res, cert.error(), ctx);
                WriteJson(res, {{"key_id", cert->key_id},
                                {"owner", cert->owner},
                                {"serial", cert->serial},
                                {"certificate", cert->certificate_pem}});
              });
}

}  // namespace tongban::api
