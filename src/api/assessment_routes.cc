#include "api/assessment_routes.h"

#include <nlohmann/json.hpp>

#include "api/json_body.h"

namespace tongban::api {
namespace {

using nlohmann::json;

json ToJson(const assessment::Row& r, assessment::AssessBy by) {
  json inputs = json::object();
  for (size_t i = 0; i < assessment::kCountInputs; ++i) {
    inputs[std::string(assessment::InputName(static_cast<assessment::Input>(i)))] = r.inputs[i];
  }
  json rates = json::object();
  for (size_t i = assessment::kCountInputs; i < assessment::kInputCount; ++i) {
    const auto input = static_cast<assessment::Input>(i);
    const assessment::Rate rate = assessment::RateOf(r.inputs, input);
    const std::optional<double> pct = rate.Percent();
    rates[std::string(assessment::InputName(input))] = {
        {"numerator", rate.numerator},
        {"denominator", rate.denominator},
        {"value", pct ? json(*pct) : json(nullptr)}};
  }
  json out = {{std::string(assessment::AssessByName(by)), r.key},
              {"region", r.region},
              {"inputs", std::move(inputs)},
              {"rates", std::move(rates)},
              {"score", r.score},
              {"grade", r.grade},
              {"rules", r.rules}};
  if (by == assessment::AssessBy::kPerson) out["department"] = r.department;
  return out;
}

}  // namespace

void RegisterAssessmentRoutes(Server& server, assessment::AssessmentService& assessment,
                              const Auth& auth) {
  server.Get("/api/v1/assessment/reports", [&assessment, &auth](const httplib::Request& req,
                                                                httplib::Response& res,
                                                                RequestContext& ctx) {
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    assessment::Query q;
    q.month = req.get_param_value("month");
    q.region = req.get_param_value("region");
    q.department = req.get_param_value("department");
    const std::string by = req.has_param("by") ? req.get_param_value("by") : "department";
    const std::optional<assessment::AssessBy> parsed = assessment::ParseAssessBy(by);
    if (!parsed) {
      return WriteProblem(res,
                          Error(ErrorCode::kInvalidArgument, "the assessment request is invalid",
                                {{"by", "must be department or person"}}),
                          ctx);
    }
    q.by = *parsed;
    auto r = assessment.BuildReport(*p, q);
    if (!r.ok()) return WriteProblem(res, r.error(), ctx);
    if (req.get_param_value("format") == "csv" ||
        req.get_header_value("Accept").find("text/csv") != std::string::npos) {
      res.set_header("Content-Disposition", "attachment; filename=\"assessment.csv\"");
      res.set_content(assessment::ReportCsv(*r), "text/csv; charset=utf-8");
      return;
    }
    json rows = json::array();
    for (const assessment::Row& row : r->rows) rows.push_back(ToJson(row, q.by));
    WriteJson(res, {{"month", q.month},
                    {"by", std::string(assessment::AssessByName(q.by))},
                    {"region", q.region},
                    {"department", q.department},
                    {"from", r->from.ToString()},
                    {"to", r->to.ToString()},
                    {"rows", std::move(rows)}});
  });
}

}  // namespace tongban::api
