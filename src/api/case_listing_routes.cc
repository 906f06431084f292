// The case listings (case_routes.h): the staff search, the applicant's own cases, the clerk's
// acceptance queue, the cases deemed accepted (第32条) and the approver's review inbox.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/case_json.h"
#include "api/case_routes.h"
#include "api/json_body.h"
#include "people/authorization.h"
#include "people/timestamp.h"

namespace tongban::api {
namespace {

using case_json::CaseJson;
using case_json::DateJson;
using case_json::Index;
using case_json::Nullable;
using case_json::ProgressJson;
using case_json::StepJson;
using case_json::SummaryJson;
using nlohmann::json;
using people::Principal;

class ListingRoutes {
 public:
  ListingRoutes(cases::CaseService& cases, const Auth& auth) : cases_(cases), auth_(auth) {}

  std::optional<Principal> Caller(const httplib::Request& req, httplib::Response& res,
                                  const RequestContext& ctx) {
    return CallerOrProblem(auth_, req, res, ctx);
  }

  // The approver's inbox: review tasks of cases in the caller's scope, oldest first.
  void ReviewTasks(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    int limit = 50;
    if (req.has_param("limit")) {
      auto l = Index(req.get_param_value("limit"));
      if (!l || *l < 1 || *l > 500) {
        return WriteProblem(res,
                            Error(ErrorCode::kInvalidArgument, "the query is invalid",
                                  {{"limit", "must be an integer from 1 to 500"}}),
                            ctx);
      }
      limit = *l;
    }
    auto tasks = cases_.ReviewInbox(*caller, limit);
    if (!tasks.ok()) return WriteProblem(res, tasks.error(), ctx);
    json items = json::array();
    for (const auto& t : *tasks) {
      json item = StepJson(t.step);
      item["case"] = SummaryJson(t.summary);
      item["case"]["due_on"] = DateJson(t.case_due_on);
      items.push_back(std::move(item));
    }
    WriteJson(res, {{"items", items}});
  }

  void Queue(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    const std::string region =
        req.has_param("region") ? req.get_param_value("region") : caller->account.region;
    // 大综窗: a clerk's queue holds every department's matters unless one is asked for.
    const std::string department = req.get_param_value("department");
    int limit = 20;
    if (req.has_param("limit")) {
      auto l = Index(req.get_param_value("limit"));
      limit = l ? *l : 0;
    }
    auto page =
        cases_.AcceptanceQueue(*caller, region, department, limit, req.get_param_value("cursor"));
    if (!page.ok()) return WriteProblem(res, page.error(), ctx);
    json items = json::array();
    for (const auto& s : page->items) items.push_back(SummaryJson(s));
    json out = {{"items", items}, {"next", nullptr}};
    if (!page->next_cursor.empty()) {
      out["next"] =
          fmt::format("/api/v1/acceptance-queue?region={}&department={}&limit={}&cursor={}", region,
                      department, limit, page->next_cursor);
    }
    WriteJson(res, out);
  }

  void DeemedAccepted(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    const int64_t now = auth_.people().Now();
    if (!people::HoldsPermission(*caller, "supervision.read", now)) {
      return WriteProblem(res, Error(ErrorCode::kForbidden, "not permitted: supervision.read"),
                          ctx);
    }
    std::optional<Date> as_of;
    if (req.has_param("as_of")) {
      auto d = Date::Parse(req.get_param_value("as_of"), "as_of");
      if (!d.ok()) {
        return WriteProblem(res,
                            Error(ErrorCode::kInvalidArgument, "the query is invalid",
                                  {{"as_of", d.error().message()}}),
                            ctx);
      }
      as_of = *d;
    }
    auto rows = cases_.DeemedAccepted(as_of);
    if (!rows.ok()) return WriteProblem(res, rows.error(), ctx);
    json items = json::array();
    for (const auto& s : *rows) {
      if (people::Authorize(*caller, "supervision.read",
                            {.region = s.region, .department = s.department, .matter = s.matter},
                            now)
              .ok()) {
        items.push_back(SummaryJson(s));
      }
    }
    WriteJson(res, {{"items", items}});
  }

  // GET /api/v1/cases?number=&applicant=&matter=&state=&region=&department=&from=&to=&overdue=
  // &limit=&cursor=: staff search within the caller's grants. The applicant's ID number is a
  // query parameter only: the access log records the path without the query, and the next link
  // carries the cursor, never the filters' values beyond what the caller sent.
  void Search(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    FieldErrors errors;
    cases::CaseQuery q;
    q.number = req.get_param_value("number");
    q.applicant = req.get_param_value("applicant");
    q.matter = req.get_param_value("matter");
    q.region = req.get_param_value("region");
    q.department = req.get_param_value("department");
    q.cursor = req.get_param_value("cursor");
    if (req.has_param("state")) {
      auto st = cases::ParseCaseState(req.get_param_value("state"));
      if (st) {
        q.state = *st;
      } else {
        errors.Add("state", "is not a case state");
      }
    }
    for (const char* name : {"from", "to"}) {
      if (!req.has_param(name)) continue;
      auto d = Date::Parse(req.get_param_value(name), name);
      if (!d.ok()) {
        errors.Add(name, d.error().message());
      } else {
        (std::string_view(name) == "from" ? q.from : q.to) = *d;
      }
    }
    if (req.has_param("overdue")) {
      const std::string v = req.get_param_value("overdue");
      if (v != "true" && v != "false") errors.Add("overdue", "must be true or false");
      q.overdue = v == "true";
    }
    if (req.has_param("limit")) {
      auto l = Index(req.get_param_value("limit"));
      q.limit = l ? *l : 0;
    }
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the search is invalid"), ctx);
    auto page = cases_.Search(*caller, q);
    if (!page.ok()) return WriteProblem(res, page.error(), ctx);
    json items = json::array();
    for (const auto& s : page->items) items.push_back(SummaryJson(s));
    json out = {{"items", items}, {"next_cursor", Nullable(page->next_cursor)}};
    WriteJson(res, out);
  }

  // GET /api/v1/me/cases?limit=&cursor=: the caller's own cases with progress, documents and
  // the remaining working days.
  void OwnCases(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    int limit = 20;
    if (req.has_param("limit")) {
      auto l = Index(req.get_param_value("limit"));
      limit = l ? *l : 0;
    }
    auto page = cases_.OwnCases(*caller, limit, req.get_param_value("cursor"));
    if (!page.ok()) return WriteProblem(res, page.error(), ctx);
    json items = json::array();
    for (const cases::Case& c : page->items) {
      json item = CaseJson(c);
      item["progress"] = ProgressJson(c);
      items.push_back(std::move(item));
    }
    json out = {{"items", items}, {"next_cursor", Nullable(page->next_cursor)}};
    if (!page->next_cursor.empty()) {
      out["next"] = fmt::format("/api/v1/me/cases?limit={}&cursor={}", limit, page->next_cursor);
    }
    WriteJson(res, out);
  }

 private:
  cases::CaseService& cases_;
  const Auth& auth_;
};

}  // namespace

void RegisterCaseListingRoutes(Server& server, cases::CaseService& cases, const Auth& auth) {
  auto routes = std::make_shared<ListingRoutes>(cases, auth);
  auto bind = [routes](void (ListingRoutes::*method)(const httplib::Request&, httplib::Response&,
                                                     RequestContext&)) {
    return [routes, method](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) { ((*routes).*method)(req, res, ctx); };
  };
  server.Get("/api/v1/cases", bind(&ListingRoutes::Search));
  server.Get("/api/v1/me/cases", bind(&ListingRoutes::OwnCases));
  server.Get("/api/v1/acceptance-queue", bind(&ListingRoutes::Queue));
  server.Get("/api/v1/review-tasks", bind(&ListingRoutes::ReviewTasks));
  server.Get("/api/v1/supervision/deemed-accepted", bind(&ListingRoutes::DeemedAccepted));
}

}  // namespace tongban::api
