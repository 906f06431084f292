// Escalation to a joint meeting (吹哨报到) and the departments' parts.
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/embedded.h"
#include "base/id.h"
#include "base/region.h"
#include "base/uscc.h"
#include "people/authorization.h"
#include "projects/service_impl.h"

namespace tongban::projects {

using nlohmann::json;
using people::Principal;

Result<Escalation> ProjectService::Escalate(const Principal& by, std::string_view id,
                                            const EscalateInput& in) {
  Escalation out;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_RETURN_IF_ERROR(
        people::Authorize(by, "project.escalate", {.region = r.project.region}, NowMs()));
    if (r.project.state != "active") return Conflict("state", "the project is completed");
    const Date today = Today();
    FieldErrors errors;
    if (in.reason.empty() || in.reason.size() > kMaxText) {
      errors.Add("reason", "required: why the project is blocked");
    }
    if (!in.meeting_on.empty() && !Date::Parse(in.meeting_on).ok()) {
      errors.Add("meeting_on", "must be a date YYYY-MM-DD");
    }
    if (in.parts.empty()) errors.Add("parts", "required: a task for each department involved");
    std::set<std::string> departments;
    for (size_t i = 0; i < in.parts.size(); ++i) {
      const std::string path = fmt::format("parts[{}]", i);
      const EscalationPart& p = in.parts[i];
      if (p.department.empty()) errors.Add(path + ".department", "required");
      if (!departments.insert(p.department).second) errors.Add(path + ".department", "twice");
      if (p.task.empty()) errors.Add(path + ".task", "required");
      auto due = Date::Parse(p.due_on);
      if (!due.ok() || *due < today) errors.Add(path + ".due_on", "a date, today or later");
    }
    if (!errors.empty()) return errors.ToError("the escalation is invalid");
    out = {.id = NewId(*clock_),
           .project_id = r.project.id,
           .reason = in.reason,
           .meeting_on = in.meeting_on,
           .created_by = by.account.id,
           .created_at = NowMs()};
    store::Execute(tx.sql(), Q("insert_escalation"), soci::use(out.id, "id"),
                   soci::use(out.project_id, "project_id"), soci::use(out.reason, "reason"),
                   soci::use(out.meeting_on, "meeting_on"), soci::use(out.created_by, "created_by"),
                   soci::use(out.created_at, "created_at"));
    for (const EscalationPart& p : in.parts) {
      EscalationPart part{.department = p.department, .task = p.task, .due_on = p.due_on};
      store::Execute(tx.sql(), Q("insert_escalation_part"), soci::use(out.id, "escalation_id"),
                     soci::use(part.department, "department"), soci::use(part.task, "task"),
                     soci::use(part.due_on, "due_on"), soci::use(part.done_on, "done_on"),
                     soci::use(part.note, "note"));
      out.parts.push_back(std::move(part));
    }
    tx.AddEvent(r.project.id, "escalated", by.account.id, out.created_at,
                fmt::format("{}: {}", out.id, in.reason));
    return Ok();
  }));
  return out;
}

Result<Escalation> ProjectService::CompletePart(const Principal& by, std::string_view escalation,
                                                std::string_view department,
                                                std::string_view note) {
  std::string project_id;
  const std::string eid(escalation);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    store::Execute(sql, Q("escalation_project"), soci::use(eid, "id"), soci::into(project_id));
    return Ok();
  }));
  if (project_id.empty()) {
    return Error(ErrorCode::kNotFound, "no such escalation", {{"escalation", "not found"}});
  }
  Escalation out;
  TB_RETURN_IF_ERROR(OnProject(project_id, [&](Tx& tx, ProjectRecord& r) -> Status {
    const people::Target target{.region = r.project.region, .department = std::string(department)};
    const int64_t now = NowMs();
    if (by.account.department != department ||
        (!people::Authorize(by, "project.escalate", target, now).ok() &&
         !people::Authorize(by, "project.review", target, now).ok())) {
      return Error(ErrorCode::kForbidden, "only the department's staff report its part done");
    }
    const std::string dep(department), done = Today().ToString(), text(note);
    const store::Executed e = store::Execute(
        tx.sql(), Q("complete_escalation_part"), soci::use(done, "done_on"),
        soci::use(text, "note"), soci::use(eid, "escalation_id"), soci::use(dep, "department"));
    if (e.affected_rows == 0) {
      return Conflict("department", "no open part of this department in the escalation");
    }
    tx.AddEvent(r.project.id, "escalation_part_done", by.account.id, now,
                fmt::format("{} {}: {}", eid, dep, note));
    return Ok();
  }));
  TB_ASSIGN_OR_RETURN(ProjectRecord r,
                      db_.Transaction<ProjectRecord>(
                          store::TxKind::kRead, [&](soci::session& sql) -> Result<ProjectRecord> {
                            Tx tx(*this, sql);
                            return tx.Load(project_id, false);
                          }));
  for (const Escalation& e : r.escalations) {
    if (e.id == eid) out = e;
  }
  return out;
}

}  // namespace tongban::projects
