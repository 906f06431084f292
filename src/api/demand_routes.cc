#include "api/demand_routes.h"

#include <fmt/format.h>

#include "api/json_body.h"
#include "people/timestamp.h"

namespace tongban::api {
namespace {

using nlohmann::json;

json Time(int64_t ms) { return ms == 0 ? json(nullptr) : json(people::FormatTimestamp(ms)); }

json OrNull(const std::string& s, bool hidden) { return hidden ? json(nullptr) : json(s); }

json ToJson(const demands::Demand& d) {
  const bool hidden = d.reporter_hidden;
  return {{"id", d.id},
          {"number", d.number},
          {"channel", demands::ChannelName(d.channel)},
          {"class", demands::DemandClassName(d.demand_class)},
          {"urgency", demands::UrgencyName(d.urgency)},
          {"complex", d.complex},
          {"region", d.region},
          {"uscc", OrNull(d.uscc, hidden)},
          {"title", d.title},
          {"text", d.text},
          {"submitted_by", OrNull(d.submitted_by, hidden)},
          {"caller_name", OrNull(d.caller_name, hidden)},
          {"caller_phone", OrNull(d.caller_phone, hidden)},
          {"reporter_hidden", hidden},
          {"state", demands::DemandStateName(d.state)},
          {"limit_days", d.limit_days},
          {"created_at", Time(d.created_at)},
          {"closed_at", Time(d.closed_at)},
          {"answer", d.answer},
          {"satisfied", d.satisfied ? json(*d.satisfied) : json(nullptr)},
          {"callback_due", Time(d.callback_due)}};
}

json ToJson(const demands::WorkOrder& o) {
  return {{"id", o.id},
          {"seq", o.seq},
          {"receiver", demands::ReceiverKindName(o.receiver_kind)},
          {"department", o.department},
          {"assignee", o.assignee},
          {"arbitrated", o.arbitrated},
          {"state", demands::OrderStateName(o.state)},
          {"dispatched_by", o.dispatched_by},
          {"dispatched_at", Time(o.dispatched_at)},
          {"sign_due", Time(o.sign_due)},
          {"due", Time(o.due)},
          {"signed_by", o.signed_by},
          {"signed_at", Time(o.signed_at)},
          {"return_reason", o.return_reason},
          {"extension",
           {{"state", demands::ExtensionStateName(o.extension)},
            {"days", o.extension_days},
            {"reason", o.extension_reason}}},
          {"reminders", o.reminders},
          {"supervised", o.supervised},
          {"answer", o.answer},
          {"closed_at", Time(o.closed_at)},
          {"callback", o.callback}};
}

json ToJson(const demands::DemandRecord& r) {
  json out = ToJson(r.demand);
  json orders = json::array();
  for (const auto& o : r.orders) orders.push_back(ToJson(o));
  json steps = json::array();
  for (const auto& s : r.steps) {
    steps.push_back({{"seq", s.seq},
                     {"action", s.action},
                     {"actor", Nullable(s.actor)},
                     {"at", Time(s.at)},
                     {"detail", s.detail}});
  }
  out["orders"] = std::move(orders);
  out["steps"] = std::move(steps);
  return out;
}

json ToJson(const std::vector<demands::Duplicate>& list) {
  json out = json::array();
  for (const auto& d : list) {
    out.push_back({{"id", d.demand_id},
                   {"number", d.number},
                   {"title", d.title},
                   {"state", demands::DemandStateName(d.state)},
                   {"similarity", d.similarity}});
  }
  return out;
}

json ToJson(const std::vector<demands::Contact>& list) {
  json out = json::array();
  for (const auto& c : list) {
    out.push_back({{"uscc", c.uscc},
                   {"enterprise_name", c.enterprise_name},
                   {"kind", demands::ContactKindName(c.kind)},
                   {"account_id", c.account_id},
                   {"account_name", c.account_name},
                   {"assigned_by", c.assigned_by},
                   {"assigned_at", Time(c.assigned_at)}});
  }
  return out;
}

// Reads the body of a dispatch or arbitration.
Result<demands::DispatchInput> ReadDispatch(const httplib::Request& req) {
  TB_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
  FieldErrors errors;
  ObjectReader r(body, "", errors);
  demands::DispatchInput in;
  const std::string receiver = r.String("receiver", false).value_or("department");
  if (auto kind = demands::ParseReceiverKind(receiver)) {
    in.receiver = *kind;
  } else {
    errors.Add("receiver", "department or commissioner");
  }
  in.department = r.String("department", false).value_or("");
  in.complex = r.Bool("complex", false);
  in.note = r.String("note", false).value_or("");
  r.Finish();
  if (!errors.empty()) return errors.ToError("invalid dispatch");
  return in;
}

// The single string field `key` of the body ("" when absent; the service decides whether it is
// required, so that its error names the field).
Result<std::string> ReadText(const httplib::Request& req, const std::string& key) {
  json body = json::object();
  if (!req.body.empty()) {
    TB_ASSIGN_OR_RETURN(body, ParseJsonBody(req));
  }
  FieldErrors errors;
  ObjectReader r(body, "", errors);
  std::string value = r.String(key, false).value_or("");
  r.Finish();
  if (!errors.empty()) return errors.ToError("invalid request");
  return value;
}

using Step = std::function<Result<json>(const people::Principal&, const std::string& id,
                                        const httplib::Request&)>;

}  // namespace

void RegisterDemandRoutes(Server& server, demands::DemandService& demands, const Auth& auth) {
  server.Post("/api/v1/demands", [&demands, &auth](const httplib::Request& req,
                                                   httplib::Response& res, RequestContext& ctx) {
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    auto body = ParseJsonBody(req);
    if (!body.ok()) return WriteProblem(res, body.error(), ctx);
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    demands::DemandInput in;
    in.channel = r.String("channel", true).value_or("");
    in.demand_class = r.String("class", true).value_or("");
    in.urgency = r.String("urgency", false).value_or("ordinary");
    in.complex = r.Bool("complex", false).value_or(false);
    in.region = r.String("region", false).value_or("");
    in.uscc = r.String("uscc", false).value_or("");
    in.title = r.String("title", true).value_or("");
    in.text = r.String("text", true).value_or("");
    in.caller_name = r.String("caller_name", false).value_or("");
    in.caller_phone = r.String("caller_phone", false).value_or("");
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid demand"), ctx);
    auto submitted = demands.Submit(*p, in);
    if (!submitted.ok()) return WriteProblem(res, submitted.error(), ctx);
    json out = ToJson(submitted->record);
    out["duplicates"] = ToJson(submitted->duplicates);
    res.set_header("Location", "/api/v1/demands/" + submitted->record.demand.id);
    WriteJson(res, out, 201);
  });

  server.Get("/api/v1/demands", [&demands, &auth](const httplib::Request& req,
                                                  httplib::Response& res, RequestContext& ctx) {
    auto p = auth.Authenticate(req);
    if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
    demands::ListFilter f{.region = req.get_param_value("region"),
                          .uscc = req.get_param_value("uscc"),
                          .state = req.get_param_value("state")};
    if (req.has_param("limit")) {
      try {
        f.limit = std::stoi(req.get_param_value("limit"));
      } catch (const std::exception&) {
        return WriteProblem(
            res, Error(ErrorCode::kInvalidArgument, "bad limit", {{"limit", "1 to 500"}}), ctx);
      }
    }
    auto list = demands.List(*p, f);
    if (!list.ok()) return WriteProblem(res, list.error(), ctx);
    json items = json::array();
    for (const auto& d : *list) items.push_back(ToJson(d));
    WriteJson(res, {{"items", std::move(items)}});
  });

  server.Get(
      "/api/v1/demand-statistics",
      [&demands, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        FieldErrors errors;
        auto from = Date::Parse(req.get_param_value("from"), "from");
        if (!from.ok()) errors.Add("from", "a date YYYY-MM-DD is required");
        auto to = Date::Parse(req.get_param_value("to"), "to");
        if (!to.ok()) errors.Add("to", "a date YYYY-MM-DD is required");
        if (!errors.empty()) return WriteProblem(res, errors.ToError("invalid period"), ctx);
        auto stats = demands.Statistics(
            *p, {.region = req.get_param_value("region"), .from = *from, .to = *to});
        if (!stats.ok()) return WriteProblem(res, stats.error(), ctx);
        json items = json::array();
        for (const auto& s : *stats) {
          items.push_back({{"receiver", s.receiver},
                           {"received", s.received},
                           {"closed", s.closed},
                           {"on_time", s.on_time},
                           {"callbacks", s.callbacks},
                           {"satisfied", s.satisfied}});
        }
        WriteJson(res, {{"from", from->ToString()}, {"to", to->ToString()}, {"items", items}});
      });

  server.Get(
      R"(/api/v1/demands/([^/]+))",
      [&demands, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto record = demands.Get(*p, req.matches[1].str());
        if (!record.ok()) return WriteProblem(res, record.error(), ctx);
        WriteJson(res, ToJson(*record));
      });

  server.Get(
      R"(/api/v1/demands/([^/]+)/duplicates)",
      [&demands, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto list = demands.Duplicates(*p, req.matches[1].str());
        if (!list.ok()) return WriteProblem(res, list.error(), ctx);
        WriteJson(res, {{"items", ToJson(*list)}});
      });

  // The steps on a demand: each reads its body, runs and answers the changed order or demand.
  auto step = [&server, &auth](const std::string& name, const Step& run) {
    server.Post(
        "/api/v1/demands/([^/]+)/" + name,
        [&auth, run](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          auto p = auth.Authenticate(req);
          if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
          auto out = run(*p, req.matches[1].str(), req);
          if (!out.ok()) return WriteProblem(res, out.error(), ctx);
          WriteJson(res, *out);
        });
  };
  step("dispatch",
       [&demands](const people::Principal& p, const std::string& id,
                  const httplib::Request& req) -> Result<json> {
         TB_ASSIGN_OR_RETURN(demands::DispatchInput in, ReadDispatch(req));
         TB_ASSIGN_OR_RETURN(demands::WorkOrder o, demands.Dispatch(p, id, in));
         return ToJson(o);
       });
  step("arbitrate",
       [&demands](const people::Principal& p, const std::string& id,
                  const httplib::Request& req) -> Result<json> {
         TB_ASSIGN_OR_RETURN(demands::DispatchInput in, ReadDispatch(req));
         TB_ASSIGN_OR_RETURN(demands::WorkOrder o, demands.Arbitrate(p, id, in));
         return ToJson(o);
       });
  step("sign",
       [&demands](const people::Principal& p, const std::string& id,
                  const httplib::Request& req) -> Result<json> {
         TB_ASSIGN_OR_RETURN(std::string note, ReadText(req, "note"));
         TB_ASSIGN_OR_RETURN(demands::WorkOrder o, demands.Sign(p, id));
         return ToJson(o);
       });
  step("return",
       [&demands](const people::Principal& p, const std::string& id,
                  const httplib::Request& req) -> Result<json> {
         TB_ASSIGN_OR_RETURN(std::string reason, ReadText(req, "reason"));
         TB_ASSIGN_OR_RETURN(demands::WorkOrder o, demands.Return(p, id, reason));
         return ToJson(o);
       });
  step("extend",
       [&demands](const people::Principal& p, const std::string& id,
                  const httplib::Request& req) -> Result<json> {
         TB_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
         FieldErrors errors;
         ObjectReader r(body, "", errors);
         const int64_t days = r.Integer("days", true).value_or(0);
         const std::string reason = r.String("reason", false).value_or("");
         r.Finish();
         if (!errors.empty()) return errors.ToError("invalid extension request");
         TB_ASSIGN_OR_RETURN(demands::WorkOrder o,
                             demands.RequestExtension(p, id, static_cast<int>(days), reason));
         return ToJson(o);
       });
  step("approve-extension",
       [&demands](const people::Principal& p, const std::string& id,
                  const httplib::Request& req) -> Result<json> {
         TB_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
         FieldErrors errors;
         ObjectReader r(body, "", errors);
         const bool approve = r.Bool("approve", true).value_or(false);
         r.Finish();
         if (!errors.empty()) return errors.ToError("invalid decision");
         TB_ASSIGN_OR_RETURN(demands::WorkOrder o, demands.DecideExtension(p, id, approve));
         return ToJson(o);
       });
  step("remind",
       [&demands](const people::Principal& p, const std::string& id,
                  const httplib::Request& req) -> Result<json> {
         TB_ASSIGN_OR_RETURN(std::string note, ReadText(req, "note"));
         TB_ASSIGN_OR_RETURN(demands::WorkOrder o, demands.Remind(p, id, note));
         return ToJson(o);
       });
  step("supervise",
       [&demands](const people::Principal& p, const std::string& id,
                  const httplib::Request& req) -> Result<json> {
         TB_ASSIGN_OR_RETURN(std::string note, ReadText(req, "note"));
         TB_ASSIGN_OR_RETURN(demands::WorkOrder o, demands.Supervise(p, id, note));
         return ToJson(o);
       });
  step("close",
       [&demands](const people::Principal& p, const std::string& id,
                  const httplib::Request& req) -> Result<json> {
         TB_ASSIGN_OR_RETURN(std::string answer, ReadText(req, "answer"));
         TB_ASSIGN_OR_RETURN(demands::WorkOrder o, demands.Close(p, id, answer));
         return ToJson(o);
       });
  step("callback",
       [&demands](const people::Principal& p, const std::string& id,
                  const httplib::Request& req) -> Result<json> {
         TB_ASSIGN_OR_RETURN(json body, ParseJsonBody(req));
         FieldErrors errors;
         ObjectReader r(body, "", errors);
         const bool satisfied = r.Bool("satisfied", true).value_or(false);
         const std::string note = r.String("note", false).value_or("");
         r.Finish();
         if (!errors.empty()) return errors.ToError("invalid callback");
         TB_ASSIGN_OR_RETURN(demands::Demand d, demands.Callback(p, id, satisfied, note));
         return ToJson(d);
       });
  step("reopen",
       [&demands](const people::Principal& p, const std::string& id,
                  const httplib::Request& req) -> Result<json> {
         TB_ASSIGN_OR_RETURN(std::string reason, ReadText(req, "reason"));
         TB_ASSIGN_OR_RETURN(demands::Demand d, demands.Reopen(p, id, reason));
         return ToJson(d);
       });

  for (const auto& [path, kind] : {std::pair{"commissioners", demands::ContactKind::kCommissioner},
                                   std::pair{"liaisons", demands::ContactKind::kLiaison}}) {
    const std::string pattern = std::string(R"(/api/v1/enterprises/([^/]+)/)") + path;
    server.Get(pattern,
               [&demands, &auth, kind = kind](const httplib::Request& req, httplib::Response& res,
                                              RequestContext& ctx) {
                 auto p = auth.Authenticate(req);
                 if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
                 auto list = demands.Contacts(*p, req.matches[1].str());
                 if (!list.ok()) return WriteProblem(res, list.error(), ctx);
                 std::vector<demands::Contact> of_kind;
                 for (const auto& c : *list) {
                   if (c.kind == kind) of_kind.push_back(c);
                 }
                 WriteJson(res, {{"items", ToJson(of_kind)}});
               });
    server.Put(pattern,
               [&demands, &auth, kind = kind](const httplib::Request& req, httplib::Response& res,
                                              RequestContext& ctx) {
                 auto p = auth.Authenticate(req);
                 if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
                 auto body = ParseJsonBody(req);
                 if (!body.ok()) return WriteProblem(res, body.error(), ctx);
                 FieldErrors errors;
                 ObjectReader r(*body, "", errors);
                 std::vector<std::string> accounts;
                 if (const json* list = r.Member("accounts", json::value_t::array, true)) {
                   for (size_t i = 0; i < list->size(); ++i) {
                     if (!(*list)[i].is_string()) {
                       errors.Add(fmt::format("accounts/{}", i), "an account id or username");
                     } else {
                       accounts.push_back((*list)[i].get<std::string>());
                     }
                   }
                 }
                 r.Finish();
                 if (!errors.empty())
                   return WriteProblem(res, errors.ToError("invalid contacts"), ctx);
                 auto set = demands.SetContacts(*p, req.matches[1].str(), kind, accounts);
                 if (!set.ok()) return WriteProblem(res, set.error(), ctx);
                 std::vector<demands::Contact> of_kind;
                 for (const auto& c : *set) {
                   if (c.kind == kind) of_kind.push_back(c);
                 }
                 WriteJson(res, {{"items", ToJson(of_kind)}});
               });
  }

  server.Get(
      R"(/api/v1/accounts/([^/]+)/enterprises)",
      [&demands, &auth](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        auto p = auth.Authenticate(req);
        if (!p.ok()) return WriteAuthProblem(res, p.error(), ctx);
        auto list = demands.EnterprisesOf(*p, req.matches[1].str());
        if (!list.ok()) return WriteProblem(res, list.error(), ctx);
        WriteJson(res, {{"items", ToJson(*list)}});
      });
}

}  // namespace tongban::api
