// A stage's matters as real cases (issue 12): opening their cases through MatterCases and
// applying the cases' steps to the matters, the stage and the project's clock.
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "projects/service_impl.h"

namespace tongban::projects {

Result<int> ProjectService::OpenCases(std::string_view id_view, const StageForms& forms) {
  if (matter_cases_ == nullptr) return 0;
  const std::string id(id_view);
  TB_ASSIGN_OR_RETURN(ProjectRecord r,
                      db_.Transaction<ProjectRecord>(
                          store::TxKind::kRead, [&](soci::session& sql) -> Result<ProjectRecord> {
                            Tx tx(*this, sql);
                            return tx.Load(id, false);
                          }));
  const RegionConfig* cfg = regions_.For(r.project.region);
  if (cfg == nullptr) return 0;
  struct Opened {
    std::string matter, number, error;
  };
  std::vector<Opened> results;
  for (const ProjectMatter& m : r.matters) {
    if (m.state != MatterState::kUnderReview || !m.case_number.empty()) continue;
    const CaseMatter* target = cfg->CaseMatterFor(m.code, m.department);
    if (target == nullptr) continue;
    static const std::map<std::string, std::string> kNone;
    auto form = forms.find(m.code);
    auto number = matter_cases_->Open(r, m, *target, form == forms.end() ? kNone : form->second);
    if (number.ok()) {
      results.push_back({.matter = m.code, .number = *number, .error = ""});
    } else {
      if (number.error().code() == ErrorCode::kStorage ||
          number.error().code() == ErrorCode::kUnavailable) {
        return std::move(number).error();  // opened by the next call
      }
      spdlog::warn("project {}: the case of {} not opened: {}", r.project.code, m.code,
                   number.error().ToString());
      results.push_back({.matter = m.code, .number = "", .error = number.error().ToString()});
    }
  }
  if (results.empty()) return 0;
  int opened = 0;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& rec) -> Status {
    for (const Opened& o : results) {
      ProjectMatter* m = FindMatter(rec, o.matter);
      if (m == nullptr) continue;
      if (o.number.empty()) {
        tx.AddEvent(rec.project.id, "case_not_opened", "system", NowMs(),
                    fmt::format("{}: {}", o.matter, o.error));
        continue;
      }
      if (m->case_number == o.number) continue;  // a concurrent call linked it
      m->case_number = o.number;
      ++opened;
      tx.AddEvent(rec.project.id, "case_opened", "system", NowMs(),
                  fmt::format("{}: {}", o.matter, o.number));
    }
    return Ok();
  }));
  return opened;
}

Status ProjectService::OnMatterCase(soci::session& sql, const MatterCaseStep& step) {
  std::string project_id, code;
  bool linked = false;
  store::ExecuteRows(
      sql, Q("matter_of_case"), [&] { linked = true; }, soci::use(step.number, "case_number"),
      soci::into(project_id), soci::into(code));
  if (!linked) return Ok();
  Tx tx(*this, sql);
  TB_ASSIGN_OR_RETURN(ProjectRecord r, tx.Load(project_id, true));
  ProjectMatter* m = FindMatter(r, code);
  if (m == nullptr) return Ok();
  // The case's material states, under the template's names where the catalog's differ.
  const RegionConfig* cfg = regions_.For(r.project.region);
  const CaseMatter* target = cfg != nullptr ? cfg->CaseMatterFor(m->code, m->department) : nullptr;
  for (const auto& [name, state] : step.materials) {
    for (MaterialEntry& e : m->materials) {
      std::string as_case = e.name;
      if (target != nullptr) {
        if (auto it = target->materials.find(e.name); it != target->materials.end()) {
          as_case = it->second;
        }
      }
      if (as_case == name) e.state = state;
    }
  }
  const Date today = Today();
  const std::string& a = step.action;
  std::string event;
  std::vector<Pause> open_pause;
  // Pauses this case opened, by their note's prefix, that this step ends.
  std::vector<std::string> end_pauses;
  const std::string correction = fmt::format("{} 补正", m->code);
  const std::string suspension = fmt::format("{} 中止", m->code);
  if (a == "case.accepted") {
    event = "case_accepted";
    end_pauses.push_back(correction);  // the applicant's time ends at the corrected acceptance
  } else if (a == "case.correction_requested") {
    event = "case_correction_requested";
    open_pause.push_back({.stage = m->stage,
                          .kind = PauseKind::kCorrection,
                          .from = today.ToString(),
                          .note = fmt::format("{}（办件 {}）", correction, m->case_number)});
  } else if (a == "case.suspended") {
    // 第45条: the time of the hearing, expert review or third party's work is the pause's kind,
    // counted against the budget only where the region counts that kind.
    event = "case_suspended";
    open_pause.push_back(
        {.stage = m->stage,
         .kind = step.pause.value_or(PauseKind::kIntermediary),
         .from = today.ToString(),
         .note = fmt::format("{}：{}（办件 {}）", suspension, step.note, m->case_number)});
  } else if (a == "case.resumed") {
    event = "case_resumed";
    end_pauses.push_back(suspension);
  } else if (a == "case.approved" || a == "case.denied") {
    const bool approve = a == "case.approved";
    TB_RETURN_IF_ERROR(DecideIn(r, *m, approve, today, m->batch_id, DecidedBy::kCase));
    event = approve ? "approved" : "denied";
  } else if (a == "case.refused" || a == "case.withdrawn" || a == "case.terminated") {
    event = "case_closed";
    m->case_number.clear();
    end_pauses = {correction, suspension};
  } else if (a == "case.concluded") {
    event = "case_concluded";
  }
  for (const std::string& prefix : end_pauses) {
    for (const Pause& p : r.pauses) {
      if (p.to.empty() && p.note.starts_with(prefix)) {
        const std::string to = today.ToString();
        const long long seq = p.id;
        store::Execute(sql, Q("end_pause"), soci::use(to, "to_on"),
                       soci::use(project_id, "project_id"), soci::use(seq, "seq"));
      }
    }
  }
  for (const Pause& p : open_pause) {
    const long long seq = static_cast<long long>(r.pauses.size()) + 1;
    const std::string kind(PauseKindName(p.kind));
    store::Execute(sql, Q("insert_pause"), soci::use(project_id, "project_id"),
                   soci::use(seq, "seq"), soci::use(p.stage, "stage"), soci::use(kind, "kind"),
                   soci::use(p.from, "from_on"), soci::use(p.to, "to_on"),
                   soci::use(p.note, "note"));
  }
  tx.Save(r);
  if (!event.empty()) {
    const std::string detail =
        fmt::format("{} {}{}{}", m->code, step.number, step.note.empty() ? "" : ": ", step.note);
    tx.AddEvent(project_id, event, step.actor, NowMs(), detail);
  }
  return Ok();
}

}  // namespace tongban::projects
