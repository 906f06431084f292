#include "api/kpi_routes.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "api/json_body.h"

namespace tongban::api {
namespace {

using nlohmann::json;

json ToJson(const kpi::Figure& f) {
  json out = {{"name", f.name},
              {"title", f.title},
              {"unit", f.unit},
              {"provider", f.provider},
              {"value", f.Value() ? json(*f.Value()) : json(nullptr)}};
  if (f.kind == kpi::FigureKind::kCount) {
    out["value"] = f.numerator;
  } else {
    out["numerator"] = f.numerator;
    out["denominator"] = f.denominator;
  }
  if (!f.labels.empty()) out["labels"] = f.labels;
  return out;
}

json ToJson(const kpi::ReportQuery& q) {
  return {{"region", q.region},   {"department", q.department}, {"matter", q.matter},
          {"channel", q.channel}, {"window", q.window},         {"from", q.from.ToString()},
          {"to", q.to.ToString()}};
}

json ToJson(const kpi::Report& r) {
  json figures = json::array();
  for (const auto& f : r.figures) figures.push_back(ToJson(f));
  return {{"query", ToJson(r.query)},
          {"previous", {{"from", r.previous_from.ToString()}, {"to", r.previous_to.ToString()}}},
          {"figures", std::move(figures)}};
}

json ToJson(const std::vector<kpi::SeriesPoint>& series) {
  json out = json::array();
  for (const auto& p : series) {
    out.push_back({{"key", p.key},
                   {"applications", p.applications},
                   {"concluded", p.concluded},
                   {"on_time", p.on_time},
                   {"online", p.online}});
  }
  return out;
}

json ToJson(const kpi::WalkthroughNote& n) {
  return {{"id", n.id},
          {"case_number", n.case_number},
          {"step", n.step},
          {"friction", n.friction},
          {"author", n.author},
          {"rectification_item", Nullable(n.rectification_item)},
          {"created_at", n.created_at_ms}};
}

json ToJson(const kpi::RectificationItem& r) {
  return {{"id", r.id},
          {"source", r.source},
          {"source_id", r.source_id},
          {"case_number", r.case_number},
          {"region", r.region},
          {"department", r.department},
          {"matter", r.matter},
          {"description", r.description},
          {"state", r.state},
          {"created_by", r.created_by},
          {"created_at", r.created_at_ms}};
}

// The query parameters of a report; the period defaults to the current year.
Result<kpi::ReportQuery> ReadQuery(const httplib::Request& req, Date today) {
  kpi::ReportQuery q;
  q.region = req.get_param_value("region");
  q.department = req.get_param_value("department");
  q.matter = req.get_param_value("matter");
  q.channel = req.get_param_value("channel");
  q.window = req.get_param_value("window");
  const std::string period =
      req.has_param("period") ? req.get_param_value("period") : today.ToString().substr(0, 4);
  TB_ASSIGN_OR_RETURN(auto range, kpi::ParsePeriod(period, "period"));
  q.from = range.first;
  q.to = range.second;
  return q;
}

enum class Format { kJson, kCsv, kXlsx };

Format FormatOf(const httplib::Request& req) {
  const std::string f = req.get_param_value("format");
  const std::string accept = req.get_header_value("Accept");
  if (f == "xlsx" || accept.find("spreadsheetml") != std::string::npos) return Format::kXlsx;
  if (f == "csv" || accept.find("text/csv") != std::string::npos) return Format::kCsv;
  return Format::kJson;
}

void WriteReport(httplib::Response& res, const kpi::Report& r, Format format,
                 const RequestContext& ctx) {
  switch (format) {
    case Format::kCsv:
      res.set_header("Content-Disposition", "attachment; filename=\"report.csv\"");
      res.set_content(kpi::ReportCsv(r), "text/csv; charset=utf-8");
      return;
    case Format::kXlsx: {
      auto bytes = kpi::ReportXlsx(r);
      if (!bytes.ok()) return WriteProblem(res, bytes.error(), ctx);
      res.set_header("Content-Disposition", "attachment; filename=\"report.xlsx\"");
      res.set_content(*bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      return;
    }
    case Format::kJson:
      WriteJson(res, ToJson(r));
      return;
  }
}

Date Today() { return TodayInChina(SystemClock::Instance()); }

}  // namespace

void RegisterKpiRoutes(Server& server, kpi::KpiService& kpi, const Auth& auth) {
  server.Get("/api/v1/kpi/reports", [&kpi, &auth](const httplib::Request& req,
                                                  httplib::Response& res, RequestContext& ctx) {
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    auto q = ReadQuery(req, Today());
    if (!q.ok()) return WriteProblem(res, q.error(), ctx);
    auto r = kpi.BuildReport(*p, *q);
    if (!r.ok()) return WriteProblem(res, r.error(), ctx);
    WriteReport(res, *r, FormatOf(req), ctx);
  });

  server.Get("/api/v1/kpi/dashboard", [&kpi, &auth](const httplib::Request& req,
                                                    httplib::Response& res, RequestContext& ctx) {
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    auto q = ReadQuery(req, Today());
    if (!q.ok()) return WriteProblem(res, q.error(), ctx);
    auto d = kpi.BuildDashboard(*p, *q);
    if (!d.ok()) return WriteProblem(res, d.error(), ctx);
    json totals = json::array();
    for (const auto& f : d->totals) totals.push_back(ToJson(f));
    WriteJson(res, {{"query", ToJson(d->query)},
                    {"totals", std::move(totals)},
                    {"by_month", ToJson(d->by_month)},
                    {"by_department", ToJson(d->by_department)},
                    {"by_channel", ToJson(d->by_channel)}});
  });

  server.Get("/api/v1/kpi/statistics",
             [&kpi](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
               auto q = ReadQuery(req, Today());
               if (!q.ok()) return WriteProblem(res, q.error(), ctx);
               auto r = kpi.PublicStatistics(*q);
               if (!r.ok()) return WriteProblem(res, r.error(), ctx);
               WriteReport(res, *r, FormatOf(req), ctx);
             });

  server.Post(
      R"(/api/v1/kpi/walkthroughs/([^/]+)/notes)",
      [&kpi, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto body = ParseJsonBody(req);
        if (!body.ok()) return WriteProblem(res, body.error(), ctx);
        FieldErrors errors;
        ObjectReader r(*body, "", errors);
        std::string step = r.String("step", true).value_or("");
        std::string friction = r.String("friction", true).value_or("");
        const bool finding = r.Bool("finding", false).value_or(false);
        r.Finish();
        if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid note"), ctx);
        auto n = kpi.AddNote(*p, req.matches[1].str(), std::move(step), std::move(friction),
                             finding ? kpi::NoteKind::kFinding : kpi::NoteKind::kNote);
        if (!n.ok()) return WriteProblem(res, n.error(), ctx);
        WriteJson(res, ToJson(*n), 201);
      });

  server.Get(
      R"(/api/v1/kpi/walkthroughs/([^/]+)/notes)",
      [&kpi, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto notes = kpi.Notes(*p, req.matches[1].str());
        if (!notes.ok()) return WriteProblem(res, notes.error(), ctx);
        json items = json::array();
        for (const auto& n : *notes) items.push_back(ToJson(n));
        WriteJson(res, {{"items", std::move(items)}});
      });

  server.Get(
      "/api/v1/kpi/rectification-items",
      [&kpi, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto items = kpi.RectificationItems(*p, req.get_param_value("region"),
                                            req.get_param_value("department"));
        if (!items.ok()) return WriteProblem(res, items.error(), ctx);
        json out = json::array();
        for (const auto& i : *items) out.push_back(ToJson(i));
        WriteJson(res, {{"items", std::move(out)}});
      });
}

}  // namespace tongban::api
