#include "api/project_routes.h"

#include <chrono>

#include <fmt/format.h>

#include "api/json_body.h"
#include "people/authorization.h"
#include "people/timestamp.h"

namespace tongban::api {
namespace {

using nlohmann::json;
namespace pj = projects;

json Time(int64_t ms) { return ms == 0 ? json(nullptr) : json(people::FormatTimestamp(ms)); }

json ToJson(const pj::Project& p) {
  return {{"id", p.id},
          {"project_code", p.code},
          {"name", p.name},
          {"uscc", p.uscc},
          {"enterprise_name", p.enterprise_name},
          {"region", p.region},
          {"type", pj::ProjectTypeName(p.type)},
          {"budget_days", p.budget_days},
          {"commissioner", p.commissioner},
          {"state", p.state},
          {"flow_version", p.flow_version},
          {"created_at", Time(p.created_at)},
          {"created_by", p.created_by}};
}

json ToJson(const pj::ProjectClock& c) {
  return {{"budget_days", c.budget_days},
          {"used_days", c.used_days},
          {"elapsed_days", c.elapsed_days},
          {"remaining_days", c.remaining_days},
          {"paused_days", c.paused_days},
          {"counted_pauses", c.counted_pauses},
          {"status", c.status},
          {"provisional", c.provisional}};
}

json ToJson(const pj::ProjectMatter& m) {
  json materials = json::array();
  for (const auto& mat : m.materials) {
    materials.push_back({{"name", mat.name},
                         {"core", mat.core},
                         {"state", pj::MaterialStateName(mat.state)},
                         {"due_on", Nullable(mat.due_on)}});
  }
  return {{"stage", m.stage},
          {"matter", m.code},
          {"title", m.title},
          {"department", m.department},
          {"delegation_basis", m.delegation_basis},
          {"legal_days", m.legal_days},
          {"limit_days", m.limit_days},
          {"fee_yuan", static_cast<double>(m.fee_fen) / 100},
          {"state", pj::MatterStateName(m.state)},
          {"basis", m.basis},
          {"started_on", Nullable(m.started_on)},
          {"decided_on", Nullable(m.decided_on)},
          {"findings", m.findings},
          {"pre_reviewed_by", m.pre_reviewed_by},
          {"document_number", m.document_number},
          {"batch_id", m.batch_id},
          {"case_number", m.case_number},
          {"materials", materials}};
}

json ToJson(const pj::Pause& p) {
  return {{"id", p.id},          {"stage", p.stage},     {"kind", pj::PauseKindName(p.kind)},
          {"from", p.from},      {"to", Nullable(p.to)}, {"note", p.note},
          {"counted", p.counted}};
}

json ToJson(const pj::Escalation& e) {
  json parts = json::array();
  for (const auto& p : e.parts) {
    parts.push_back({{"department", p.department},
                     {"task", p.task},
                     {"due_on", p.due_on},
                     {"done_on", Nullable(p.done_on)},
                     {"note", p.note}});
  }
  return {{"id", e.id},
          {"project_id", e.project_id},
          {"reason", e.reason},
          {"meeting_on", Nullable(e.meeting_on)},
          {"created_by", e.created_by},
          {"created_at", Time(e.created_at)},
          {"parts", parts}};
}

json NoticeJson(const pj::ProjectNotice& n) {
  return {{"id", n.id},
          {"project_id", n.project_id},
          {"project_code", n.project_code},
          {"role", n.role},
          {"level", n.level},
          {"text", n.text},
          {"created_at", Time(n.created_at)},
          {"read_at", Time(n.read_at)},
          {"sms_state", n.sms_state}};
}

json ToJson(const pj::ProjectRecord& r) {
  json out = ToJson(r.project);
  json stages = json::array();
  for (size_t i = 0; i < r.stages.size(); ++i) {
    const auto& s = r.stages[i];
    stages.push_back({{"seq", s.seq},
                      {"key", s.key},
                      {"title", s.title},
                      {"share_days", s.share_days},
                      {"state", pj::StageStateName(s.state)},
                      {"started_on", Nullable(s.started_on)},
                      {"concluded_on", Nullable(s.concluded_on)},
                      {"clock", i < r.stage_clocks.size() ? ToJson(r.stage_clocks[i]) : json()}});
  }
  json matters = json::array();
  for (const auto& m : r.matters) matters.push_back(ToJson(m));
  json pauses = json::array();
  for (const auto& p : r.pauses) pauses.push_back(ToJson(p));
  json escalations = json::array();
  for (const auto& e : r.escalations) escalations.push_back(ToJson(e));
  json events = json::array();
  for (const auto& e : r.events) {
    events.push_back({{"seq", e.seq},
                      {"action", e.action},
                      {"actor", e.actor},
                      {"at", Time(e.at)},
                      {"detail", e.detail}});
  }
  out["clock"] = ToJson(r.clock);
  out["stages"] = std::move(stages);
  out["matters"] = std::move(matters);
  out["pauses"] = std::move(pauses);
  out["escalations"] = std::move(escalations);
  out["events"] = std::move(events);
  return out;
}

json ToJson(const pj::FlowTable& t) {
  json rows = json::array();
  for (const auto& r : t.rows) {
    rows.push_back({{"stage", r.stage},
                    {"matter", r.matter},
                    {"title", r.title},
                    {"department", r.department},
                    {"materials", r.materials},
                    {"milestone", r.milestone},
                    {"limit_days", r.limit_days}});
  }
  return {{"version", t.version},
          {"edited_by", t.edited_by},
          {"edited_at", Time(t.edited_at)},
          {"note", t.note},
          {"rows", rows}};
}

json ToJson(const pj::Savings& s) {
  return {{"matters_removed", s.matters_removed},
          {"matters_exempted", s.matters_exempted},
          {"days_saved", s.days_saved},
          {"fees_saved_yuan", static_cast<double>(s.fees_saved_fen) / 100},
          {"by_matter", s.by_matter}};
}

json ToJson(const pj::Delegation& d) {
  return {{"region", d.region},
          {"matter", d.matter},
          {"from", d.from_department},
          {"to", d.to_department},
          {"basis", d.basis},
          {"valid_from", d.valid_from.ToString()},
          {"valid_to", d.valid_to.ToString()}};
}

Result<Date> ReadDate(ObjectReader& r, const std::string& key, FieldErrors& errors) {
  const std::string text = r.String(key, true).value_or("");
  auto d = Date::Parse(text, key);
  if (!d.ok()) {
    if (!text.empty()) errors.Add(key, "a date YYYY-MM-DD");
    return Date{};
  }
  return *d;
}

// A route whose body is read by `run` into the service's call; answers its JSON.
using Run = std::function<Result<json>(const people::Principal&, const httplib::Request&,
                                       const json& body)>;

void AddRoute(Server& server, const Auth& auth, const std::string& method, const std::string& path,
              int status, const Run& run) {
  auto handler = [&auth, run, status](const httplib::Request& req, httplib::Response& res,
                                      RequestContext& ctx) {
    auto p = CallerOrProblem(auth, req, res, ctx);
    if (!p) return;
    json body = json::object();
    if (req.method != "GET") {
      auto parsed = JsonBodyOrProblem(req, res, ctx, true);
      if (!parsed) return;
      body = std::move(*parsed);
    }
    auto out = run(*p, req, body);
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    WriteJson(res, *out, status);
  };
  if (method == "GET") {
    server.Get(path, handler);
  } else if (method == "PUT") {
    server.Put(path, handler);
  } else {
    server.Post(path, handler);
  }
}

// A number in the path ("stages/2"), kInvalidArgument naming `field` otherwise.
Result<int> PathNumber(const std::string& text, const char* field) {
  if (text.empty() || text.size() > 6 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{} must be a number", field),
                 {{field, "a number"}});
  }
  return std::stoi(text);
}

int IntParam(const httplib::Request& req, const std::string& name, int fallback) {
  if (!req.has_param(name)) return fallback;
  try {
    return std::stoi(req.get_param_value(name));
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

void RegisterProjectRoutes(Server& server, projects::ProjectService& projects, const Auth& auth) {
  auto& s = projects;
  AddRoute(
      server, auth, "POST", "/api/v1/projects", 201,
      [&s](const people::Principal& p, const httplib::Request&, const json& body) -> Result<json> {
        FieldErrors errors;
        ObjectReader r(body, "", errors);
        pj::RegisterInput in;
        in.code = r.String("project_code", true).value_or("");
        in.name = r.String("name", true).value_or("");
        in.uscc = r.String("uscc", true).value_or("");
        in.enterprise_name = r.String("enterprise_name", false).value_or("");
        in.region = r.String("region", false).value_or("");
        in.type = r.String("type", true).value_or("");
        in.commissioner = r.String("commissioner", false).value_or("");
        r.Finish();
        if (!errors.empty()) return errors.ToError("invalid project");
        TB_ASSIGN_OR_RETURN(pj::ProjectRecord rec, s.Register(p, in));
        return ToJson(rec);
      });

  AddRoute(
      server, auth, "GET", "/api/v1/projects", 200,
      [&s](const people::Principal& p, const httplib::Request& req, const json&) -> Result<json> {
        TB_ASSIGN_OR_RETURN(auto list, s.List(p, {.region = req.get_param_value("region"),
                                                  .limit = IntParam(req, "limit", 200)}));
        json items = json::array();
        for (const auto& x : list) {
          json j = ToJson(x.project);
          j["current_stage"] = x.current_stage;
          j["used_days"] = x.used_days;
          items.push_back(std::move(j));
        }
        return json{{"items", items}};
      });

  AddRoute(
      server, auth, "GET", R"(/api/v1/projects/([^/]+))", 200,
      [&s](const people::Principal& p, const httplib::Request& req, const json&) -> Result<json> {
        TB_ASSIGN_OR_RETURN(pj::ProjectRecord rec, s.Get(p, req.matches[1].str()));
        return ToJson(rec);
      });

  AddRoute(
      server, auth, "GET", R"(/api/v1/projects/([^/]+)/flow-table)", 200,
      [&s](const people::Principal& p, const httplib::Request& req, const json&) -> Result<json> {
        TB_ASSIGN_OR_RETURN(auto tables, s.FlowTables(p, req.matches[1].str()));
        json versions = json::array();
        for (const auto& t : tables) versions.push_back(ToJson(t));
        return json{{"current", tables.empty() ? json() : ToJson(tables.back())},
                    {"versions", versions}};
      });

  AddRoute(server, auth, "PUT", R"(/api/v1/projects/([^/]+)/flow-table)", 200,
           [&s](const people::Principal& p, const httplib::Request& req,
                const json& body) -> Result<json> {
             FieldErrors errors;
             ObjectReader r(body, "", errors);
             const int version = static_cast<int>(r.Integer("version", true).value_or(0));
             const std::string note = r.String("note", false).value_or("");
             std::vector<pj::FlowRow> rows;
             if (const json* list = r.Member("rows", json::value_t::array, true)) {
               for (size_t i = 0; i < list->size(); ++i) {
                 ObjectReader row((*list)[i], fmt::format("rows/{}", i), errors);
                 pj::FlowRow f;
                 f.stage = static_cast<int>(row.Integer("stage", true).value_or(0));
                 f.matter = row.String("matter", true).value_or("");
                 f.title = row.String("title", true).value_or("");
                 f.department = row.String("department", true).value_or("");
                 if (const json* m = row.Member("materials", json::value_t::array, false)) {
                   for (const auto& name : *m) {
                     if (name.is_string()) f.materials.push_back(name.get<std::string>());
                   }
                 }
                 f.milestone = row.String("milestone", false).value_or("");
                 f.limit_days = static_cast<int>(row.Integer("limit_days", true).value_or(0));
                 row.Finish();
                 rows.push_back(std::move(f));
               }
             }
             r.Finish();
             if (!errors.empty()) return errors.ToError("invalid flow table");
             TB_ASSIGN_OR_RETURN(pj::FlowTable t,
                                 s.EditFlowTable(p, req.matches[1].str(), rows, version, note));
             return ToJson(t);
           });

  AddRoute(
      server, auth, "POST", R"(/api/v1/projects/([^/]+)/stages/([^/]+)/start)", 200,
      [&s](const people::Principal& p, const httplib::Request& req,
           const json& body) -> Result<json> {
        FieldErrors errors;
        ObjectReader r(body, "", errors);
        pj::StageMaterials materials;
        if (const json* m = r.Member("materials", json::value_t::object, false)) {
          for (const auto& [matter, list] : m->items()) {
            if (!list.is_array()) {
              errors.Add("materials/" + matter, "a list of {name, state, due_on}");
              continue;
            }
            for (size_t i = 0; i < list.size(); ++i) {
              ObjectReader item(list[i], fmt::format("materials/{}/{}", matter, i), errors);
              materials[matter].push_back({.name = item.String("name", true).value_or(""),
                                           .state = item.String("state", true).value_or(""),
                                           .due_on = item.String("due_on", false).value_or("")});
              item.Finish();
            }
          }
        }
        pj::StageForms forms;
        if (const json* f = r.Member("forms", json::value_t::object, false)) {
          for (const auto& [matter, fields] : f->items()) {
            if (!fields.is_object()) {
              errors.Add("forms/" + matter, "an object of field → value");
              continue;
            }
            for (const auto& [field, value] : fields.items()) {
              if (value.is_string()) {
                forms[matter][field] = value.get<std::string>();
              } else if (value.is_number() || value.is_boolean()) {
                forms[matter][field] = value.dump();
              } else {
                errors.Add(fmt::format("forms/{}/{}", matter, field),
                           "a string, number or boolean");
              }
            }
          }
        }
        r.Finish();
        if (!errors.empty()) return errors.ToError("invalid stage start");
        TB_ASSIGN_OR_RETURN(int stage, PathNumber(req.matches[2].str(), "stage"));
        TB_ASSIGN_OR_RETURN(pj::ProjectRecord rec,
                            s.StartStage(p, req.matches[1].str(), stage, materials, forms));
        return ToJson(rec);
      });

  // The steps on one matter of a project.
  using MatterStep = std::function<Result<pj::ProjectMatter>(
      const people::Principal&, const std::string& id, const std::string& matter, ObjectReader&)>;
  auto matter_step = [&server, &auth](const std::string& name, const MatterStep& step) {
    AddRoute(server, auth, "POST", R"(/api/v1/projects/([^/]+)/matters/([^/]+)/)" + name, 200,
             [step](const people::Principal& p, const httplib::Request& req,
                    const json& body) -> Result<json> {
               FieldErrors errors;
               ObjectReader r(body, "", errors);
               auto out = step(p, req.matches[1].str(), req.matches[2].str(), r);
               r.Finish();
               if (!errors.empty()) return errors.ToError("invalid request");
               TB_ASSIGN_OR_RETURN(pj::ProjectMatter m, std::move(out));
               return ToJson(m);
             });
  };
  matter_step("pre-review", [&s](const people::Principal& p, const std::string& id,
                                 const std::string& matter, ObjectReader& r) {
    return s.PreReview(p, id, matter, r.String("findings", false).value_or(""));
  });
  matter_step("decision", [&s](const people::Principal& p, const std::string& id,
                               const std::string& matter, ObjectReader& r) {
    const bool approve = r.Bool("approve", true).value_or(false);
    return s.Decide(p, id, matter, approve, r.String("note", false).value_or(""));
  });
  matter_step("supply", [&s](const people::Principal& p, const std::string& id,
                             const std::string& matter, ObjectReader& r) {
    return s.SupplyMaterial(p, id, matter, r.String("material", true).value_or(""));
  });
  matter_step("exemption", [&s](const people::Principal& p, const std::string& id,
                                const std::string& matter, ObjectReader& r) {
    return s.Exempt(p, id, matter, r.String("assessment", false).value_or(""));
  });

  AddRoute(server, auth, "POST", R"(/api/v1/projects/([^/]+)/pauses)", 201,
           [&s](const people::Principal& p, const httplib::Request& req,
                const json& body) -> Result<json> {
             FieldErrors errors;
             ObjectReader r(body, "", errors);
             pj::PauseInput in;
             in.stage = static_cast<int>(r.Integer("stage", false).value_or(0));
             in.kind = r.String("kind", true).value_or("");
             in.from = r.String("from", false).value_or("");
             in.to = r.String("to", false).value_or("");
             in.note = r.String("note", false).value_or("");
             r.Finish();
             if (!errors.empty()) return errors.ToError("invalid pause");
             TB_ASSIGN_OR_RETURN(pj::Pause pause, s.RecordPause(p, req.matches[1].str(), in));
             return ToJson(pause);
           });

  AddRoute(server, auth, "POST", R"(/api/v1/projects/([^/]+)/pauses/([^/]+)/end)", 200,
           [&s](const people::Principal& p, const httplib::Request& req,
                const json& body) -> Result<json> {
             FieldErrors errors;
             ObjectReader r(body, "", errors);
             const std::string to = r.String("to", false).value_or("");
             r.Finish();
             if (!errors.empty()) return errors.ToError("invalid request");
             TB_ASSIGN_OR_RETURN(int pause_id, PathNumber(req.matches[2].str(), "pause"));
             TB_ASSIGN_OR_RETURN(pj::Pause pause,
                                 s.EndPause(p, req.matches[1].str(), pause_id, to));
             return ToJson(pause);
           });

  AddRoute(server, auth, "POST", R"(/api/v1/projects/([^/]+)/escalations)", 201,
           [&s](const people::Principal& p, const httplib::Request& req,
                const json& body) -> Result<json> {
             FieldErrors errors;
             ObjectReader r(body, "", errors);
             pj::EscalateInput in;
             in.reason = r.String("reason", false).value_or("");
             in.meeting_on = r.String("meeting_on", false).value_or("");
             if (const json* parts = r.Member("parts", json::value_t::array, false)) {
               for (size_t i = 0; i < parts->size(); ++i) {
                 ObjectReader part((*parts)[i], fmt::format("parts/{}", i), errors);
                 in.parts.push_back({.department = part.String("department", true).value_or(""),
                                     .task = part.String("task", true).value_or(""),
                                     .due_on = part.String("due_on", true).value_or("")});
                 part.Finish();
               }
             }
             r.Finish();
             if (!errors.empty()) return errors.ToError("invalid escalation");
             TB_ASSIGN_OR_RETURN(pj::Escalation e, s.Escalate(p, req.matches[1].str(), in));
             return ToJson(e);
           });

  AddRoute(server, auth, "POST", R"(/api/v1/project-escalations/([^/]+)/parts/([^/]+)/done)", 200,
           [&s](const people::Principal& p, const httplib::Request& req,
                const json& body) -> Result<json> {
             FieldErrors errors;
             ObjectReader r(body, "", errors);
             const std::string note = r.String("note", false).value_or("");
             r.Finish();
             if (!errors.empty()) return errors.ToError("invalid request");
             TB_ASSIGN_OR_RETURN(pj::Escalation e, s.CompletePart(p, req.matches[1].str(),
                                                                  req.matches[2].str(), note));
             return ToJson(e);
           });

  AddRoute(
      server, auth, "POST", "/api/v1/project-batches", 201,
      [&s](const people::Principal& p, const httplib::Request&, const json& body) -> Result<json> {
        FieldErrors errors;
        ObjectReader r(body, "", errors);
        pj::BatchInput in;
        in.approve = r.Bool("approve", false).value_or(true);
        in.note = r.String("note", false).value_or("");
        if (const json* items = r.Member("items", json::value_t::array, true)) {
          for (size_t i = 0; i < items->size(); ++i) {
            ObjectReader item((*items)[i], fmt::format("items/{}", i), errors);
            in.items.push_back({.project_id = item.String("project_id", true).value_or(""),
                                .matter = item.String("matter", true).value_or("")});
            item.Finish();
          }
        }
        r.Finish();
        if (!errors.empty()) return errors.ToError("invalid batch");
        TB_ASSIGN_OR_RETURN(pj::Batch b, s.BatchReview(p, in));
        json documents = json::array();
        for (const auto& d : b.documents) {
          documents.push_back({{"project_id", d.project_id},
                               {"project_code", d.project_code},
                               {"document_number", d.document_number}});
        }
        return json{{"id", b.id}, {"matter", b.matter}, {"documents", documents}};
      });

  AddRoute(
      server, auth, "GET", "/api/v1/project-delegations", 200,
      [&s](const people::Principal&, const httplib::Request& req, const json&) -> Result<json> {
        TB_ASSIGN_OR_RETURN(
            auto list, s.Delegations(req.get_param_value("region"), req.get_param_value("on")));
        json items = json::array();
        for (const auto& d : list) items.push_back(ToJson(d));
        return json{{"items", items}};
      });

  AddRoute(
      server, auth, "POST", "/api/v1/project-delegations", 201,
      [&s](const people::Principal& p, const httplib::Request&, const json& body) -> Result<json> {
        FieldErrors errors;
        ObjectReader r(body, "", errors);
        pj::Delegation d;
        d.region = r.String("region", true).value_or("");
        d.matter = r.String("matter", true).value_or("");
        d.from_department = r.String("from", false).value_or("");
        d.to_department = r.String("to", true).value_or("");
        d.basis = r.String("basis", false).value_or("");
        auto from = ReadDate(r, "valid_from", errors);
        auto to = ReadDate(r, "valid_to", errors);
        r.Finish();
        if (!errors.empty()) return errors.ToError("invalid delegation");
        d.valid_from = *from;
        d.valid_to = *to;
        TB_RETURN_IF_ERROR(s.AddDelegation(p, d));
        return ToJson(d);
      });

  AddRoute(
      server, auth, "GET", "/api/v1/project-statistics", 200,
      [&s](const people::Principal& p, const httplib::Request& req, const json&) -> Result<json> {
        TB_ASSIGN_OR_RETURN(pj::ProjectStatistics st,
                            s.Statistics(p, req.get_param_value("region")));
        json per_stage = json::object();
        for (const auto& [stage, n] : st.per_stage) per_stage[std::to_string(stage)] = n;
        return json{{"projects", st.projects},
                    {"completed", st.completed},
                    {"per_stage", per_stage},
                    {"budget_days_total", st.budget_days_total},
                    {"used_days_total", st.used_days_total},
                    {"over_budget", st.over_budget},
                    {"legal_days_total", st.legal_days_total},
                    {"savings", ToJson(st.savings)}};
      });

  AddRoute(
      server, auth, "GET", "/api/v1/project-notices", 200,
      [&s](const people::Principal& p, const httplib::Request& req, const json&) -> Result<json> {
        TB_ASSIGN_OR_RETURN(auto list, s.Notices(p, IntParam(req, "limit", 50)));
        json items = json::array();
        for (const auto& n : list) items.push_back(NoticeJson(n));
        return json{{"items", items}};
      });

  AddRoute(
      server, auth, "POST", R"(/api/v1/project-notices/([^/]+)/read)", 200,
      [&s](const people::Principal& p, const httplib::Request& req, const json&) -> Result<json> {
        TB_ASSIGN_OR_RETURN(pj::ProjectNotice n, s.MarkNoticeRead(p, req.matches[1].str()));
        return NoticeJson(n);
      });

  AddRoute(server, auth, "POST", "/api/v1/project-sweeps", 200,
           [&s](const people::Principal& p, const httplib::Request&, const json&) -> Result<json> {
             const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
             TB_RETURN_IF_ERROR(
                 people::Authorize(p, "supervision.card", {.region = p.account.region}, now));
             TB_ASSIGN_OR_RETURN(pj::SweepReport rep, s.Sweep());
             return json{{"warnings", rep.warnings},
                         {"yellow_cards", rep.yellow_cards},
                         {"red_cards", rep.red_cards}};
           });
}

}  // namespace tongban::api
