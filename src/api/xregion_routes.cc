#include "api/xregion_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "api/json_body.h"
#include "base/id_number.h"
#include "base/uscc.h"
#include "crypto/sm3.h"

namespace tongban::api {
namespace {

using nlohmann::json;

json ToJson(const xregion::Partner& p) {
  return {{"region", p.region},
          {"name", p.name},
          {"base_url", p.base_url},
          {"public_key", p.public_key},
          {"hub", p.hub},
          {"via", p.via},
          {"licence_root", p.licence_root}};
}

json ToJson(const xregion::Agreement& a) {
  json matters = json::array();
  for (const auto& m : a.matters) {
    matters.push_back(
        {{"matter", m.matter}, {"name", m.name}, {"handling_region", m.handling_region}});
  }
  return {{"id", a.id},
          {"partner", a.partner},
          {"mode", xregion::ModeName(a.mode)},
          {"title", a.title},
          {"originals_days", a.originals_days},
          {"matters", std::move(matters)}};
}

json ToJson(const xregion::CrossCase& c) {
  json timeline = json::array();
  for (const auto& e : c.timeline) {
    timeline.push_back(
        {{"id", e.id}, {"at", e.at_ms}, {"region", e.region}, {"kind", e.kind}, {"note", e.note}});
  }
  json materials = json::array();
  for (const auto& m : c.materials) {
    materials.push_back({{"name", m.name}, {"hash", m.hash}, {"size", m.size}});
  }
  json parts = json::array();
  for (const auto& p : c.parts) {
    parts.push_back(
        {{"ref", p.part_ref}, {"region", p.region}, {"matter", p.matter}, {"state", p.state}});
  }
  json form = json::object();
  for (const auto& [k, v] : c.form) form[k] = v;
  return {{"ref", c.ref},
          {"mode", xregion::ModeName(c.mode)},
          {"role", xregion::RoleName(c.role)},
          {"matter", c.matter},
          {"matter_name", c.matter_name},
          {"receiving_region", c.receiving_region},
          {"handling_region", c.handling_region},
          {"counterpart", c.counterpart},
          {"parent_ref", c.parent_ref},
          {"applicant_name", c.applicant_name},
          {"applicant_code", c.applicant_code},
          {"form", std::move(form)},
          {"materials", std::move(materials)},
          {"delivery", c.delivery},
          {"state", c.state},
          {"result", c.result},
          {"tracking_number", c.tracking_number},
          {"created_at", c.created_at_ms},
          {"updated_at", c.updated_at_ms},
          {"case_number", c.case_number},
          {"open_error", c.open_error},
          {"originals",
           {{"due_at", c.originals_due_at_ms},
            {"tracking_number", c.originals_tracking},
            {"mailed_at", c.originals_mailed_at_ms},
            {"received_at", c.originals_received_at_ms}}},
          {"timeline", std::move(timeline)},
          {"parts", std::move(parts)}};
}

json CoverageJson(const xregion::Coverage& c) {
  json lines = json::array();
  for (const auto& l : c.lines) {
    lines.push_back({{"partner", l.partner},
                     {"partner_name", l.partner_name},
                     {"matters", l.matters},
                     {"online", l.online},
                     {"proxy", l.proxy},
                     {"joint", l.joint}});
  }
  return {{"partners", c.partners}, {"matters", c.matters}, {"fully_online", c.fully_online},
          {"proxy", c.proxy},       {"joint", c.joint},     {"lines", std::move(lines)}};
}

// The caller's permission over this installation's region (and the caller's own department).
std::optional<people::Principal> Permitted(const Auth& auth, xregion::Service& service,
                                           const httplib::Request& req, httplib::Response& res,
                                           const RequestContext& ctx, std::string_view permission) {
  auto caller = CallerOrProblem(auth, req, res, ctx);
  if (!caller) return std::nullopt;
  auto self = service.GetIdentity();
  std::string region = self.ok() ? self->region : caller->account.region;
  Status s =
      auth.Require(*caller, permission,
                   {.region = region, .department = caller->account.department, .matter = ""});
  if (!s.ok()) {
    WriteProblem(res, s.error(), ctx);
    return std::nullopt;
  }
  return caller;
}

int LimitParam(const httplib::Request& req, int fallback) {
  if (!req.has_param("limit")) return fallback;
  try {
    return std::stoi(req.get_param_value("limit"));
  } catch (const std::exception&) {
    return -1;  // refused by the service, naming the field
  }
}

std::vector<xregion::NewMaterial> ReadMaterials(const json* list, FieldErrors& errors) {
  std::vector<xregion::NewMaterial> out;
  if (list == nullptr) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    ObjectReader m((*list)[i], fmt::format("materials/{}", i), errors);
    auto name = m.String("name", true);
    auto content = m.String("content_hex", true);
    m.Finish();
    if (!name || !content) continue;
    auto bytes = crypto::FromHex(*content);
    if (!bytes.ok()) {
      errors.Add(fmt::format("materials/{}/content_hex", i), "must be hex");
      continue;
    }
    out.push_back({.name = *name, .bytes = std::move(bytes).value()});
  }
  return out;
}

std::map<std::string, std::string> ReadForm(const json* form, FieldErrors& errors) {
  std::map<std::string, std::string> out;
  if (form == nullptr) return out;
  for (auto it = form->begin(); it != form->end(); ++it) {
    if (!it->is_string()) {
      errors.Add("form/" + it.key(), "must be a string");
      continue;
    }
    out[it.key()] = it->get<std::string>();
  }
  return out;
}

}  // namespace

namespace {

xregion::PostAnswer PostJson(const std::string& base_url, const char* path,
                             const std::string& body) {
  httplib::Client client(base_url);
  client.set_connection_timeout(2);
  client.set_read_timeout(10);
  client.set_write_timeout(10);
  auto res = client.Post(path, body, "application/json");
  if (!res) return {.status = 0, .body = httplib::to_string(res.error())};
  return {.status = res->status, .body = res->body};
}

}  // namespace

xregion::PostAnswer HttpTransport::Post(const std::string& base_url, const std::string& body) {
  return PostJson(base_url, "/api/v1/xregion/messages", body);
}

xregion::PostAnswer HttpTransport::AskLicenceStatus(const std::string& base_url,
                                                    const std::string& body) {
  return PostJson(base_url, "/api/v1/xregion/licences/status", body);
}

void RegisterXregionRoutes(Server& s, xregion::Service& service, const Auth& auth,
                           const XregionRouteOptions& options) {
  s.Get("/api/v1/xregion/identity",
        [&service, options](const httplib::Request&, httplib::Response& res, RequestContext& ctx) {
          auto id = service.GetIdentity();
          if (!id.ok()) return WriteProblem(res, id.error(), ctx);
          auto pem = service.key().PublicPem();
          if (!pem.ok()) return WriteProblem(res, pem.error(), ctx);
          auto certificate = service.Certificate();
          if (!certificate.ok()) return WriteProblem(res, certificate.error(), ctx);
          std::string root;
          if (options.licence_root) {
            auto r = options.licence_root();
            if (!r.ok()) return WriteProblem(res, r.error(), ctx);
            root = *r;
          }
          WriteJson(res, {{"region", id->region},
                          {"name", id->name},
                          {"hub", id->hub},
                          {"public_key", *pem},
                          {"certificate", *certificate},
                          {"licence_root", root},
                          {"key_id", service.key().id()}});
        });
  // Public, like the platform's own licence check: a window verifies a partner's licence.
  s.Post("/api/v1/xregion/licences/verify", [&service, options](const httplib::Request& req,
                                                                httplib::Response& res,
                                                                RequestContext& ctx) {
    auto body = JsonBodyOrProblem(req, res, ctx, false);
    if (!body) return;
    licences::SignedLicence l;
    if (body->is_object() && body->contains("document") && (*body)["document"].is_object()) {
      // The licence's JSON exchange form (GET /api/v1/me/licences, the holder's file).
      auto presented = licences::SignedLicenceFromJson(*body);
      if (!presented.ok()) return WriteProblem(res, presented.error(), ctx);
      l = std::move(presented).value();
    } else {
      FieldErrors errors;
      ObjectReader r(*body, "", errors);
      l.document = r.String("document", true).value_or("");
      l.signature = r.String("signature", true).value_or("");
      l.certificate = r.String("certificate", true).value_or("");
      r.Finish();
      if (!errors.empty()) {
        return WriteProblem(res, errors.ToError("the licence is invalid"), ctx);
      }
    }
    auto v = service.VerifyPartnerLicence(l, options.transport);
    if (!v.ok()) return WriteProblem(res, v.error(), ctx);
    WriteJson(res,
              {{"valid", v->valid()},
               {"outcome", v->outcome_name()},
               {"reason", v->reason},
               {"partner", v->partner},
               {"licence_id", v->licence_id},
               {"issuer_name", v->issuer_name},
               {"revocation", xregion::RevocationName(v->revocation)},
               {"status_as_of", v->status_as_of_ms > 0 ? json(v->status_as_of_ms) : json(nullptr)},
               {"status_cached", v->status_from_cache}});
  });
  // Partners ask here about licences this installation issued; the query's SM2 signature is
  // the authentication, and the answer is signed with this installation's key.
  s.Post("/api/v1/xregion/licences/status", [&service, options](const httplib::Request& req,
                                                                httplib::Response& res,
                                                                RequestContext& ctx) {
    if (options.licence_register == nullptr) {
      return WriteProblem(
          res, Error(ErrorCode::kNotFound, "this installation keeps no licence register"), ctx);
    }
    auto answer = service.AnswerLicenceStatus(req.body, *options.licence_register);
    if (!answer.ok()) return WriteProblem(res, answer.error(), ctx);
    res.set_content(*answer, "application/json");
  });
  s.Put("/api/v1/xregion/identity", [&](const httplib::Request& req, httplib::Response& res,
                                        RequestContext& ctx) {
    auto caller = Permitted(auth, service, req, res, ctx, "xregion.manage");
    if (!caller) return;
    auto body = JsonBodyOrProblem(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    auto region = r.String("region", true);
    auto name = r.String("name", true);
    auto hub = r.Bool("hub", false);
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the identity is invalid"), ctx);
    Status st = service.SetIdentity({.region = *region, .name = *name, .hub = hub.value_or(false)});
    if (!st.ok()) return WriteProblem(res, st.error(), ctx);
    WriteJson(res, {{"region", *region}, {"name", *name}, {"hub", hub.value_or(false)}});
  });
  s.Get("/api/v1/xregion/partners",
        [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          if (!Permitted(auth, service, req, res, ctx, "xregion.manage")) return;
          auto list = service.ListPartners();
          if (!list.ok()) return WriteProblem(res, list.error(), ctx);
          json items = json::array();
          for (const auto& p : *list) items.push_back(ToJson(p));
          WriteJson(res, {{"items", std::move(items)}});
        });
  s.Put(R"(/api/v1/xregion/partners/([^/]+))",
        [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          if (!Permitted(auth, service, req, res, ctx, "xregion.manage")) return;
          auto body = JsonBodyOrProblem(req, res, ctx, false);
          if (!body) return;
          FieldErrors errors;
          ObjectReader r(*body, "", errors);
          xregion::Partner p;
          p.region = req.matches[1];
          p.name = r.String("name", true).value_or("");
          p.base_url = r.String("base_url", true).value_or("");
          p.public_key = r.String("public_key", true).value_or("");
          p.hub = r.Bool("hub", false).value_or(false);
          p.via = r.String("via", false).value_or("");
          p.licence_root = r.String("licence_root", false).value_or("");
          r.Finish();
          if (!errors.empty()) {
            return WriteProblem(res, errors.ToError("the partner is invalid"), ctx);
          }
          Status st = service.PutPartner(p);
          if (!st.ok()) return WriteProblem(res, st.error(), ctx);
          WriteJson(res, ToJson(p));
        });
  s.Delete(R"(/api/v1/xregion/partners/([^/]+))",
           [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
             if (!Permitted(auth, service, req, res, ctx, "xregion.manage")) return;
             Status st = service.DeletePartner(req.matches[1].str());
             if (!st.ok()) return WriteProblem(res, st.error(), ctx);
             res.status = 204;
           });
  s.Get("/api/v1/xregion/agreements",
        [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          if (!Permitted(auth, service, req, res, ctx, "xregion.manage")) return;
          auto list = service.ListAgreements();
          if (!list.ok()) return WriteProblem(res, list.error(), ctx);
          json items = json::array();
          for (const auto& a : *list) items.push_back(ToJson(a));
          WriteJson(res, {{"items", std::move(items)}});
        });
  s.Put(R"(/api/v1/xregion/agreements/([^/]+))", [&](const httplib::Request& req,
                                                     httplib::Response& res, RequestContext& ctx) {
    if (!Permitted(auth, service, req, res, ctx, "xregion.manage")) return;
    auto body = JsonBodyOrProblem(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    xregion::Agreement a;
    a.id = req.matches[1];
    a.partner = r.String("partner", true).value_or("");
    auto mode = r.String("mode", true);
    a.title = r.String("title", true).value_or("");
    a.originals_days = static_cast<int>(r.Integer("originals_days", false).value_or(0));
    const json* matters = r.Member("matters", json::value_t::array, true);
    r.Finish();
    if (mode && !xregion::ParseMode(*mode)) {
      errors.Add("mode", "must be online, proxy or joint");
    }
    if (mode) a.mode = xregion::ParseMode(*mode).value_or(xregion::Mode::kProxy);
    for (size_t i = 0; matters != nullptr && i < matters->size(); ++i) {
      ObjectReader m((*matters)[i], fmt::format("matters/{}", i), errors);
      a.matters.push_back({.matter = m.String("matter", true).value_or(""),
                           .name = m.String("name", true).value_or(""),
                           .handling_region = m.String("handling_region", true).value_or("")});
      m.Finish();
    }
    if (!errors.empty()) {
      return WriteProblem(res, errors.ToError("the agreement is invalid"), ctx);
    }
    Status st = service.PutAgreement(a);
    if (!st.ok()) return WriteProblem(res, st.error(), ctx);
    WriteJson(res, ToJson(a));
  });
  s.Delete(R"(/api/v1/xregion/agreements/([^/]+))",
           [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
             if (!Permitted(auth, service, req, res, ctx, "xregion.manage")) return;
             Status st = service.DeleteAgreement(req.matches[1].str());
             if (!st.ok()) return WriteProblem(res, st.error(), ctx);
             res.status = 204;
           });
  // Public: the portal shows what may be applied for across regions before anyone logs in.
  s.Get("/api/v1/xregion/offers",
        [&service](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          auto offers = service.Offers(req.get_param_value("region"));
          if (!offers.ok()) return WriteProblem(res, offers.error(), ctx);
          json items = json::array();
          for (const auto& o : *offers) {
            items.push_back({{"matter", o.matter},
                             {"name", o.name},
                             {"handling_region", o.handling_region},
                             {"partner_name", o.partner_name},
                             {"mode", xregion::ModeName(o.mode)},
                             {"agreement", o.agreement_id}});
          }
          WriteJson(res, {{"items", std::move(items)}});
        });
  // Partners post here; the envelope's SM2 signature is the authentication.
  s.Post("/api/v1/xregion/messages",
         [&service](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
           auto out = service.Receive(req.body);
           if (!out.ok()) return WriteProblem(res, out.error(), ctx);
           WriteJson(res,
                     {{"status", xregion::ReceiveStatusName(out->status)},
                      {"message_id", out->message_id},
                      {"applied", out->applied}},
                     out->status == xregion::ReceiveStatus::kRelayed ? 202 : 200);
         });
  s.Post("/api/v1/xregion/cases", [&](const httplib::Request& req, httplib::Response& res,
                                      RequestContext& ctx) {
    auto body = JsonBodyOrProblem(req, res, ctx, false);
    if (!body) return;
    const std::string mode_text = body->value("mode", "");
    auto mode = xregion::ParseMode(mode_text);
    // 全程网办: the applicant applies (or staff help it online, 帮办); proxy and joint: a window
    // clerk accepts.
    auto who = CallerOrProblem(auth, req, res, ctx);
    if (!who) return;
    const bool citizen = who->account.kind == people::AccountKind::kCitizen;
    auto caller = Permitted(auth, service, req, res, ctx,
                            mode != xregion::Mode::kOnline ? "case.accept"
                            : citizen                      ? "case.apply"
                                                           : "case.assist");
    if (!caller) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    (void)r.String("mode", true);
    if (!mode) errors.Add("mode", "must be online, proxy or joint");
    auto matter = r.String("matter", true);
    auto matter_name = r.String("matter_name", mode == xregion::Mode::kJoint);
    auto name = r.String("applicant_name", mode != xregion::Mode::kOnline);
    auto code = r.String("applicant_code", mode != xregion::Mode::kOnline);
    auto delivery = r.String("delivery", false);
    if (delivery && *delivery != "online" && *delivery != "window" && *delivery != "mail") {
      errors.Add("delivery", "must be online, window or mail");
    }
    // The receiving window's identity check: an ID number (身份证号) or, for an enterprise, a
    // USCC, with its check character — a partner's catalog would refuse it otherwise.
    if (code && !code->empty() && !ParseIdNumber(*code).ok() && !ParseUscc(*code).ok()) {
      auto why = ParseIdNumber(*code);
      errors.Add("applicant_code",
                 fmt::format("must be an ID number or a USCC ({})", why.error().message()));
    }
    auto form = ReadForm(r.Member("form", json::value_t::object, false), errors);
    auto materials = ReadMaterials(r.Member("materials", json::value_t::array, false), errors);
    const json* parts = r.Member("parts", json::value_t::array, mode == xregion::Mode::kJoint);
    r.Finish();
    std::vector<xregion::JointPartRequest> part_requests;
    for (size_t i = 0; parts != nullptr && i < parts->size(); ++i) {
      ObjectReader p((*parts)[i], fmt::format("parts/{}", i), errors);
      part_requests.push_back({.region = p.String("region", true).value_or(""),
                               .matter = p.String("matter", true).value_or("")});
      p.Finish();
    }
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the case is invalid"), ctx);
    // A citizen applies for themself: the account's own name and ID number.
    const bool self_apply =
        mode == xregion::Mode::kOnline && caller->account.kind == people::AccountKind::kCitizen;
    const std::string applicant_name = self_apply ? caller->account.name : name.value_or("");
    const std::string applicant_code = self_apply ? caller->account.id_number : code.value_or("");
    Result<xregion::CrossCase> made = Error(ErrorCode::kInternal, "not made");
    if (mode == xregion::Mode::kJoint) {
      made = service.StartJoint({.matter = *matter,
                                 .matter_name = matter_name.value_or(""),
                                 .parts = std::move(part_requests),
                                 .applicant_name = applicant_name,
                                 .applicant_code = applicant_code,
                                 .form = std::move(form),
                                 .materials = std::move(materials),
                                 .actor = caller->account.id});
    } else {
      made = service.Forward(
          {.mode = *mode,
           .matter = *matter,
           .applicant_name = applicant_name,
           .applicant_code = applicant_code,
           .form = std::move(form),
           .materials = std::move(materials),
           .delivery = delivery.value_or(mode == xregion::Mode::kOnline ? "online" : "window"),
           .actor = caller->account.id});
    }
    if (!made.ok()) return WriteProblem(res, made.error(), ctx);
    WriteJson(res, ToJson(*made), 201);
  });
  s.Get("/api/v1/xregion/cases",
        [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          if (!Permitted(auth, service, req, res, ctx, "case.read")) return;
          auto list = service.List(req.get_param_value("role"), req.get_param_value("state"),
                                   LimitParam(req, 50));
          if (!list.ok()) return WriteProblem(res, list.error(), ctx);
          json items = json::array();
          for (const auto& c : *list) items.push_back(ToJson(c));
          WriteJson(res, {{"items", std::move(items)}});
        });
  s.Get(R"(/api/v1/xregion/cases/([^/]+))",
        [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          if (!Permitted(auth, service, req, res, ctx, "case.read")) return;
          auto c = service.Get(req.matches[1].str());
          if (!c.ok()) return WriteProblem(res, c.error(), ctx);
          WriteJson(res, ToJson(*c));
        });
  s.Post(R"(/api/v1/xregion/cases/([^/]+)/steps)",
         [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
           auto body = JsonBodyOrProblem(req, res, ctx, false);
           if (!body) return;
           const std::string step = body->value("step", "");
           auto caller =
               Permitted(auth, service, req, res, ctx,
                         step == "approve" || step == "deny" ? "case.approve" : "case.accept");
           if (!caller) return;
           FieldErrors errors;
           ObjectReader r(*body, "", errors);
           xregion::StepRequest sr;
           sr.step = r.String("step", true).value_or("");
           sr.note = r.String("note", false).value_or("");
           sr.result = r.String("result", false).value_or("");
           sr.tracking_number = r.String("tracking_number", false).value_or("");
           sr.actor = caller->account.id;
           r.Finish();
           if (!errors.empty())
             return WriteProblem(res, errors.ToError("the step is invalid"), ctx);
           auto c = service.Step(req.matches[1].str(), sr);
           if (!c.ok()) return WriteProblem(res, c.error(), ctx);
           WriteJson(res, ToJson(*c));
         });
  s.Get("/api/v1/xregion/outbox",
        [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          if (!Permitted(auth, service, req, res, ctx, "xregion.manage")) return;
          auto list = service.Outbox(req.get_param_value("state"), LimitParam(req, 100));
          if (!list.ok()) return WriteProblem(res, list.error(), ctx);
          json items = json::array();
          for (const auto& o : *list) {
            items.push_back({{"message_id", o.message_id},
                             {"receiver", o.receiver},
                             {"next_hop", o.next_hop},
                             {"case", o.case_ref},
                             {"kind", o.kind},
                             {"state", o.state},
                             {"attempts", o.attempts},
                             {"next_attempt_at", o.next_attempt_at_ms},
                             {"last_error", o.last_error},
                             {"created_at", o.created_at_ms}});
          }
          WriteJson(res, {{"items", std::move(items)}});
        });
  s.Post(R"(/api/v1/xregion/outbox/([^/]+)/retry)",
         [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
           if (!Permitted(auth, service, req, res, ctx, "xregion.manage")) return;
           Status st = service.Retry(req.matches[1].str());
           if (!st.ok()) return WriteProblem(res, st.error(), ctx);
           WriteJson(res, {{"message_id", req.matches[1].str()}, {"state", "pending"}});
         });
  s.Get("/api/v1/xregion/log",
        [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          if (!Permitted(auth, service, req, res, ctx, "audit.read")) return;
          auto log = service.Log(req.get_param_value("partner"), LimitParam(req, 1000));
          if (!log.ok()) return WriteProblem(res, log.error(), ctx);
          json items = json::array();
          for (const auto& e : *log) {
            items.push_back({{"position", e.position},
                             {"direction", e.direction},
                             {"message_id", e.message_id},
                             {"partner", e.partner},
                             {"digest", e.digest},
                             {"hash", e.hash},
                             {"at", e.at_ms}});
          }
          WriteJson(res, {{"items", std::move(items)}});
        });
  s.Get("/api/v1/xregion/log/verify",
        [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          if (!Permitted(auth, service, req, res, ctx, "audit.verify")) return;
          auto v = service.VerifyLog();
          if (!v.ok()) return WriteProblem(res, v.error(), ctx);
          WriteJson(res, {{"ok", v->ok},
                          {"entries", v->entries},
                          {"first_bad", v->first_bad},
                          {"problem", v->problem}});
        });
  s.Get("/api/v1/xregion/counts",
        [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          if (!Permitted(auth, service, req, res, ctx, "report.read")) return;
          auto counts = service.Counts();
          if (!counts.ok()) return WriteProblem(res, counts.error(), ctx);
          json items = json::array();
          for (const auto& c : *counts) {
            items.push_back({{"mode", c.mode},
                             {"role", c.role},
                             {"partner", c.partner},
                             {"matter", c.matter},
                             {"cases", c.cases}});
          }
          WriteJson(res, {{"items", std::move(items)}});
        });
  s.Get("/api/v1/xregion/report",
        [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          // The agreements' administrators and the report readers both see it.
          auto caller = CallerOrProblem(auth, req, res, ctx);
          if (!caller) return;
          auto self = service.GetIdentity();
          const people::Target here{.region = self.ok() ? self->region : caller->account.region,
                                    .department = caller->account.department,
                                    .matter = ""};
          if (!auth.Require(*caller, "xregion.manage", here).ok()) {
            Status s = auth.Require(*caller, "report.read", here);
            if (!s.ok()) return WriteProblem(res, s.error(), ctx);
          }
          auto report = service.CoverageReport();
          if (!report.ok()) return WriteProblem(res, report.error(), ctx);
          WriteJson(res, CoverageJson(*report));
        });
  s.Get("/api/v1/xregion/originals/overdue",
        [&](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          if (!Permitted(auth, service, req, res, ctx, "case.read")) return;
          auto list = service.OverdueOriginals();
          if (!list.ok()) return WriteProblem(res, list.error(), ctx);
          json items = json::array();
          for (const auto& c : *list) items.push_back(ToJson(c));
          WriteJson(res, {{"items", std::move(items)}});
        });
}

}  // namespace tongban::api
