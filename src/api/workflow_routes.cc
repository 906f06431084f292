#include "api/workflow_routes.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <set>

#include "api/json_body.h"
#include "feel/value.h"
#include "people/authorization.h"
#include "people/timestamp.h"

namespace tongban::api {
namespace {

using nlohmann::json;
using people::Principal;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

json Time(Timestamp t) {
  return people::FormatTimestamp(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

json ValueJson(const feel::Value& v) { return json::parse(feel::ToJson(v), nullptr, false); }

// A keyset cursor on the wire: "<created µs>:<id>".
std::string CursorText(int64_t created, const std::string& id) {
  return fmt::format("{}:{}", created, id);
}
bool ParseCursor(const std::string& text, int64_t& created, std::string& id) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + colon, created);
  if (ec != std::errc() || end != text.data() + colon) return false;
  id = text.substr(colon + 1);
  return !id.empty();
}

// `limit` and `after` of a listing; records invalid ones.
struct PageParams {
  int limit = kDefaultPageSize;
  std::optional<std::pair<int64_t, std::string>> after;
};
PageParams ReadPage(const httplib::Request& req, FieldErrors& errors) {
  PageParams p;
  if (req.has_param("limit")) {
    const std::string text = req.get_param_value("limit");
    int n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > kMaxPageSize) {
      errors.Add("limit", fmt::format("must be an integer from 1 to {}", kMaxPageSize));
    } else {
      p.limit = n;
    }
  }
  if (req.has_param("after")) {
    int64_t created = 0;
    std::string id;
    if (ParseCursor(req.get_param_value("after"), created, id)) {
      p.after = {{created, id}};
    } else {
      errors.Add("after", "must be the `next` value of the previous page");
    }
  }
  return p;
}

json TaskJson(const bpmn::Task& t) {
  json groups = t.candidate_groups;
  json users = t.candidate_users;
  json headers = json::object();
  for (const auto& [k, v] : t.headers) headers[k] = v;
  return {{"id", t.id},
          {"instance_id", t.instance_id},
          {"element_id", t.element_id},
          {"name", t.name},
          {"process_id", t.process_id},
          {"state", bpmn::TaskStateName(t.state)},
          {"assignee", Nullable(t.assignee)},
          {"candidate_groups", groups},
          {"candidate_users", users},
          {"region", Nullable(t.region)},
          {"department", Nullable(t.department)},
          {"due", t.due ? Time(*t.due) : json(nullptr)},
          {"headers", headers},
          {"delegated_by", Nullable(t.delegated_by)},
          {"completed_by", Nullable(t.completed_by)},
          {"created_at", Time(t.created)}};
}

json IncidentJson(const bpmn::Incident& i) {
  return {{"id", i.id},
          {"instance_id", i.instance_id},
          {"element_id", i.element_id},
          {"message", i.message},
          {"job_id", Nullable(i.job_id)},
          {"open", i.open},
          {"created_at", Time(i.created)}};
}

// The variables member of a body: a JSON object, or absent (null).
feel::Value ReadVariables(ObjectReader& r, const std::string& key, FieldErrors& errors) {
  const json* v = r.Member(key, json::value_t::object, false);
  if (!v) return feel::Value();
  auto parsed = feel::ParseJson(v->dump());
  if (!parsed.ok()) {
    errors.Add(r.PathOf(key), parsed.error().message());
    return feel::Value();
  }
  return *std::move(parsed);
}

// A string variable of an instance, or "" when it has none.
std::string StringVariable(const bpmn::InstanceState& state, const std::string& name) {
  auto it = state.variables.find(name);
  if (it == state.variables.end()) return "";
  json j = ValueJson(it->second);
  return j.is_string() ? j.get<std::string>() : "";
}

class Routes {
 public:
  Routes(bpmn::Runtime& runtime, bpmn::Inspector& inspector, const Auth& auth,
         WorkflowRoutesOptions options)
      : runtime_(runtime), inspector_(inspector), auth_(auth), options_(std::move(options)) {}

  void Deploy(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    if (!Allowed(*caller, "process.deploy", OwnTarget(*caller), res, ctx)) return;
    const std::string type = req.get_header_value("Content-Type");
    if (type.find("xml") == std::string::npos) {
      return WriteProblem(res,
                          Error(ErrorCode::kUnsupportedMediaType,
                                fmt::format("Content-Type must be application/xml (BPMN 2.0 XML), "
                                            "not '{}'",
                                            type.substr(0, 80))),
                          ctx);
    }
    auto groups = options_.known_groups();
    if (!groups.ok()) return WriteProblem(res, groups.error(), ctx);
    auto problems = bpmn::DeploymentProblems(
        req.body, [&](const std::string& g) { return groups->contains(g); });
    if (!problems.ok()) {
      Error e = std::move(problems).error();
      return WriteProblem(res, Error(ErrorCode::kRefused, e.message(), e.fields()), ctx);
    }
    if (!problems->empty()) {
      const FieldErrors& p = *problems;
      return WriteProblem(
          res,
          Error(ErrorCode::kRefused,
                fmt::format("the process model cannot be deployed: {} problem(s)", p.size()),
                p.fields()),
          ctx);
    }
    auto d = runtime_.Deploy(req.body, Actor(*caller, ctx));
    if (!d.ok()) {
      Error e = std::move(d).error();
      if (e.code() == ErrorCode::kInvalidArgument)
        e = Error(ErrorCode::kRefused, e.message(), e.fields());
      return WriteProblem(res, e, ctx);
    }
    json versions = json::array();
    for (const bpmn::ProcessVersion& v : d->processes) {
      versions.push_back({{"process_id", v.process_id}, {"version", v.version}});
    }
    WriteJson(res, {{"deployment_id", d->id}, {"reused", d->reused}, {"processes", versions}},
              d->reused ? 200 : 201);
  }

  void ListProcesses(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller || !Holds(*caller, "process.read", res, ctx)) return;
    auto versions = inspector_.ListProcesses();
    if (!versions.ok()) return WriteProblem(res, versions.error(), ctx);
    json items = json::array();
    for (const bpmn::DeployedVersion& v : *versions) {
      if (items.empty() || items.back()["id"] != v.process_id) {
        items.push_back({{"id", v.process_id}, {"versions", json::array()}});
      }
      items.back()["latest_version"] = v.version;
      items.back()["versions"].push_back({{"version", v.version},
                                          {"deployment_id", v.deployment_id},
                                          {"deployed_by", v.deployed_by},
                                          {"deployed_at", Time(v.deployed_at)}});
    }
    WriteJson(res, {{"items", items}});
  }

  // The deployed XML of a process version, for the modeller page (bpmn-js) to show and edit.
  void ProcessXml(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller || !Holds(*caller, "process.read", res, ctx)) return;
    std::optional<int> version;
    if (req.has_param("version")) {
      const std::string text = req.get_param_value("version");
      int n = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size() || n < 1) {
        FieldErrors errors;
        errors.Add("version", "must be an integer of 1 or more");
        return WriteProblem(res, errors.ToError("the version is invalid"), ctx);
      }
      version = n;
    }
    auto xml = inspector_.ProcessXml(req.matches[1].str(), version);
    if (!xml.ok()) return WriteProblem(res, xml.error(), ctx);
    res.set_content(*xml, "application/xml; charset=utf-8");
  }

  void Start(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    feel::Value variables = ReadVariables(r, "variables", errors);
    auto version = r.Integer("version", false);
    r.Finish();
    if (version && *version < 1) errors.Add("version", "must be 1 or more");
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the start is invalid"), ctx);
    // The instance is scoped by the region and department its variables name.
    people::Target target = OwnTarget(*caller);
    const json vars = ValueJson(variables);
    if (vars.is_object()) {
      if (vars.contains("region") && vars["region"].is_string()) target.region = vars["region"];
      if (vars.contains("department") && vars["department"].is_string()) {
        target.department = vars["department"];
      }
    }
    if (!Allowed(*caller, "process.start", target, res, ctx)) return;
    // The instance keeps that scope: the listings show it only to callers whose grants cover it.
    bpmn::StartOptions options{.region = target.region, .department = target.department};
    if (version) options.version = static_cast<int>(*version);
    auto id = runtime_.StartInstance(req.matches[1].str(), variables, Actor(*caller, ctx), options);
    if (!id.ok()) return WriteProblem(res, id.error(), ctx);
    auto info = runtime_.GetInstance(*id);
    if (!info.ok()) return WriteProblem(res, info.error(), ctx);
    res.set_header("Location", "/api/v1/instances/" + *id);
    WriteJson(res, InstanceJson(*info), 201);
  }

  void ListInstances(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller || !Holds(*caller, "process.read", res, ctx)) return;
    FieldErrors errors;
    PageParams page = ReadPage(req, errors);
    bpmn::InstanceFilter filter;
    filter.process_id = req.get_param_value("process");
    if (req.has_param("status")) {
      filter.status = bpmn::ParseRunStatus(req.get_param_value("status"));
      if (!filter.status) {
        errors.Add("status", "must be running, completed, incident or cancelled");
      }
    }
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the listing is invalid"), ctx);
    filter.limit = page.limit;
    if (page.after) filter.after = bpmn::InstanceCursor{page.after->first, page.after->second};
    // Only the instances within the caller's grants (region subtree and department).
    filter.visible = [&](const bpmn::InstanceSummary& s) {
      return Covers(*caller, "process.read", {.region = s.region, .department = s.department});
    };
    auto instances = inspector_.ListInstances(filter);
    if (!instances.ok()) return WriteProblem(res, instances.error(), ctx);
    json items = json::array();
    for (const bpmn::InstanceSummary& s : instances->instances) {
      items.push_back({{"id", s.id},
                       {"process_id", s.process_id},
                       {"version", s.version},
                       {"status", bpmn::RunStatusName(s.status)},
                       {"started_by", s.started_by},
                       {"region", Nullable(s.region)},
                       {"department", Nullable(s.department)},
                       {"created_at", Time(s.created)},
                       {"updated_at", Time(s.updated)}});
    }
    json next = instances->next
                    ? json(CursorText(instances->next->created_at, instances->next->instance_id))
                    : json(nullptr);
    WriteJson(res, {{"items", items}, {"next", next}});
  }

  void GetInstance(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto info = runtime_.GetInstance(req.matches[1].str());
    if (!info.ok()) return WriteProblem(res, info.error(), ctx);
    if (!Allowed(*caller, "process.read", InstanceTarget(*info, *caller), res, ctx)) return;
    WriteJson(res, InstanceJson(*info));
  }

  void History(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto info = runtime_.GetInstance(req.matches[1].str());
    if (!info.ok()) return WriteProblem(res, info.error(), ctx);
    if (!Allowed(*caller, "process.read", InstanceTarget(*info, *caller), res, ctx)) return;
    auto events = runtime_.History(info->id);
    if (!events.ok()) return WriteProblem(res, events.error(), ctx);
    json items = json::array();
    for (const bpmn::HistoryEvent& e : *events) {
      items.push_back({{"seq", e.seq},
                       {"element_id", e.element_id},
                       {"kind", e.kind},
                       {"at", Time(e.at)},
                       {"actor", Nullable(e.actor)},
                       {"request_id", Nullable(e.request_id)}});
    }
    WriteJson(res, {{"instance_id", info->id}, {"items", items}});
  }

  void Cancel(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto info = runtime_.GetInstance(req.matches[1].str());
    if (!info.ok()) return WriteProblem(res, info.error(), ctx);
    if (!Allowed(*caller, "process.operate", InstanceTarget(*info, *caller), res, ctx)) return;
    Status s = runtime_.CancelInstance(info->id, Actor(*caller, ctx));
    if (!s.ok()) return WriteProblem(res, s.error(), ctx);
    auto after = runtime_.GetInstance(info->id);
    if (!after.ok()) return WriteProblem(res, after.error(), ctx);
    WriteJson(res, InstanceJson(*after));
  }

  void ListTasks(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller || !Holds(*caller, "task.work", res, ctx)) return;
    FieldErrors errors;
    PageParams page = ReadPage(req, errors);
    const bool by_group = req.has_param("group");
    const bool by_assignee = req.has_param("assignee");
    if (by_group == by_assignee) {
      errors.Add("group", "give exactly one of group=GROUP or assignee=me");
    } else if (by_assignee && req.get_param_value("assignee") != "me") {
      errors.Add("assignee", "must be me: the inbox is the caller's own");
    }
    const bpmn::Actor actor = Actor(*caller, ctx);
    const std::string group = req.get_param_value("group");
    if (by_group && errors.empty() && group != actor.department &&
        std::find(actor.roles.begin(), actor.roles.end(), group) == actor.roles.end()) {
      return WriteProblem(
          res,
          Error(ErrorCode::kForbidden,
                fmt::format("{} is not in group '{}': it holds no such role and is not in that "
                            "department",
                            actor.account_id, group)),
          ctx);
    }
    if (!errors.empty())
      return WriteProblem(res, errors.ToError("the inbox query is invalid"), ctx);
    std::optional<bpmn::TaskCursor> after;
    if (page.after) after = bpmn::TaskCursor{page.after->first, page.after->second};
    // Only the tasks of instances within the caller's grants.
    auto visible = [&](const bpmn::Task& t) {
      return Covers(*caller, "task.work", TaskTarget(t, actor));
    };
    auto tasks = by_group ? runtime_.ListGroupTasks(group, page.limit, after, visible)
                          : runtime_.ListAssigneeTasks(actor.account_id, page.limit, after);
    if (!tasks.ok()) return WriteProblem(res, tasks.error(), ctx);
    json items = json::array();
    for (const bpmn::Task& t : tasks->tasks) items.push_back(TaskJson(t));
    json next = tasks->next ? json(CursorText(tasks->next->created_at, tasks->next->task_id))
                            : json(nullptr);
    WriteJson(res, {{"items", items}, {"next", next}});
  }

  void GetTask(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto task = TaskFor(req, *caller, res, ctx);
    if (!task) return;
    WriteJson(res, TaskJson(*task));
  }

  void Claim(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    TaskAction(req, res, ctx, [&](const bpmn::Task& t, const bpmn::Actor& a, const json&) {
      return runtime_.ClaimTask(t.id, a);
    });
  }
  void Unclaim(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    TaskAction(req, res, ctx, [&](const bpmn::Task& t, const bpmn::Actor& a, const json&) {
      return runtime_.UnclaimTask(t.id, a);
    });
  }
  void Delegate(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    TaskAction(req, res, ctx, [&](const bpmn::Task& t, const bpmn::Actor& a, const json& body) {
      FieldErrors errors;
      ObjectReader r(body, "", errors);
      auto to = r.String("to", true);
      r.Finish();
      if (!errors.empty()) return Status(errors.ToError("the delegation is invalid"));
      return runtime_.DelegateTask(t.id, a, *to);
    });
  }
  void Complete(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    TaskAction(req, res, ctx, [&](const bpmn::Task& t, const bpmn::Actor& a, const json& body) {
      FieldErrors errors;
      ObjectReader r(body, "", errors);
      feel::Value variables = ReadVariables(r, "variables", errors);
      r.Finish();
      if (!errors.empty()) return Status(errors.ToError("the completion is invalid"));
      return runtime_.CompleteTask(t.id, variables, a);
    });
  }

  void ListIncidents(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller || !Holds(*caller, "process.operate", res, ctx)) return;
    auto incidents = runtime_.ListIncidents(req.get_param_value("instance"));
    if (!incidents.ok()) return WriteProblem(res, incidents.error(), ctx);
    json items = json::array();
    for (const bpmn::Incident& i : *incidents) {
      // Only the incidents of instances within the caller's grants.
      if (Covers(*caller, "process.operate", {.region = i.region, .department = i.department})) {
        items.push_back(IncidentJson(i));
      }
    }
    WriteJson(res, {{"items", items}});
  }

  void Retry(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    IncidentAction(req, res, ctx, true);
  }
  void Resolve(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    IncidentAction(req, res, ctx, false);
  }

  void Correlate(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    if (!Allowed(*caller, "process.operate", OwnTarget(*caller), res, ctx)) return;
    auto body = Body(req, res, ctx);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    auto name = r.String("name", true);
    auto key = r.String("correlation_key", false);
    feel::Value variables = ReadVariables(r, "variables", errors);
    auto ttl = r.Integer("ttl_seconds", false);
    r.Finish();
    if (name && name->empty()) errors.Add("name", "must not be empty");
    if (ttl && (*ttl < 0 || *ttl > 366LL * 24 * 3600)) {
      errors.Add("ttl_seconds", "must be from 0 to one year");
    }
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the message is invalid"), ctx);
    auto outcome = runtime_.CorrelateMessage(*name, key.value_or(""), variables,
                                             std::chrono::seconds(ttl.value_or(0)));
    if (!outcome.ok()) return WriteProblem(res, outcome.error(), ctx);
    std::string_view text = *outcome == bpmn::MessageOutcome::kCorrelated ? "correlated"
                            : *outcome == bpmn::MessageOutcome::kBuffered ? "buffered"
                                                                          : "dropped";
    WriteJson(res, {{"outcome", text}}, *outcome == bpmn::MessageOutcome::kCorrelated ? 200 : 202);
  }

 private:
  std::optional<Principal> Caller(const httplib::Request& req, httplib::Response& res,
                                  const RequestContext& ctx) const {
    return CallerOrProblem(auth_, req, res, ctx);
  }

  // The body as a JSON object; an empty body is an empty object (actions without fields).
  static std::optional<json> Body(const httplib::Request& req, httplib::Response& res,
                                  const RequestContext& ctx) {
    return JsonBodyOrProblem(req, res, ctx, true);
  }

  int64_t Now() const { return auth_.people().Now(); }
  // The runtime's actor for the caller, with the request's id for the history it causes.
  bpmn::Actor Actor(const Principal& p, const RequestContext& ctx) const {
    bpmn::Actor actor = ActorOf(p, Now());
    actor.request_id = ctx.request_id;
    return actor;
  }

  // True when one of the caller's grants gives `permission` over `target` (for filtering a
  // listing; an instance without a region is covered only by an installation-wide grant).
  bool Covers(const Principal& p, std::string_view permission, const people::Target& target) const {
    return people::Authorize(p, permission, target, Now()).ok();
  }

  // A task is scoped by its instance's region, and by the caller's department when that is one
  // of the task's candidate groups (a parallel approval's task for each department), else by
  // the instance's department.
  static people::Target TaskTarget(const bpmn::Task& t, const bpmn::Actor& actor) {
    const bool own_department =
        !actor.department.empty() && std::find(t.candidate_groups.begin(), t.candidate_groups.end(),
                                               actor.department) != t.candidate_groups.end();
    return {.region = t.region,
            .department = own_department ? actor.department : t.department,
            .matter = ""};
  }

  static people::Target OwnTarget(const Principal& p) {
    return {.region = p.account.region, .department = p.account.department, .matter = ""};
  }
  // An instance is scoped by its `region`, `department` and `matter` variables where it has them.
  // The region and department stored with the instance come first.
  static people::Target InstanceTarget(const bpmn::InstanceInfo& info, const Principal& p) {
    people::Target t = OwnTarget(p);
    std::string region = info.region.empty() ? StringVariable(info.state, "region") : info.region;
    std::string department =
        info.department.empty() ? StringVariable(info.state, "department") : info.department;
    if (!region.empty()) t.region = region;
    if (!department.empty()) t.department = department;
    t.matter = StringVariable(info.state, "matter");
    return t;
  }

  bool Allowed(const Principal& p, std::string_view permission, const people::Target& target,
               httplib::Response& res, const RequestContext& ctx) const {
    Status s = auth_.Require(p, permission, target);
    if (!s.ok()) WriteProblem(res, s.error(), ctx);
    return s.ok();
  }
  bool Holds(const Principal& p, std::string_view permission, httplib::Response& res,
             const RequestContext& ctx) const {
    if (people::HoldsPermission(p, permission, Now())) return true;
    WriteProblem(
        res, Error(ErrorCode::kForbidden, fmt::format("missing permission '{}'", permission)), ctx);
    return false;
  }

  json InstanceJson(const bpmn::InstanceInfo& info) {
    json variables = json::object();
    for (const auto& [name, value] : info.state.variables) variables[name] = ValueJson(value);
    json out = {{"id", info.id},
                {"process_id", info.process_id},
                {"version", info.version},
                {"status", bpmn::RunStatusName(info.status)},
                {"revision", info.revision},
                {"parent_instance", Nullable(info.parent_instance)},
                {"variables", variables},
                {"completed", info.state.completed}};
    json incidents = json::array();
    if (auto open = runtime_.ListIncidents(info.id); open.ok()) {
      for (const bpmn::Incident& i : *open) {
        if (i.open) incidents.push_back(IncidentJson(i));
      }
    }
    out["incidents"] = std::move(incidents);
    auto waits = inspector_.WaitsOf(info.id);
    json w = {{"tasks", json::array()},
              {"timers", json::array()},
              {"jobs", json::array()},
              {"messages", json::array()}};
    if (waits.ok()) {
      for (const auto& t : waits->tasks) {
        w["tasks"].push_back({{"task_id", t.task_id}, {"element_id", t.element_id}});
      }
      for (const auto& t : waits->timers) {
        w["timers"].push_back({{"element_id", t.element_id}, {"due", Time(t.due)}});
      }
      for (const auto& j : waits->jobs) {
        w["jobs"].push_back(
            {{"element_id", j.element_id}, {"type", j.task_type}, {"state", j.state}});
      }
      for (const auto& m : waits->messages) {
        w["messages"].push_back({{"name", m.message_name}, {"correlation_key", m.correlation_key}});
      }
    }
    out["waits"] = std::move(w);
    return out;
  }

  // The task of the path, after checking the caller may work on its instance.
  std::optional<bpmn::Task> TaskFor(const httplib::Request& req, const Principal& caller,
                                    httplib::Response& res, const RequestContext& ctx) {
    auto task = runtime_.GetTask(req.matches[1].str());
    if (!task.ok()) {
      WriteProblem(res, task.error(), ctx);
      return std::nullopt;
    }
    auto info = runtime_.GetInstance(task->instance_id);
    if (!info.ok()) {
      WriteProblem(res, info.error(), ctx);
      return std::nullopt;
    }
    people::Target target = InstanceTarget(*info, caller);
    if (!info->region.empty()) {
      target.department = TaskTarget(*task, ActorOf(caller, Now())).department;
    }
    if (!Allowed(caller, "task.work", target, res, ctx)) return std::nullopt;
    return std::move(task).value();
  }

  template <typename Action>
  void TaskAction(const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                  Action action) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx);
    if (!body) return;
    auto task = TaskFor(req, *caller, res, ctx);
    if (!task) return;
    Status s = action(*task, Actor(*caller, ctx), *body);
    if (!s.ok()) {
      // Acceptance–approval separation is a rule of the platform: answered 403 naming it.
      if (s.error().code() == ErrorCode::kRefused) {
        WriteProblem(res, Error(ErrorCode::kForbidden, s.error().message()), ctx);
        json problem = json::parse(res.body, nullptr, false);
        problem["rule"] = "acceptance_approval_separation";
        res.set_content(problem.dump(), "application/problem+json");
        return;
      }
      return WriteProblem(res, s.error(), ctx);
    }
    auto after = runtime_.GetTask(task->id);
    if (!after.ok()) return WriteProblem(res, after.error(), ctx);
    WriteJson(res, TaskJson(*after));
  }

  void IncidentAction(const httplib::Request& req, httplib::Response& res, RequestContext& ctx,
                      bool retry) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    feel::Value variables = retry ? ReadVariables(r, "variables", errors) : feel::Value();
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the request is invalid"), ctx);
    auto open = runtime_.ListIncidents();
    if (!open.ok()) return WriteProblem(res, open.error(), ctx);
    const std::string id = req.matches[1].str();
    auto it = std::find_if(open->begin(), open->end(),
                           [&](const bpmn::Incident& i) { return i.id == id; });
    if (it == open->end()) {
      return WriteProblem(
          res, Error(ErrorCode::kNotFound, fmt::format("no open incident '{}'", id)), ctx);
    }
    auto info = runtime_.GetInstance(it->instance_id);
    if (!info.ok()) return WriteProblem(res, info.error(), ctx);
    if (!Allowed(*caller, "process.operate", InstanceTarget(*info, *caller), res, ctx)) return;
    Status s = retry ? runtime_.RetryIncident(id, variables, Actor(*caller, ctx))
                     : runtime_.ResolveIncident(id, Actor(*caller, ctx));
    if (!s.ok()) return WriteProblem(res, s.error(), ctx);
    auto after = runtime_.GetInstance(it->instance_id);
    if (!after.ok()) return WriteProblem(res, after.error(), ctx);
    WriteJson(res, {{"incident_id", id}, {"instance", InstanceJson(*after)}});
  }

  bpmn::Runtime& runtime_;
  bpmn::Inspector& inspector_;
  const Auth& auth_;
  WorkflowRoutesOptions options_;
};

}  // namespace

bpmn::Actor ActorOf(const people::Principal& principal, int64_t now_ms) {
  bpmn::Actor actor;
  actor.account_id = principal.account.id;
  actor.department = principal.account.department;
  actor.region = principal.account.region;
  std::set<std::string> roles;
  for (const people::HeldGrant& g : principal.grants) {
    const bool valid = now_ms >= g.grant.scope.valid_from &&
                       (!g.grant.scope.valid_until || now_ms < *g.grant.scope.valid_until);
    if (valid) roles.insert(g.grant.role);
  }
  actor.roles.assign(roles.begin(), roles.end());
  return actor;
}

void RegisterWorkflowRoutes(Server& server, bpmn::Runtime& runtime, bpmn::Inspector& inspector,
                            const Auth& auth, WorkflowRoutesOptions options) {
  auto routes = std::make_shared<Routes>(runtime, inspector, auth, std::move(options));
  auto bind = [routes](auto method) {
    return [routes, method](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) { ((*routes).*method)(req, res, ctx); };
  };
  const std::string task = R"(/api/v1/tasks/([^/]+/[^/]+))";
  server.Post("/api/v1/processes", bind(&Routes::Deploy));
  server.Get("/api/v1/processes", bind(&Routes::ListProcesses));
  server.Get(R"(/api/v1/processes/([^/]+)/xml)", bind(&Routes::ProcessXml));
  server.Post(R"(/api/v1/processes/([^/]+)/instances)", bind(&Routes::Start));
  server.Get("/api/v1/instances", bind(&Routes::ListInstances));
  server.Get(R"(/api/v1/instances/([^/]+))", bind(&Routes::GetInstance));
  server.Get(R"(/api/v1/instances/([^/]+)/history)", bind(&Routes::History));
  server.Post(R"(/api/v1/instances/([^/]+)/cancel)", bind(&Routes::Cancel));
  server.Get("/api/v1/tasks", bind(&Routes::ListTasks));
  server.Get(task, bind(&Routes::GetTask));
  server.Post(task + "/claim", bind(&Routes::Claim));
  server.Post(task + "/unclaim", bind(&Routes::Unclaim));
  server.Post(task + "/delegate", bind(&Routes::Delegate));
  server.Post(task + "/complete", bind(&Routes::Complete));
  server.Get("/api/v1/incidents", bind(&Routes::ListIncidents));
  server.Post(R"(/api/v1/incidents/([^/]+)/retry)", bind(&Routes::Retry));
  server.Post(R"(/api/v1/incidents/([^/]+)/resolve)", bind(&Routes::Resolve));
  server.Post("/api/v1/messages", bind(&Routes::Correlate));
}

}  // namespace tongban::api
