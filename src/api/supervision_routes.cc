#include "api/supervision_routes.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <fmt/format.h>

#include "api/json_body.h"
#include "people/authorization.h"
#include "supervision/rules.h"

namespace tongban::api {
namespace {

using nlohmann::json;
namespace sv = supervision;

json ToJson(const sv::Card& c) {
  json history = json::array();
  for (const sv::CardEvent& e : c.history) {
    history.push_back({{"seq", e.seq},
                       {"at_ms", e.at_ms},
                       {"actor", e.actor},
                       {"action", e.action},
                       {"note", e.note}});
  }
  json out = {{"id", c.id},
              {"case_number", Nullable(c.case_number)},
              {"step", Nullable(c.step)},
              {"step_name", c.step_name},
              {"trigger", c.trigger},
              {"level", sv::LevelName(c.level)},
              {"level_title", sv::LevelTitle(c.level)},
              {"reason", c.reason},
              {"region", c.region},
              {"department", c.department},
              {"person", Nullable(c.person)},
              {"issued_on", c.issued_on.ToString()},
              {"state", sv::CardStateName(c.state)},
              {"answer", Nullable(c.answer)},
              {"answered_by", Nullable(c.answered_by)},
              {"handed_over_by", Nullable(c.handed_over_by)}};
  if (!c.history.empty()) out["history"] = std::move(history);
  return out;
}

json ToJson(const sv::Rule& r) {
  return {{"name", r.name},
          {"scope", sv::RuleScopeName(r.scope)},
          {"level", sv::LevelName(r.level)},
          {"reason", r.reason},
          {"states", r.states},
          {"when", r.when}};
}

json ToJson(const sv::SweepResult& r) {
  json triggers = json::array();
  for (const auto& t : r.triggers) {
    triggers.push_back({{"trigger", t.trigger},
                        {"level", sv::LevelName(t.level)},
                        {"matched", t.matched},
                        {"issued", t.issued}});
  }
  return {{"id", r.id},
          {"as_of", r.as_of.ToString()},
          {"dry_run", r.dry_run},
          {"open_cases", r.open_cases},
          {"triggers", std::move(triggers)},
          {"warnings", r.warnings},
          {"yellow", r.yellow},
          {"red", r.red},
          {"escalated", r.escalated},
          {"notices", r.notices},
          {"elapsed_ms", r.elapsed_ms}};
}

std::optional<int64_t> CardId(const httplib::Request& req, httplib::Response& res,
                              const RequestContext& ctx) {
  const std::string text = req.matches[1].str();
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    WriteProblem(res, Error(ErrorCode::kNotFound, "no such card"), ctx);
    return std::nullopt;
  }
  return id;
}

}  // namespace

void RegisterSupervisionRoutes(Server& server, sv::SupervisionService& service, const Auth& auth,
                               const SupervisionRouteOptions& options) {
  server.Get(
      "/api/v1/supervision/cards",
      [&service, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        FieldErrors errors;
        sv::CardQuery q;
        q.region = req.get_param_value("region");
        q.department = req.get_param_value("department");
        q.person = req.get_param_value("person");
        q.case_number = req.get_param_value("case");
        q.cursor = req.get_param_value("cursor");
        if (req.has_param("level")) {
          q.level = sv::ParseLevel(req.get_param_value("level"));
          if (!q.level) errors.Add("level", "must be warning, yellow or red");
        }
        if (req.has_param("state")) {
          q.state = sv::ParseCardState(req.get_param_value("state"));
          if (!q.state) errors.Add("state", "must be open, answered or handed_over");
        }
        if (req.has_param("limit")) {
          const std::string l = req.get_param_value("limit");
          auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), q.limit);
          if (ec != std::errc() || end != l.data() + l.size()) q.limit = 0;
        }
        if (!errors.empty())
          return WriteProblem(res, errors.ToError("the card listing is invalid"), ctx);
        auto page = service.ListCards(*p, q);
        if (!page.ok()) return WriteProblem(res, page.error(), ctx);
        json items = json::array();
        for (const auto& c : page->items) items.push_back(ToJson(c));
        WriteJson(res, {{"items", std::move(items)}, {"next_cursor", Nullable(page->next_cursor)}});
      });

  server.Get(
      R"(/api/v1/supervision/cards/([^/]+))",
      [&service, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto id = CardId(req, res, ctx);
        if (!id) return;
        auto card = service.GetCard(*p, *id);
        if (!card.ok()) return WriteProblem(res, card.error(), ctx);
        WriteJson(res, ToJson(*card));
      });

  server.Post(
      R"(/api/v1/supervision/cards/([^/]+)/answer)",
      [&service, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto id = CardId(req, res, ctx);
        if (!id) return;
        auto body = ParseJsonBody(req);
        if (!body.ok()) return WriteProblem(res, body.error(), ctx);
        FieldErrors errors;
        ObjectReader r(*body, "", errors);
        std::string correction = r.String("correction", true).value_or("");
        r.Finish();
        if (!errors.empty()) {
          return WriteProblem(res, errors.ToError("the answer is invalid"), ctx);
        }
        auto card = service.Answer(*p, *id, correction);
        if (!card.ok()) return WriteProblem(res, card.error(), ctx);
        WriteJson(res, ToJson(*card));
      });

  server.Post(
      R"(/api/v1/supervision/cards/([^/]+)/hand-over)",
      [&service, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto id = CardId(req, res, ctx);
        if (!id) return;
        std::string note;
        if (!req.body.empty()) {
          auto body = ParseJsonBody(req);
          if (!body.ok()) return WriteProblem(res, body.error(), ctx);
          FieldErrors errors;
          ObjectReader r(*body, "", errors);
          note = r.String("note", false).value_or("");
          r.Finish();
          if (!errors.empty()) {
            return WriteProblem(res, errors.ToError("the hand-over is invalid"), ctx);
          }
        }
        auto clue = service.HandOver(*p, *id, note);
        if (!clue.ok()) return WriteProblem(res, clue.error(), ctx);
        WriteJson(res,
                  {{"card", ToJson(clue->card)},
                   {"digest", clue->digest},
                   {"case_file", json::parse(clue->bundle, nullptr, false)}},
                  201);
      });

  server.Get(
      R"(/api/v1/supervision/cards/([^/]+)/clue)",
      [&service, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto id = CardId(req, res, ctx);
        if (!id) return;
        auto clue = service.GetClue(*p, *id);
        if (!clue.ok()) return WriteProblem(res, clue.error(), ctx);
        WriteJson(res, {{"card", ToJson(clue->card)},
                        {"digest", clue->digest},
                        {"case_file", json::parse(clue->bundle, nullptr, false)}});
      });

  server.Get(
      R"(/api/v1/supervision/rules/([^/]+))",
      [&service, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        const std::string region = req.matches[1].str();
        if (!people::IsRegionCode(region)) {
          return WriteProblem(res,
                              Error(ErrorCode::kInvalidArgument, "the region is invalid",
                                    {{"region", "must be a region code"}}),
                              ctx);
        }
        // Any supervision.read grant over the region, whatever its department: a department reads
        // the rules it is judged by.
        const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                SystemClock::Instance().Now().time_since_epoch())
                                .count();
        const bool may_read =
            std::any_of(p->grants.begin(), p->grants.end(), [&](const people::HeldGrant& g) {
              return std::binary_search(g.permissions.begin(), g.permissions.end(),
                                        std::string("supervision.read")) &&
                     people::ScopeCovers(g.grant.scope,
                                         {.region = region, .department = g.grant.scope.department},
                                         now, nullptr);
            });
        if (!may_read) {
          return WriteProblem(
              res,
              Error(ErrorCode::kForbidden, "not permitted: supervision.read over region " + region),
              ctx);
        }
        auto rules = service.RulesInForce(region);
        if (!rules.ok()) return WriteProblem(res, rules.error(), ctx);
        json list = json::array();
        for (const auto& r : rules->rules) list.push_back(ToJson(r));
        auto own = service.OwnRules(region);
        WriteJson(
            res,
            {{"region", region},
             {"sources", rules->sources},
             {"warning",
              {{"working_days", rules->warning.working_days}, {"percent", rules->warning.percent}}},
             {"escalation",
              {{"yellow_cards", rules->escalation.yellow_cards}, {"days", rules->escalation.days}}},
             {"red_after_working_days", rules->red_after_working_days},
             {"rules", std::move(list)},
             {"own_yaml", own.ok() ? json(sv::RuleSetToYaml(*own)) : json(nullptr)}});
      });

  server.Put(
      R"(/api/v1/supervision/rules/([^/]+))",
      [&service, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        std::string yaml = req.body;
        if (req.get_header_value("Content-Type").find("json") != std::string::npos) {
          auto body = ParseJsonBody(req);
          if (!body.ok()) return WriteProblem(res, body.error(), ctx);
          FieldErrors errors;
          ObjectReader r(*body, "", errors);
          yaml = r.String("yaml", true).value_or("");
          r.Finish();
          if (!errors.empty())
            return WriteProblem(res, errors.ToError("the rule set is invalid"), ctx);
        }
        auto set = service.SaveRules(*p, req.matches[1].str(), yaml);
        if (!set.ok()) return WriteProblem(res, set.error(), ctx);
        json list = json::array();
        for (const auto& r : set->rules) list.push_back(ToJson(r));
        WriteJson(res, {{"region", set->region}, {"rules", std::move(list)}});
      });

  server.Post("/api/v1/supervision/sweeps", [&service, &auth, options](const httplib::Request& req,
                                                                       httplib::Response& res,
                                                                       RequestContext& ctx) {
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    sv::SweepOptions o;
    if (!req.body.empty()) {
      auto body = ParseJsonBody(req);
      if (!body.ok()) return WriteProblem(res, body.error(), ctx);
      FieldErrors errors;
      ObjectReader r(*body, "", errors);
      o.region = r.String("region", false).value_or("");
      o.dry_run = r.Bool("dry_run", false).value_or(false);
      if (auto d = r.String("as_of", false)) {
        auto date = Date::Parse(*d, "as_of");
        if (date.ok()) {
          o.as_of = *date;
        } else {
          errors.Add("as_of", "must be a date YYYY-MM-DD");
        }
      }
      r.Finish();
      if (!errors.empty()) return WriteProblem(res, errors.ToError("the sweep is invalid"), ctx);
    }
    Status allowed = auth.Require(*p, "supervision.card", {.region = o.region, .department = ""});
    if (!allowed.ok()) return WriteAuthProblem(res, allowed.error(), ctx);
    o.actor = p->account.id;
    auto result = service.Sweep(o);
    if (!result.ok()) return WriteProblem(res, result.error(), ctx);
    if (result->notices > 0 && options.after_sweep) options.after_sweep();
    WriteJson(res, ToJson(*result), o.dry_run ? 200 : 201);
  });

  server.Get(
      "/api/v1/supervision/reports",
      [&service, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        const std::string by_text = req.has_param("by") ? req.get_param_value("by") : "department";
        sv::ReportBy by = sv::ReportBy::kDepartment;
        if (by_text == "person") {
          by = sv::ReportBy::kPerson;
        } else if (by_text != "department") {
          return WriteProblem(res,
                              Error(ErrorCode::kInvalidArgument, "the report request is invalid",
                                    {{"by", "must be department or person"}}),
                              ctx);
        }
        auto report = service.CardReport(*p, req.get_param_value("period"), by,
                                         req.get_param_value("region"));
        if (!report.ok()) return WriteProblem(res, report.error(), ctx);
        if (req.get_param_value("format") == "csv") {
          res.set_content(sv::ReportCsv(*report), "text/csv; charset=utf-8");
          return;
        }
        json rows = json::array();
        for (const auto& r : report->rows) {
          rows.push_back({{by_text, r.key},
                          {"region", r.region},
                          {"warnings", r.warnings},
                          {"yellow", r.yellow},
                          {"red", r.red},
                          {"answered", r.answered},
                          {"handed_over", r.handed_over}});
        }
        WriteJson(res, {{"period", report->period},
                        {"from", report->from.ToString()},
                        {"to", report->to.ToString()},
                        {"by", by_text},
                        {"rows", std::move(rows)}});
      });
}

}  // namespace tongban::api
