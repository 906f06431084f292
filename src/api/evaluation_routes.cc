#include "api/evaluation_routes.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>

#include "api/json_body.h"
#include "people/timestamp.h"

namespace tongban::api {
namespace {

using nlohmann::json;
using people::Principal;
namespace ev = evaluation;

json Rate(std::optional<double> r) { return r ? json(*r) : json(nullptr); }

json EvaluationJson(const ev::Evaluation& e) {
  return {{"id", e.id},
          {"source", ev::SourceName(e.source)},
          {"case", Nullable(e.case_number)},
          {"visit", Nullable(e.visit_id)},
          {"region", e.region},
          {"department", e.department},
          {"matter", Nullable(e.matter)},
          {"window", Nullable(e.window)},
          {"level", ev::LevelName(e.level)},
          {"level_title", ev::LevelTitle(e.level)},
          {"good", ev::IsGood(e.level)},
          {"tags", e.tags},
          {"text", e.text},
          {"named", e.named},
          {"created_at", people::FormatTimestamp(e.created_at)},
          {"voided", e.voided},
          {"rectification", e.rectification_id.empty()
                                ? json(nullptr)
                                : json("/api/v1/rectifications/" + e.rectification_id)}};
}

json RectificationJson(const ev::Rectification& r) {
  json callback = nullptr, action = nullptr, review = nullptr;
  if (r.callback_at != 0) {
    callback = {{"at", people::FormatTimestamp(r.callback_at)},
                {"outcome", r.callback_outcome ? json(ev::CallbackOutcomeName(*r.callback_outcome))
                                               : json(nullptr)},
                {"note", r.callback_note}};
  }
  if (r.acted_at != 0) {
    action = {
        {"note", r.action_note}, {"by", r.acted_by}, {"at", people::FormatTimestamp(r.acted_at)}};
  }
  if (r.review_decision) {
    review = {{"decision", ev::ReviewDecisionName(*r.review_decision)},
              {"note", r.review_note},
              {"by", r.reviewed_by}};
  }
  return {{"id", r.id},
          {"evaluation", r.evaluation_id},
          {"case", Nullable(r.case_number)},
          {"visit", Nullable(r.visit_id)},
          {"region", r.region},
          {"department", r.department},
          {"matter", Nullable(r.matter)},
          {"window", Nullable(r.window)},
          {"level", ev::LevelName(r.level)},
          {"tags", r.tags},
          {"text", r.text},
          {"named", r.named},
          {"state", ev::RectificationStateName(r.state)},
          {"opened_at", people::FormatTimestamp(r.opened_at)},
          {"due_on", r.due_on.ToString()},
          {"overdue", r.overdue},
          {"callback", callback},
          {"action", action},
          {"review", review},
          {"applicant_level",
           r.applicant_level ? json(ev::LevelName(*r.applicant_level)) : json(nullptr)}};
}

json VisitJson(const ev::Visit& v) {
  return {{"id", v.id},
          {"case", Nullable(v.case_number)},
          {"channel", ev::VisitChannelName(v.channel)},
          {"window", v.window},
          {"terminal", v.terminal},
          {"region", v.region},
          {"department", v.department},
          {"matter", Nullable(v.matter)},
          {"opened_at", people::FormatTimestamp(v.opened_at)},
          {"evaluation_requests", "/api/v1/visits/" + v.id + "/evaluation-requests"}};
}

json RowJson(const ev::StatisticsRow& r) {
  json levels = json::object();
  for (int i = 0; i < ev::kLevelCount; ++i) {
    levels[std::string(ev::LevelName(static_cast<ev::Level>(i)))] = r.by_level[i];
  }
  return {{"key", Nullable(r.key)},
          {"rated", r.rated},
          {"good", r.good},
          {"bad", r.bad},
          {"levels", levels},
          {"unrated", r.unrated},
          {"good_rate", Rate(r.good_rate)},
          {"rectified", r.rectified},
          {"rectification_rate", Rate(r.rectification_rate)},
          {"named_bad", r.named_bad},
          {"called_back", r.called_back},
          {"callback_rate", Rate(r.callback_rate)}};
}

// The rating of a body: level (required), tags, text.
ev::RatingInput ReadRating(const json& body, ObjectReader& r, FieldErrors& errors) {
  ev::RatingInput in;
  const std::string level = r.String("level", true).value_or("");
  if (auto l = ev::ParseLevel(level)) {
    in.level = *l;
  } else if (body.contains("level")) {
    errors.Add("level",
               "must be very_satisfied | satisfied | basically_satisfied | dissatisfied | "
               "very_dissatisfied");
  }
  if (const json* tags = r.Member("tags", json::value_t::array, false)) {
    for (size_t i = 0; i < tags->size(); ++i) {
      if (!(*tags)[i].is_string()) {
        errors.Add(fmt::format("tags/{}", i), "must be a string");
        continue;
      }
      in.tags.push_back((*tags)[i].get<std::string>());
    }
  }
  in.text = r.String("text", false).value_or("");
  return in;
}

class Routes {
 public:
  Routes(ev::EvaluationService& service, const Auth& auth) : service_(service), auth_(auth) {}

  std::optional<Principal> Caller(const httplib::Request& req, httplib::Response& res,
                                  const RequestContext& ctx) {
    return CallerOrProblem(auth_, req, res, ctx);
  }

  static std::optional<json> Body(const httplib::Request& req, httplib::Response& res,
                                  const RequestContext& ctx, bool empty_ok) {
    return JsonBodyOrProblem(req, res, ctx, empty_ok);
  }

  void RateCase(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    ev::RatingInput in = ReadRating(*body, r, errors);
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the rating is invalid"), ctx);
    auto out = service_.RateCase(*caller, req.matches[1].str(), in);
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    WriteJson(res, EvaluationJson(*out), 201);
  }

  void OpenVisit(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    ev::VisitRequest v;
    v.case_number = r.String("case", false).value_or("");
    const std::string channel = r.String("channel", false).value_or("window");
    if (auto c = ev::ParseVisitChannel(channel)) {
      v.channel = *c;
    } else {
      errors.Add("channel", "must be window | kiosk");
    }
    v.window = r.String("window", true).value_or("");
    v.terminal = r.String("terminal", false).value_or("");
    v.region = r.String("region", false).value_or("");
    v.department = r.String("department", false).value_or("");
    v.matter = r.String("matter", false).value_or("");
    v.applicant_code = r.String("applicant_id_number", false).value_or("");
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the visit is invalid"), ctx);
    auto out = service_.OpenVisit(*caller, v);
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    WriteJson(res, VisitJson(*out), 201);
  }

  void RequestRating(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx, true);
    if (!body) return;
    // The clerk asks; the applicant answers. A request carrying a rating is refused outright.
    for (const char* key : {"level", "tags", "text", "rating"}) {
      if (body->contains(key)) {
        return WriteProblem(res,
                            Error(ErrorCode::kForbidden,
                                  "a clerk never enters or steers a rating: the applicant rates "
                                  "on the device or by the QR code",
                                  {{key, "is not accepted from staff"}}),
                            ctx);
      }
    }
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    const std::string method = r.String("method", false).value_or("device");
    ev::RatingMethod m = ev::RatingMethod::kDevice;
    if (method == "qr_code") {
      m = ev::RatingMethod::kQrCode;
    } else if (method != "device") {
      errors.Add("method", "must be device | qr_code");
    }
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the request is invalid"), ctx);
    auto out = service_.RequestVisitRating(*caller, req.matches[1].str(), m);
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    if (out->evaluation) {
      return WriteJson(res, {{"evaluation", EvaluationJson(*out->evaluation)}}, 201);
    }
    WriteJson(res,
              {{"token", out->token},
               {"expires_at", people::FormatTimestamp(out->expires_at)},
               {"href", "/api/v1/evaluation-tokens/" + out->token}},
              201);
  }

  void RateByToken(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    // Signed in or not: the token is the applicant's; a staff account is refused.
    std::optional<Principal> caller;
    if (req.has_header("Authorization")) {
      caller = Caller(req, res, ctx);
      if (!caller) return;
    }
    auto body = Body(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    ev::RatingInput in = ReadRating(*body, r, errors);
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the rating is invalid"), ctx);
    auto out = service_.RateByToken(caller ? &*caller : nullptr, req.matches[1].str(), in);
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    WriteJson(res, EvaluationJson(*out), 201);
  }

  static std::optional<int> Limit(const httplib::Request& req, FieldErrors& errors) {
    if (!req.has_param("limit")) return 50;
    const std::string v = req.get_param_value("limit");
    int n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size()) {
      errors.Add("limit", "must be an integer");
      return std::nullopt;
    }
    return n;
  }

  void ListEvaluations(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    FieldErrors errors;
    ev::EvaluationQuery q;
    q.region = req.get_param_value("region");
    q.department = req.get_param_value("department");
    q.before = req.get_param_value("cursor");
    q.bad_only = req.get_param_value("bad") == "true";
    if (req.has_param("level")) {
      q.level = ev::ParseLevel(req.get_param_value("level"));
      if (!q.level) errors.Add("level", "must be a level name");
    }
    q.limit = Limit(req, errors).value_or(50);
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the listing is invalid"), ctx);
    auto page = service_.ListEvaluations(*caller, q);
    if (!page.ok()) return WriteProblem(res, page.error(), ctx);
    json items = json::array();
    for (const auto& e : page->items) items.push_back(EvaluationJson(e));
    WriteJson(res, {{"items", items}, {"next_cursor", Nullable(page->next_cursor)}});
  }

  void ListRectifications(const httplib::Request& req, httplib::Response& res,
                          RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    FieldErrors errors;
    ev::RectificationQuery q;
    q.region = req.get_param_value("region");
    q.department = req.get_param_value("department");
    q.overdue = req.get_param_value("overdue") == "true";
    if (req.has_param("state")) {
      q.state = ev::ParseRectificationState(req.get_param_value("state"));
      if (!q.state) errors.Add("state", "must be open | rectified | explained | appealed | voided");
    }
    q.limit = Limit(req, errors).value_or(50);
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the listing is invalid"), ctx);
    auto list = service_.ListRectifications(*caller, q);
    if (!list.ok()) return WriteProblem(res, list.error(), ctx);
    json items = json::array();
    for (const auto& r : *list) items.push_back(RectificationJson(r));
    WriteJson(res, {{"items", items}});
  }

  void GetRectification(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto r = service_.GetRectification(*caller, req.matches[1].str());
    if (!r.ok()) return WriteProblem(res, r.error(), ctx);
    WriteJson(res, RectificationJson(*r));
  }

  void Act(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx, false);
    if (!body) return;
    const std::string id = req.matches[1].str(), action = req.matches[2].str();
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    Result<ev::Rectification> out = Error(ErrorCode::kNotFound, "no such action");
    if (action == "callback") {
      const std::string outcome = r.String("outcome", true).value_or("");
      auto o = ev::ParseCallbackOutcome(outcome);
      if (!o && body->contains("outcome")) {
        errors.Add("outcome", "must be confirmed | not_confirmed | unreachable");
      }
      const std::string note = r.String("note", false).value_or("");
      r.Finish();
      if (!errors.empty()) return WriteProblem(res, errors.ToError("the step is invalid"), ctx);
      out = service_.RecordCallback(*caller, id, *o, note);
    } else if (action == "review") {
      const std::string decision = r.String("decision", true).value_or("");
      auto d = ev::ParseReviewDecision(decision);
      if (!d && body->contains("decision")) errors.Add("decision", "must be uphold | void");
      const std::string note = r.String("note", true).value_or("");
      r.Finish();
      if (!errors.empty()) return WriteProblem(res, errors.ToError("the step is invalid"), ctx);
      out = service_.Review(*caller, id, *d, note);
    } else if (action == "rate") {
      const std::string level = r.String("level", true).value_or("");
      auto l = ev::ParseLevel(level);
      if (!l && body->contains("level")) errors.Add("level", "must be a level name");
      r.Finish();
      if (!errors.empty()) return WriteProblem(res, errors.ToError("the rating is invalid"), ctx);
      out = service_.RateRectification(*caller, id, *l);
    } else {
      const std::string field = action == "appeal" ? "reason" : "note";
      const std::string note = r.String(field, true).value_or("");
      r.Finish();
      if (!errors.empty()) return WriteProblem(res, errors.ToError("the step is invalid"), ctx);
      if (action == "rectify") {
        out = service_.Rectify(*caller, id, note);
      } else if (action == "explain") {
        out = service_.Explain(*caller, id, note);
      } else {
        out = service_.Appeal(*caller, id, note);
      }
    }
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    WriteJson(res, RectificationJson(*out));
  }

  void PublicStatistics(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    FieldErrors errors;
    ev::StatisticsQuery q;
    if (req.has_param("by")) {
      auto d = ev::ParseDimension(req.get_param_value("by"));
      if (d) {
        q.by = *d;
      } else {
        errors.Add("by", "must be department | matter | window | region");
      }
    }
    q.region = req.get_param_value("region");
    for (const char* key : {"from", "to"}) {
      if (!req.has_param(key)) continue;
      auto d = Date::Parse(req.get_param_value(key), key);
      if (!d.ok()) {
        errors.Add(key, "must be a date YYYY-MM-DD");
      } else {
        (std::string_view(key) == "from" ? q.from : q.to) = *d;
      }
    }
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the query is invalid"), ctx);
    auto stats = service_.ComputeStatistics(q);
    if (!stats.ok()) return WriteProblem(res, stats.error(), ctx);
    json rows = json::array();
    for (const auto& r : stats->rows) rows.push_back(RowJson(r));
    WriteJson(res, {{"by", ev::DimensionName(q.by)},
                    {"region", Nullable(q.region)},
                    {"from", q.from ? json(q.from->ToString()) : json(nullptr)},
                    {"to", q.to ? json(q.to->ToString()) : json(nullptr)},
                    {"rows", rows},
                    {"total", RowJson(stats->total)}});
  }

 private:
  ev::EvaluationService& service_;
  const Auth& auth_;
};

}  // namespace

void RegisterEvaluationRoutes(Server& server, ev::EvaluationService& evaluation, const Auth& auth) {
  auto routes = std::make_shared<Routes>(evaluation, auth);
  auto bind = [routes](void (Routes::*method)(const httplib::Request&, httplib::Response&,
                                              RequestContext&)) {
    return [routes, method](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) { ((*routes).*method)(req, res, ctx); };
  };
  server.Post(R"(/api/v1/cases/([^/]+)/evaluations)", bind(&Routes::RateCase));
  server.Post("/api/v1/visits", bind(&Routes::OpenVisit));
  server.Post(R"(/api/v1/visits/([^/]+)/evaluation-requests)", bind(&Routes::RequestRating));
  server.Post(R"(/api/v1/evaluation-tokens/([^/]+))", bind(&Routes::RateByToken));
  server.Get("/api/v1/evaluations", bind(&Routes::ListEvaluations));
  server.Get("/api/v1/rectifications", bind(&Routes::ListRectifications));
  server.Get(R"(/api/v1/rectifications/([^/]+))", bind(&Routes::GetRectification));
  server.Post(R"(/api/v1/rectifications/([^/]+)/(callback|rectify|explain|appeal|review|rate))",
              bind(&Routes::Act));
  server.Get("/api/v1/public/evaluation-statistics", bind(&Routes::PublicStatistics));
}

}  // namespace tongban::api
