#include "api/source_routes.h"

#include <fmt/format.h>

#include "api/json_body.h"

namespace tongban::api {

using nlohmann::json;
using sources::Source;

namespace {

json JurisdictionJson(const sources::Jurisdiction& j) {
  return {{"outcome", sources::JurisdictionOutcomeName(j.outcome)},
          {"requested_matter", j.requested_matter},
          {"competent_matter", j.competent_matter},
          {"competent_region", j.competent_region},
          {"competent_department", j.competent_department},
          {"note", j.note}};
}

json MaterialJson(const sources::ResolvedMaterial& m) {
  return {{"index", m.index},
          {"name", m.name},
          {"required", m.required},
          {"catalog_source", catalog::EnumId(m.catalog_source)},
          {"source", catalog::EnumId(m.source)},
          {"carried", m.source == Source::kApplicant},
          {"reference", m.reference},
          {"detail", m.detail}};
}

json RequestJson(const sources::CertificateRequest& r) {
  return {{"id", r.id},
          {"case_number", r.case_number},
          {"index", r.index},
          {"material", r.material},
          {"certificate", r.certificate},
          {"licence_type_code", r.licence_type_code},
          {"department", r.department},
          {"region", r.region},
          {"applicant_name", r.applicant_name},
          {"state", sources::RequestStateName(r.state)},
          {"due_on", r.due_on.ToString()},
          {"overdue", r.overdue},
          {"answered_by", r.answered_by},
          {"licence_id", r.licence_id},
          {"reason", r.reason}};
}

json CountsJson(const sources::SourceCounts& c) {
  json by = json::object();
  for (const auto& [k, v] : c.by_source) by[k] = v;
  return {{"matter", c.matter},     {"matter_name", c.matter_name}, {"cases", c.cases},
          {"required", c.required}, {"not_carried", c.not_carried}, {"by_source", by}};
}

std::optional<Date> DateParam(const httplib::Request& req, const std::string& name,
                              FieldErrors& errors) {
  if (!req.has_param(name)) return std::nullopt;
  auto d = Date::Parse(req.get_param_value(name), name);
  if (!d.ok()) {
    errors.Add(name, "must be a date YYYY-MM-DD");
    return std::nullopt;
  }
  return *d;
}

}  // namespace

json ResolutionJson(const sources::Resolution& r) {
  json materials = json::array();
  for (const auto& m : r.materials) materials.push_back(MaterialJson(m));
  return {{"jurisdiction", JurisdictionJson(r.jurisdiction)}, {"materials", materials}};
}

json SourceReportJson(const sources::SourceReport& report) {
  json matters = json::array();
  for (const auto& m : report.matters) matters.push_back(CountsJson(m));
  json catalog = CountsJson(report.catalog);
  catalog.erase("matter");
  catalog.erase("matter_name");
  catalog["matters"] = catalog["cases"];
  catalog.erase("cases");
  json total = CountsJson(report.total);
  total.erase("matter");
  total.erase("matter_name");
  return {{"matters", matters}, {"total", total}, {"catalog", catalog}};
}

Result<json> CaseLicenceJson(sources::CaseLicences* case_licences, const std::string& number) {
  if (case_licences == nullptr) return json(nullptr);
  TB_ASSIGN_OR_RETURN(std::optional<sources::CaseLicence> l, case_licences->ForCase(number));
  if (!l) return json(nullptr);
  json out = {{"state", sources::CaseLicenceStateName(l->state)},
              {"type_code", l->type_code},
              {"licence_id", Nullable(l->licence_id)},
              {"error", Nullable(l->error)}};
  if (!l->licence_id.empty()) {
    out["href"] = "/api/v1/licences/" + l->licence_id;
    out["pdf_href"] = "/api/v1/licences/" + l->licence_id + "/pdf";
    out["verification_href"] = "/verify/" + l->licence_id;
  }
  return out;
}

void RegisterSourceRoutes(Server& server, sources::SourceService& sources, const Auth& auth,
                          sources::CaseLicences* case_licences) {
  server.Post(
      R"(/api/v1/matters/([^/]+)/scenarios/([^/]+)/sources)",
      [&sources, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto caller = CallerOrProblem(auth, req, res, ctx);
        if (!caller) return;
        auto body = JsonBodyOrProblem(req, res, ctx, /*empty_ok=*/true);
        if (!body) return;
        FieldErrors errors;
        ObjectReader r(*body, "", errors);
        sources::ResolveRequest in;
        in.matter = req.matches[1].str();
        in.scenario = req.matches[2].str();
        if (const json* a = r.Member("applicant", json::value_t::object, false)) {
          ObjectReader ar(*a, "applicant", errors);
          const std::string kind = ar.String("kind", false).value_or("person");
          if (auto k = cases::ParseApplicantKind(kind)) {
            in.applicant_kind = *k;
          } else {
            errors.Add("applicant/kind", "must be person or enterprise");
          }
          in.applicant_code = ar.String("code", false).value_or("");
          ar.Finish();
        }
        if (const json* f = r.Member("form", json::value_t::object, false)) {
          for (const auto& [k, v] : f->items()) {
            if (v.is_string()) {
              in.form[k] = v.get<std::string>();
            } else if (v.is_number() || v.is_boolean()) {
              in.form[k] = v.dump();
            } else if (!v.is_null()) {
              errors.Add("form/" + k, "must be a string, number or boolean");
            }
          }
        }
        if (const json* al = r.Member("authorised_licences", json::value_t::array, false)) {
          for (const json& t : *al) {
            if (t.is_string()) {
              in.authorised_licences.push_back(t.get<std::string>());
            } else {
              errors.Add("authorised_licences", "must be licence type names");
            }
          }
        }
        r.Finish();
        if (!errors.empty()) {
          return WriteProblem(res, errors.ToError("the request is invalid"), ctx);
        }
        auto out = sources.Resolve(*caller, in);
        if (!out.ok()) return WriteProblem(res, out.error(), ctx);
        WriteJson(res, ResolutionJson(*out));
      });

  auto result_licence = [case_licences](const std::string& number) {
    return CaseLicenceJson(case_licences, number);
  };
  server.Get(R"(/api/v1/cases/([^/]+)/(sources|licence))",
             [&sources, &auth, result_licence](const httplib::Request& req, httplib::Response& res,
                                               RequestContext& ctx) {
               auto caller = CallerOrProblem(auth, req, res, ctx);
               if (!caller) return;
               const std::string number = req.matches[1].str();
               // Reading the sources checks that the caller may read the case.
               auto s = sources.Get(*caller, number);
               if (!s.ok()) return WriteProblem(res, s.error(), ctx);
               auto licence = result_licence(number);
               if (!licence.ok()) return WriteProblem(res, licence.error(), ctx);
               if (req.matches[2].str() == "licence") {
                 return WriteJson(res, {{"result_licence", *licence}});
               }
               json materials = json::array(), requests = json::array();
               for (const auto& m : s->materials) materials.push_back(MaterialJson(m));
               for (const auto& r : s->requests) requests.push_back(RequestJson(r));
               WriteJson(res, {{"jurisdiction", JurisdictionJson(s->jurisdiction)},
                               {"authorised_licences", s->authorised_licences},
                               {"materials", materials},
                               {"certificate_requests", requests},
                               {"result_licence", *licence}});
             });

  server.Get(
      "/api/v1/certificate-requests",
      [&sources, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto caller = CallerOrProblem(auth, req, res, ctx);
        if (!caller) return;
        FieldErrors errors;
        const std::string department = req.get_param_value("department");
        if (department.empty()) errors.Add("department", "is required");
        int limit = 50;
        if (req.has_param("limit")) {
          try {
            limit = std::stoi(req.get_param_value("limit"));
          } catch (const std::exception&) {
            errors.Add("limit", "must be an integer from 1 to 500");
          }
        }
        if (!errors.empty()) return WriteProblem(res, errors.ToError("the query is invalid"), ctx);
        auto inbox = sources.Inbox(*caller, department, limit);
        if (!inbox.ok()) return WriteProblem(res, inbox.error(), ctx);
        json items = json::array();
        for (const auto& r : *inbox) items.push_back(RequestJson(r));
        WriteJson(res, {{"items", items}});
      });

  server.Post(
      R"(/api/v1/certificate-requests/([^/]+)/(answer|refuse))",
      [&sources, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto caller = CallerOrProblem(auth, req, res, ctx);
        if (!caller) return;
        auto body = JsonBodyOrProblem(req, res, ctx, /*empty_ok=*/false);
        if (!body) return;
        FieldErrors errors;
        ObjectReader r(*body, "", errors);
        const std::string id = req.matches[1].str();
        Result<sources::CertificateRequest> out =
            Error(ErrorCode::kInternal, "the request did not run");
        if (req.matches[2].str() == "answer") {
          const json* data = r.Member("data", json::value_t::object, true);
          r.Finish();
          if (!errors.empty()) {
            return WriteProblem(res, errors.ToError("the answer is invalid"), ctx);
          }
          out = sources.Answer(*caller, id, *data);
        } else {
          const std::string reason = r.String("reason", true).value_or("");
          r.Finish();
          if (!errors.empty()) {
            return WriteProblem(res, errors.ToError("the refusal is invalid"), ctx);
          }
          out = sources.Refuse(*caller, id, reason);
        }
        if (!out.ok()) return WriteProblem(res, out.error(), ctx);
        WriteJson(res, RequestJson(*out));
      });

  server.Get(
      "/api/v1/reports/material-sources",
      [&sources, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto caller = CallerOrProblem(auth, req, res, ctx);
        if (!caller) return;
        FieldErrors errors;
        sources::SourceReportQuery q;
        q.region = req.get_param_value("region");
        q.matter = req.get_param_value("matter");
        q.from = DateParam(req, "from", errors);
        q.to = DateParam(req, "to", errors);
        if (!errors.empty()) return WriteProblem(res, errors.ToError("the query is invalid"), ctx);
        auto report = sources.Report(*caller, q);
        if (!report.ok()) return WriteProblem(res, report.error(), ctx);
        WriteJson(res, SourceReportJson(*report));
      });
}

}  // namespace tongban::api
