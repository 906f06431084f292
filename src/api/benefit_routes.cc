#include "api/benefit_routes.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "api/json_body.h"

namespace tongban::api {
namespace {

using nlohmann::json;

json ToJson(const benefits::Policy& p) {
  return {{"name", p.name},
          {"version", p.version},
          {"kind", benefits::PolicyKindName(p.kind)},
          {"title", p.title},
          {"matter", p.matter},
          {"eligibility", p.eligibility},
          {"amount", p.amount},
          {"cycle", benefits::CycleName(p.cycle)},
          {"region", p.region},
          {"valid_from", p.valid_from.ToString()},
          {"valid_to", p.valid_to ? json(p.valid_to->ToString()) : json(nullptr)},
          {"legal_basis", p.legal_basis},
          {"mode", benefits::GrantModeName(p.mode)},
          {"opt_out_days", p.opt_out_days},
          {"channels", p.channels}};
}

json ToJson(const benefits::RegionCounts& c) {
  return {{"region", c.region},
          {"screened", c.screened},
          {"eligible", c.eligible},
          {"eligible_not_receiving", c.eligible_not_receiving},
          {"no_longer_eligible", c.no_longer_eligible}};
}

json ToJson(const benefits::MatchRun& r) {
  json regions = json::array();
  for (const auto& g : r.regions) regions.push_back(ToJson(g));
  return {{"id", Nullable(r.id)},
          {"policy", r.policy},
          {"version", r.version},
          {"region", r.region},
          {"reference_date", r.reference.ToString()},
          {"as_of", r.as_of},
          {"created_by", r.created_by},
          {"total", ToJson(r.total)},
          {"regions", std::move(regions)}};
}

json ToJson(const benefits::MatchResult& r) {
  return {{"person_id", r.person_id},
          {"region", r.region},
          {"kind", r.kind},
          {"amount_fen", r.amount_fen},
          {"explanation", json::parse(r.explanation, nullptr, false)}};
}

json ToJson(const benefits::FunnelRow& f) {
  return {{"region", f.region},     {"screened", f.screened},
          {"eligible", f.eligible}, {"eligible_not_receiving", f.eligible_not_receiving},
          {"notified", f.notified}, {"consented", f.consented},
          {"granted", f.granted},   {"read", f.read}};
}

bool WantsCsv(const httplib::Request& req) {
  return req.get_param_value("format") == "csv" ||
         req.get_header_value("Accept").find("text/csv") != std::string::npos;
}

json ToJson(const benefits::PersonNotice& n) {
  return {{"run_id", n.run_id},
          {"person_id", n.person_id},
          {"policy", n.policy},
          {"version", n.version},
          {"title", n.title},
          {"kind", benefits::PolicyKindName(n.kind)},
          {"mode", benefits::GrantModeName(n.mode)},
          {"amount_fen", n.amount_fen},
          {"cycle", benefits::CycleName(n.cycle)},
          {"legal_basis", n.legal_basis},
          {"channel", n.channel},
          {"notified_at", n.notified_at},
          {"decision", Nullable(n.decision)},
          {"consent", "/api/v1/runs/" + n.run_id + "/consents"}};
}

// A decision about one listed person of a run (a consent, a review): the body's person_id and
// decision (`yes` or `no`), the rest read by `read`; `record` stores it, then 201 echoes both.
void DecideForPerson(const Auth& auth, const httplib::Request& req, httplib::Response& res,
                     RequestContext& ctx, std::string_view what,
                     std::pair<std::string_view, std::string_view> choices,
                     const std::function<void(ObjectReader&, FieldErrors&)>& read,
                     const std::function<Status(const people::Principal&, const std::string& run,
                                                const std::string& person, bool yes)>& record) {
  auto p = auth.Authenticate(req);
  if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
  auto body = ParseJsonBody(req);
  if (!body.ok()) return WriteProblem(res, body.error(), ctx);
  FieldErrors errors;
  ObjectReader r(*body, "", errors);
  std::string person = r.String("person_id", true).value_or("");
  std::string decision = r.String("decision", true).value_or("");
  read(r, errors);
  r.Finish();
  if (!decision.empty() && decision != choices.first && decision != choices.second) {
    errors.Add("decision", fmt::format("{} or {}", choices.first, choices.second));
  }
  if (!errors.empty())
    return WriteProblem(res, errors.ToError(fmt::format("invalid {}", what)), ctx);
  Status s = record(*p, req.matches[1].str(), person, decision == choices.first);
  if (!s.ok()) return WriteProblem(res, s.error(), ctx);
  WriteJson(res, {{"person_id", person}, {"decision", decision}}, 201);
}

}  // namespace

void RegisterBenefitRoutes(Server& server, benefits::Benefits& benefits, const Auth& auth) {
  server.Post("/api/v1/policies", [&benefits, &auth](const httplib::Request& req,
                                                     httplib::Response& res, RequestContext& ctx) {
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    auto body = ParseJsonBody(req);
    if (!body.ok()) return WriteProblem(res, body.error(), ctx);
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    std::string yaml = r.String("yaml", true).value_or("");
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid policy request"), ctx);
    auto policy = benefits.Publish(*p, yaml);
    if (!policy.ok()) return WriteProblem(res, policy.error(), ctx);
    res.set_header("Location",
                   fmt::format("/api/v1/policies/{}?version={}", policy->name, policy->version));
    WriteJson(res, ToJson(*policy), 201);
  });

  server.Get("/api/v1/policies", [&benefits, &auth](const httplib::Request& req,
                                                    httplib::Response& res, RequestContext& ctx) {
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    auto list = benefits.ListPolicies();
    if (!list.ok()) return WriteProblem(res, list.error(), ctx);
    json items = json::array();
    for (const auto& policy : *list) items.push_back(ToJson(policy));
    WriteJson(res, {{"items", std::move(items)}});
  });

  server.Get(R"(/api/v1/policies/([^/]+))", [&benefits, &auth](const httplib::Request& req,
                                                               httplib::Response& res,
                                                               RequestContext& ctx) {
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    int64_t version = 0;
    if (req.has_param("version")) {
      try {
        version = std::stoll(req.get_param_value("version"));
      } catch (const std::exception&) {
        return WriteProblem(
            res, Error(ErrorCode::kInvalidArgument, "bad version", {{"version", "a number"}}), ctx);
      }
    }
    auto policy = benefits.GetPolicy(req.matches[1].str(), version);
    if (!policy.ok()) return WriteProblem(res, policy.error(), ctx);
    WriteJson(res, ToJson(*policy));
  });

  server.Get(
      R"(/api/v1/policies/([^/]+)/roll/([^/]+))",
      [&benefits, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto policy = benefits.GetPolicy(req.matches[1].str());
        if (!policy.ok()) return WriteProblem(res, policy.error(), ctx);
        Status allowed = auth.Require(*p, "policy.grant", {.region = policy->region});
        if (!allowed.ok()) return WriteAuthProblem(res, allowed.error(), ctx);
        auto lines = benefits.PaymentRoll(policy->name, req.matches[2].str());
        if (!lines.ok()) return WriteProblem(res, lines.error(), ctx);
        if (WantsCsv(req)) {
          std::ostringstream out;
          benefits::WritePaymentRollCsv(*lines, out);
          res.set_content(out.str(), "text/csv; charset=utf-8");
          return;
        }
        json items = json::array();
        int64_t total = 0;
        for (const auto& l : *lines) {
          items.push_back(
              {{"person_id", l.person_id}, {"region", l.region}, {"amount_fen", l.amount_fen}});
          total += l.amount_fen;
        }
        WriteJson(res, {{"items", std::move(items)}, {"total_fen", total}});
      });

  server.Post(
      R"(/api/v1/policies/([^/]+)/runs)",
      [&benefits, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto body = ParseJsonBody(req);
        if (!body.ok()) return WriteProblem(res, body.error(), ctx);
        FieldErrors errors;
        ObjectReader r(*body, "", errors);
        benefits::MatchOptions options;
        options.region = r.String("region", false).value_or("");
        if (auto d = r.String("reference_date", false)) {
          auto date = Date::Parse(*d, "reference_date");
          if (date.ok()) {
            options.reference = *date;
          } else {
            errors.Add("reference_date", "a date YYYY-MM-DD");
          }
        }
        options.dry_run = r.Bool("dry_run", false).value_or(false);
        r.Finish();
        if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid run request"), ctx);
        auto run = benefits.Match(*p, req.matches[1].str(), options);
        if (!run.ok()) return WriteProblem(res, run.error(), ctx);
        if (!run->id.empty()) res.set_header("Location", "/api/v1/runs/" + run->id);
        WriteJson(res, ToJson(*run), run->id.empty() ? 200 : 201);
      });

  // A policy's runs, newest first: ?before=<run id>&limit=N (keyset paging; `next` is the
  // following page's cursor, null at the end). Runs outside the caller's policy.match are left
  // out.
  server.Get(
      R"(/api/v1/policies/([^/]+)/runs)",
      [&benefits, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        int limit = 50;
        if (req.has_param("limit")) {
          try {
            limit = std::stoi(req.get_param_value("limit"));
          } catch (const std::exception&) {
            limit = -1;
          }
        }
        auto page = benefits.Runs(*p, req.matches[1].str(), req.get_param_value("before"), limit);
        if (!page.ok()) return WriteProblem(res, page.error(), ctx);
        json items = json::array();
        for (const auto& run : page->runs) {
          json j = ToJson(run);
          j.erase("regions");
          items.push_back(std::move(j));
        }
        WriteJson(res, {{"items", std::move(items)}, {"next", Nullable(page->next)}});
      });

  // A run's reads need policy.match over the run's region.
  auto run_of = [&benefits, &auth](
                    const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                    std::string_view permission) -> std::optional<benefits::MatchRun> {
    auto p = auth.Authenticate(req);
    if (!p.ok()) {
      WriteAuthProblem(res, p.error(), ctx);
      return std::nullopt;
    }
    auto run = benefits.GetRun(req.matches[1].str());
    if (!run.ok()) {
      WriteProblem(res, run.error(), ctx);
      return std::nullopt;
    }
    if (!permission.empty()) {
      Status allowed = auth.Require(*p, permission, {.region = run->region});
      if (!allowed.ok()) {
        WriteAuthProblem(res, allowed.error(), ctx);
        return std::nullopt;
      }
    }
    return *std::move(run);
  };

  server.Get(R"(/api/v1/runs/([^/]+))",
             [run_of](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
               auto run = run_of(req, res, ctx, "policy.match");
               if (run) WriteJson(res, ToJson(*run));
             });

  // Runs a stored run again over the register as of its snapshot (same version, region,
  // reference date, grouping): {"store": false} (default) answers without storing; true stores
  // it as a new run (201, Location). The counts equal the stored run's whatever changed since.
  server.Post(R"(/api/v1/runs/([^/]+)/rerun)",
              [run_of, &benefits, &auth](const httplib::Request& req, httplib::Response& res,
                                         RequestContext& ctx) {
                auto run = run_of(req, res, ctx, "policy.match");
                if (!run) return;
                bool store = false;
                if (!req.body.empty()) {
                  auto body = ParseJsonBody(req);
                  if (!body.ok()) return WriteProblem(res, body.error(), ctx);
                  FieldErrors errors;
                  ObjectReader r(*body, "", errors);
                  store = r.Bool("store", false).value_or(false);
                  r.Finish();
                  if (!errors.empty())
                    return WriteProblem(res, errors.ToError("invalid rerun"), ctx);
                }
                auto p = auth.Authenticate(req);
                if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
                auto again = benefits.RerunAsOf(
                    *p, run->id,
                    store ? benefits::Benefits::Rerun::kStore : benefits::Benefits::Rerun::kDryRun);
                if (!again.ok()) return WriteProblem(res, again.error(), ctx);
                json out = ToJson(*again);
                out["rerun_of"] = run->id;
                if (!again->id.empty()) res.set_header("Location", "/api/v1/runs/" + again->id);
                WriteJson(res, out, again->id.empty() ? 200 : 201);
              });

  server.Get(R"(/api/v1/runs/([^/]+)/results)",
             [run_of, &benefits](const httplib::Request& req, httplib::Response& res,
                                 RequestContext& ctx) {
               auto run = run_of(req, res, ctx, "policy.match");
               if (!run) return;
               int limit = 1000;
               if (req.has_param("limit")) {
                 try {
                   limit = std::stoi(req.get_param_value("limit"));
                 } catch (const std::exception&) {
                   limit = -1;
                 }
               }
               auto results = benefits.RunResults(run->id, req.get_param_value("kind"),
                                                  req.get_param_value("after"), limit);
               if (!results.ok()) return WriteProblem(res, results.error(), ctx);
               if (WantsCsv(req)) {
                 std::ostringstream out;
                 benefits::WriteResultsCsv(*results, out);
                 res.set_content(out.str(), "text/csv; charset=utf-8");
                 return;
               }
               json items = json::array();
               for (const auto& r : *results) items.push_back(ToJson(r));
               WriteJson(res, {{"items", std::move(items)}});
             });

  server.Post(
      R"(/api/v1/runs/([^/]+)/notices)",
      [&benefits, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto body = ParseJsonBody(req);
        if (!body.ok()) return WriteProblem(res, body.error(), ctx);
        FieldErrors errors;
        ObjectReader r(*body, "", errors);
        benefits::NotifyOptions options;
        options.limit = static_cast<int>(r.Integer("limit", false).value_or(1000));
        r.Finish();
        if (!errors.empty())
          return WriteProblem(res, errors.ToError("invalid notice request"), ctx);
        auto report = benefits.Notify(*p, req.matches[1].str(), options);
        if (!report.ok()) return WriteProblem(res, report.error(), ctx);
        WriteJson(res, {{"sent", report->sent},
                        {"failed", report->failed},
                        {"scheduled", report->scheduled},
                        {"remaining", report->remaining}});
      });

  // A run's notices (one per notified person), by person id: ?channel=visit gives the visit list
  // (上门/电话走访) the grid staff work through, each with its village (assigned_region; a
  // region code there lists that region and the ones below it), due date and the person's
  // decision so far. policy.match over the run's region.
  server.Get(R"(/api/v1/runs/([^/]+)/notices)", [run_of, &benefits](const httplib::Request& req,
                                                                    httplib::Response& res,
                                                                    RequestContext& ctx) {
    const std::string channel = req.get_param_value("channel");
    const std::string region = req.get_param_value("assigned_region");
    auto run = run_of(req, res, ctx, "policy.match");
    if (!run) return;
    FieldErrors errors;
    if (!channel.empty() &&
        std::find(std::begin(benefits::kChannels), std::end(benefits::kChannels), channel) ==
            std::end(benefits::kChannels)) {
      errors.Add("channel", "sms | app | portal | visit");
    }
    if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid query"), ctx);
    auto notices = benefits.Notices(run->id);
    if (!notices.ok()) return WriteProblem(res, notices.error(), ctx);
    json items = json::array();
    for (const auto& n : *notices) {
      if (!channel.empty() && n.channel != channel) continue;
      if (!region.empty() && !n.assigned_region.starts_with(region)) continue;
      items.push_back({{"person_id", n.person_id},
                       {"channel", n.channel},
                       {"status", n.status},
                       {"assigned_region", Nullable(n.assigned_region)},
                       {"due_date", Nullable(n.due_date)},
                       {"decision", Nullable(n.decision)}});
    }
    WriteJson(res, {{"run_id", run->id}, {"items", std::move(items)}});
  });

  // The caller's own notices (主动办 and 政策直通车), each with its decision and where to send one.
  server.Get(
      "/api/v1/me/benefit-notices",
      [&benefits, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto notices = benefits.NoticesFor(*p);
        if (!notices.ok()) return WriteProblem(res, notices.error(), ctx);
        json items = json::array();
        for (const auto& n : *notices) items.push_back(ToJson(n));
        WriteJson(res, {{"items", std::move(items)}});
      });

  server.Post(R"(/api/v1/runs/([^/]+)/consents)", [&benefits, &auth](const httplib::Request& req,
                                                                     httplib::Response& res,
                                                                     RequestContext& ctx) {
    benefits::ConsentInput input;
    DecideForPerson(
        auth, req, res, ctx, "consent", {"accepted", "declined"},
        [&input](ObjectReader& r, FieldErrors& errors) {
          input.by_staff = r.Bool("by_staff", false).value_or(false);
          input.evidence = r.String("evidence", false).value_or("");
          if (const json* form = r.Member("form", json::value_t::object, false); form != nullptr) {
            for (const auto& [field, value] : form->items()) {
              if (!value.is_string()) {
                errors.Add("form/" + field, "a text value");
                continue;
              }
              input.form[field] = value.get<std::string>();
            }
          }
        },
        [&](const people::Principal& by, const std::string& run, const std::string& person,
            bool accepted) {
          input.decision = accepted ? benefits::Decision::kAccepted : benefits::Decision::kDeclined;
          return benefits.RecordConsent(by, run, person, input);
        });
  });

  // The recipient read a policy notice: the person, or a representative of the enterprise.
  server.Post(
      R"(/api/v1/me/policy-notices/([^/]+)/([^/]+)/read)",
      [&benefits, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        Status s = benefits.MarkNoticeRead(*p, req.matches[1].str(), req.matches[2].str());
        if (!s.ok()) return WriteProblem(res, s.error(), ctx);
        res.status = 204;
      });

  // What-if of a draft: {"eligibility", "amount", "region", "reference_date"} → counts and cost
  // per cycle against the version in force, per region (the page debounces while typing).
  server.Post(
      R"(/api/v1/policies/([^/]+)/what-if)",
      [&benefits, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto body = ParseJsonBody(req);
        if (!body.ok()) return WriteProblem(res, body.error(), ctx);
        FieldErrors errors;
        ObjectReader r(*body, "", errors);
        benefits::WhatIfInput input;
        input.eligibility = r.String("eligibility", true).value_or("");
        input.amount = r.String("amount", false).value_or("");
        input.region = r.String("region", false).value_or("");
        std::string ref = r.String("reference_date", false).value_or("");
        r.Finish();
        if (!ref.empty()) {
          auto d = Date::Parse(ref, "reference_date");
          if (d.ok()) {
            input.reference = *d;
          } else {
            errors.Add("reference_date", "a date YYYY-MM-DD");
          }
        }
        if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid what-if"), ctx);
        auto w = benefits.WhatIfDraft(*p, req.matches[1].str(), input);
        if (!w.ok()) return WriteProblem(res, w.error(), ctx);
        auto counts = [](const benefits::WhatIfCounts& c) {
          return json{{"region", c.region},
                      {"screened", c.screened},
                      {"now", c.now},
                      {"draft", c.draft},
                      {"entering", c.entering},
                      {"leaving", c.leaving},
                      {"cost_now_fen", c.cost_now_fen},
                      {"cost_draft_fen", c.cost_draft_fen}};
        };
        json regions = json::array();
        for (const auto& c : w->regions) regions.push_back(counts(c));
        WriteJson(res, {{"policy", w->policy},
                        {"version", w->version},
                        {"total", counts(w->total)},
                        {"regions", std::move(regions)},
                        {"elapsed_ms", w->elapsed_ms}});
      });

  // The human review of a receiving-but-no-longer-eligible person: stop (from `end_date`, default
  // yesterday) or keep, with the reviewer's note. Never done by the run itself.
  server.Post(R"(/api/v1/runs/([^/]+)/reviews)", [&benefits, &auth](const httplib::Request& req,
                                                                    httplib::Response& res,
                                                                    RequestContext& ctx) {
    benefits::ReviewInput input;
    DecideForPerson(
        auth, req, res, ctx, "review", {"stop", "keep"},
        [&input](ObjectReader& r, FieldErrors& errors) {
          input.note = r.String("note", true).value_or("");
          std::string end = r.String("end_date", false).value_or("");
          if (end.empty()) return;
          auto d = Date::Parse(end, "end_date");
          if (d.ok()) {
            input.end = *d;
          } else {
            errors.Add("end_date", "a date YYYY-MM-DD");
          }
        },
        [&](const people::Principal& by, const std::string& run, const std::string& person,
            bool stop) {
          input.decision = stop ? benefits::ReviewDecision::kStop : benefits::ReviewDecision::kKeep;
          return benefits.ReviewNoLongerEligible(by, run, person, input);
        });
  });

  server.Get(R"(/api/v1/runs/([^/]+)/funnel)",
             [run_of, &benefits](const httplib::Request& req, httplib::Response& res,
                                 RequestContext& ctx) {
               auto run = run_of(req, res, ctx, "policy.match");
               if (!run) return;
               auto f = benefits.FunnelOf(run->id);
               if (!f.ok()) return WriteProblem(res, f.error(), ctx);
               json regions = json::array();
               for (const auto& row : f->regions) regions.push_back(ToJson(row));
               WriteJson(res, {{"run_id", f->run_id},
                               {"policy", f->policy},
                               {"version", f->version},
                               {"total", ToJson(f->total)},
                               {"regions", std::move(regions)}});
             });
}

}  // namespace tongban::api
