// Stages and their matters: pre-review (提前审), start, materials (容缺审 / 先批后验), decisions.
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

Status DecideIn(ProjectRecord& r, ProjectMatter& m, bool approve, Date today,
                const std::string& batch, DecidedBy by) {
  if (m.state != MatterState::kUnderReview) {
    return Conflict("state",
                    fmt::format("{} is {}, not under review", m.code, MatterStateName(m.state)));
  }
  if (approve && by == DecidedBy::kProject) {
    std::vector<FieldError> gaps;
    for (const auto& mat : m.materials) {
      if (mat.state == MaterialState::kGap) {
        gaps.push_back({"materials." + mat.name, "容缺 material still missing"});
      }
    }
    if (!gaps.empty()) {
      return Refused(fmt::format("{} waits for its gap materials", m.code), std::move(gaps));
    }
  }
  m.state = approve ? MatterState::kApproved : MatterState::kDenied;
  m.decided_on = today.ToString();
  m.document_number =
      by == DecidedBy::kCase ? m.case_number : fmt::format("{}/{}", r.project.code, m.code);
  m.batch_id = batch;
  Stage& st = r.stages[m.stage - 1];
  if (StageDone(r, m.stage)) {
    st.state = StageState::kConcluded;
    st.concluded_on = today.ToString();
    if (std::all_of(r.stages.begin(), r.stages.end(),
                    [](const Stage& s) { return s.state == StageState::kConcluded; })) {
      r.project.state = "completed";
    }
  }
  return Ok();
}

Result<ProjectMatter> ProjectService::PreReview(const Principal& by, std::string_view id,
                                                std::string_view matter,
                                                std::string_view findings) {
  ProjectMatter out;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_ASSIGN_OR_RETURN(ProjectMatter * m, MatterOf(r, matter));
    const Competent c = tx.CompetentFor(r.project.region, m->code, m->department, Today());
    TB_RETURN_IF_ERROR(ReviewAllowed(by, r.project.region, c.department, NowMs()));
    if (findings.empty() || findings.size() > kMaxText) {
      return Invalid("findings", "required, at most 2000 bytes");
    }
    if (r.stages[m->stage - 1].state != StageState::kPending) {
      return Conflict("state", "the matter's stage has started: review it formally");
    }
    if (m->state != MatterState::kPending && m->state != MatterState::kPreReviewed) {
      return Conflict("state", fmt::format("the matter is {}", MatterStateName(m->state)));
    }
    m->state = MatterState::kPreReviewed;
    m->findings = std::string(findings);
    m->pre_reviewed_by = by.account.id;
    m->department = c.department;
    m->delegation_basis = c.basis;
    out = *m;
    tx.AddEvent(r.project.id, "pre_reviewed", by.account.id, NowMs(),
                fmt::format("{}: {}", m->code, findings));
    return Ok();
  }));
  return out;
}

Result<ProjectRecord> ProjectService::StartStage(const Principal& by, std::string_view id,
                                                 int stage, const StageMaterials& materials,
                                                 const StageForms& forms) {
  TB_ASSIGN_OR_RETURN(
      ProjectRecord started, OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
        TB_RETURN_IF_ERROR(
            people::Authorize(by, "project.register", {.region = r.project.region}, NowMs()));
        if (stage < 1 || stage > static_cast<int>(r.stages.size())) {
          return Invalid("stage", fmt::format("must be 1 to {}", r.stages.size()));
        }
        Stage& st = r.stages[stage - 1];
        if (st.state != StageState::kPending) {
          return Conflict("state", fmt::format("stage {} is {}", stage, StageStateName(st.state)));
        }
        if (stage > 1) {
          std::vector<FieldError> missing;
          for (const ProjectMatter& m : r.matters) {
            if (m.stage == stage - 1 && !IsDone(m.state)) {
              missing.push_back(
                  {fmt::format("stages[{}].matters.{}", stage - 1, m.code),
                   fmt::format("{} has no result yet ({})", m.title, MatterStateName(m.state))});
            }
          }
          if (!missing.empty()) {
            return Refused(fmt::format("stage {} cannot start before the results of stage {} (a "
                                       "later stage's matters may be pre-reviewed)",
                                       stage, stage - 1),
                           std::move(missing));
          }
        }
        const Date today = Today();
        FieldErrors errors;
        for (const auto& [code, list] : materials) {
          ProjectMatter* m = FindMatter(r, code);
          if (m == nullptr || m->stage != stage) {
            errors.Add("materials." + code, fmt::format("not a matter of stage {}", stage));
            continue;
          }
          for (const MaterialInput& in : list) {
            const std::string path = fmt::format("materials.{}.{}", code, in.name);
            auto it = std::find_if(m->materials.begin(), m->materials.end(),
                                   [&](const MaterialEntry& e) { return e.name == in.name; });
            if (it == m->materials.end()) {
              errors.Add(path, "not a material of the matter");
              continue;
            }
            auto state = ParseMaterialState(in.state);
            if (!state) {
              errors.Add(path, "state must be submitted, gap, supply_later or proof_waived");
              continue;
            }
            if (it->core && *state != MaterialState::kSubmitted) {
              errors.Add(path, "a core material must be submitted (容缺 only for the others)");
              continue;
            }
            it->due_on.clear();
            if (*state == MaterialState::kSupplyLater) {
              auto due = Date::Parse(in.due_on);
              if (!due.ok() || *due <= today) {
                errors.Add(path, "supply_later needs due_on, a day after today");
                continue;
              }
              it->due_on = due->ToString();
            }
            it->state = *state;
          }
        }
        if (!errors.empty()) return errors.ToError("the stage's materials are invalid");
        for (ProjectMatter& m : r.matters) {
          if (m.stage != stage || IsDone(m.state)) continue;
          const Competent c = tx.CompetentFor(r.project.region, m.code, m.department, today);
          m.department = c.department;
          m.delegation_basis = c.basis;
          if (m.state == MatterState::kPreReviewed) {
            m.limit_days = std::min(m.limit_days, kPreReviewedLimitDays);
          }
          m.state = MatterState::kUnderReview;
          m.started_on = today.ToString();
        }
        st.state = StageState::kRunning;
        st.started_on = today.ToString();
        if (StageDone(r, stage)) {
          st.state = StageState::kConcluded;
          st.concluded_on = st.started_on;
        }
        tx.AddEvent(r.project.id, "stage_started", by.account.id, NowMs(),
                    fmt::format("{} {}", stage, st.title));
        return Ok();
      }));
  if (matter_cases_ == nullptr) return started;
  // The stage has started whatever becomes of its cases: a case not opened is recorded on the
  // project and its matter decided here, or opened by a later OpenCases.
  TB_ASSIGN_OR_RETURN(int opened, OpenCases(id, forms));
  if (opened == 0) return started;
  TB_ASSIGN_OR_RETURN(ProjectRecord now,
                      db_.Transaction<ProjectRecord>(
                          store::TxKind::kRead, [&](soci::session& sql) -> Result<ProjectRecord> {
                            Tx tx(*this, sql);
                            return tx.Load(id, false);
                          }));
  FillClocks(now);
  return now;
}

Result<ProjectMatter> ProjectService::SupplyMaterial(const Principal& by, std::string_view id,
                                                     std::string_view matter,
                                                     std::string_view material) {
  ProjectMatter out;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_RETURN_IF_ERROR(
        people::Authorize(by, "project.register", {.region = r.project.region}, NowMs()));
    TB_ASSIGN_OR_RETURN(ProjectMatter * m, MatterOf(r, matter));
    auto it = std::find_if(m->materials.begin(), m->materials.end(),
                           [&](const MaterialEntry& e) { return e.name == material; });
    if (it == m->materials.end()) return Invalid("material", "not a material of the matter");
    if (it->state != MaterialState::kGap && it->state != MaterialState::kSupplyLater) {
      return Conflict("material", fmt::format("the material is {}", MaterialStateName(it->state)));
    }
    it->state = MaterialState::kSubmitted;
    it->due_on.clear();
    out = *m;
    tx.AddEvent(r.project.id, "material_supplied", by.account.id, NowMs(),
                fmt::format("{}: {}", m->code, material));
    return Ok();
  }));
  return out;
}

Result<ProjectMatter> ProjectService::Decide(const Principal& by, std::string_view id,
                                             std::string_view matter, bool approve,
                                             std::string_view note) {
  ProjectMatter out;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_ASSIGN_OR_RETURN(ProjectMatter * m, MatterOf(r, matter));
    TB_RETURN_IF_ERROR(ReviewAllowed(by, r.project.region, m->department, NowMs()));
    if (!m->case_number.empty()) {
      return Conflict("matter", fmt::format("{} is decided through its case {} (the approver's "
                                            "inbox)",
                                            m->code, m->case_number));
    }
    TB_RETURN_IF_ERROR(DecideIn(r, *m, approve, Today(), ""));
    out = *m;
    tx.AddEvent(r.project.id, approve ? "approved" : "denied", by.account.id, NowMs(),
                fmt::format("{} {}: {}", m->code, m->document_number, note));
    return Ok();
  }));
  return out;
}

}  // namespace tongban::projects
