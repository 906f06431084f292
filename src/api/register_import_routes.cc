#include "api/register_import_routes.h"

#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "api/json_body.h"

namespace tongban::api {

using nlohmann::json;

json ImportJobToJson(const registers::ImportJob& job) {
  return {{"id", job.id},
          {"kind", registers::ImportKindName(job.kind)},
          {"state", registers::ImportJobStateName(job.state)},
          {"file_name", job.file_name},
          {"started_by", job.actor},
          {"size", job.size},
          {"created_at_ms", job.created_at_ms},
          {"finished_at_ms", job.finished_at_ms == 0 ? json(nullptr) : json(job.finished_at_ms)},
          {"lines", job.progress.lines},
          {"imported", job.progress.imported},
          {"rejected", job.progress.rejected},
          {"bytes_done", job.progress.bytes_done},
          {"percent", job.Percent()},
          {"rows_per_second", std::round(job.rows_per_second * 10) / 10},
          {"runs", job.runs},
          {"import_id", job.import_id},
          {"error", Nullable(job.error)},
          {"bad_rows", fmt::format("/api/v1/register-imports/{}/bad-rows", job.id)}};
}

namespace {

class ImportRoutes {
 public:
  ImportRoutes(registers::ImportJobs& jobs, const Auth& auth) : jobs_(jobs), auth_(auth) {}

  void Submit(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    const std::string type = req.get_header_value("Content-Type");
    if (!type.starts_with("text/csv") && !type.starts_with("application/octet-stream")) {
      return WriteProblem(res,
                          Error(ErrorCode::kUnsupportedMediaType,
                                "the body must be the CSV file (Content-Type: text/csv)"),
                          ctx);
    }
    auto kind = registers::ParseImportKind(req.get_param_value("kind"));
    if (!kind) {
      FieldErrors errors;
      errors.Add("kind", "must be persons or entities");
      return WriteProblem(res, errors.ToError("bad import"), ctx);
    }
    auto started = jobs_.Submit(*caller, *kind, req.body, req.get_param_value("file_name"));
    if (!started.ok()) return WriteProblem(res, started.error(), ctx);
    res.set_header("Location", "/api/v1/register-imports/" + started->job.id);
    WriteJson(res, ImportJobToJson(started->job), started->created ? 202 : 200);
  }

  void List(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    json items = json::array();
    for (const auto& job : jobs_.List(*caller)) items.push_back(ImportJobToJson(job));
    WriteJson(res, {{"items", items}});
  }

  void Get(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto job = jobs_.Get(*caller, req.matches[1].str());
    if (!job.ok()) return WriteProblem(res, job.error(), ctx);
    WriteJson(res, ImportJobToJson(*job));
  }

  void BadRows(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto csv = jobs_.BadRows(*caller, req.matches[1].str());
    if (!csv.ok()) return WriteProblem(res, csv.error(), ctx);
    res.set_header("Content-Disposition",
                   fmt::format("attachment; filename=\"bad-rows-{}.csv\"", req.matches[1].str()));
    res.set_content(*csv, "text/csv; charset=utf-8");
  }

 private:
  registers::ImportJobs& jobs_;
  const Auth& auth_;
};

}  // namespace

void RegisterRegisterImportRoutes(Server& server, registers::ImportJobs& jobs, const Auth& auth) {
  auto routes = std::make_shared<ImportRoutes>(jobs, auth);
  auto bind = [routes](void (ImportRoutes::*method)(const httplib::Request&, httplib::Response&,
                                                    RequestContext&)) {
    return [routes, method](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) { ((*routes).*method)(req, res, ctx); };
  };
  server.Post("/api/v1/register-imports", bind(&ImportRoutes::Submit));
  server.Get("/api/v1/register-imports", bind(&ImportRoutes::List));
  server.Get(R"(/api/v1/register-imports/([^/]+))", bind(&ImportRoutes::Get));
  server.Get(R"(/api/v1/register-imports/([^/]+)/bad-rows)", bind(&ImportRoutes::BadRows));
}

}  // namespace tongban::api
