#include "api/guide_routes.h"

#include "api/source_routes.h"

namespace tongban::api {

using nlohmann::json;

namespace {

// The form's definition without values: what an anonymous visitor sees.
json BlankForm(const catalog::Matter& matter, const catalog::Scenario& scenario) {
  json fields = json::array();
  for (const catalog::FormField& f : scenario.form) {
    json item = {{"name", f.name},
                 {"label", f.label},
                 {"type", std::string(catalog::EnumId(f.type))},
                 {"required", f.required},
                 {"value", nullptr},
                 {"source", nullptr}};
    if (!f.options.empty()) item["options"] = f.options;
    fields.push_back(std::move(item));
  }
  return {{"matter", matter.item.code},
          {"scenario", scenario.code},
          {"applicant", nullptr},
          {"prefilled", 0},
          {"fields", std::move(fields)}};
}

// A form value as the submission takes it: text.
std::string AsText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

bool HasCredentials(const httplib::Request& req) {
  return req.has_header("Authorization") ||
         req.get_header_value("Cookie").find(std::string(kSessionCookie) + "=") !=
             std::string::npos;
}

}  // namespace

GuideAnswerHook GuideAnswer(const Auth& auth, FormPrefill prefill,
                            sources::SourceService* sources) {
  return [&auth, prefill = std::move(prefill), sources](
             const httplib::Request& req, const catalog::Matter& matter,
             const catalog::Scenario& scenario, json& answer) -> Status {
    answer["form"] = BlankForm(matter, scenario);
    answer["sources"] = nullptr;
    if (!HasCredentials(req) || !prefill) return Ok();
    TB_ASSIGN_OR_RETURN(people::Principal caller, auth.Authenticate(req));
    const std::string uscc = req.get_param_value("uscc");
    TB_ASSIGN_OR_RETURN(answer["form"], prefill(caller, matter.item.code, scenario.code,
                                                req.get_param_value("id_number"), uscc));
    if (sources == nullptr) return Ok();
    sources::ResolveRequest in;
    in.matter = matter.item.code;
    in.scenario = scenario.code;
    if (!uscc.empty()) {
      in.applicant_kind = cases::ApplicantKind::kEnterprise;
      in.applicant_code = uscc;
    } else {
      in.applicant_code = req.get_param_value("id_number");
    }
    for (const json& f : answer["form"]["fields"]) {
      const std::string value = AsText(f.value("value", json(nullptr)));
      if (!value.empty()) in.form[f.value("name", "")] = value;
    }
    auto resolved = sources->Resolve(caller, in);
    if (resolved.ok()) {
      answer["sources"] = ResolutionJson(*resolved);
    } else {
      answer["sources_problem"] = resolved.error().message();
    }
    return Ok();
  };
}

}  // namespace tongban::api
