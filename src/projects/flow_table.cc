// The custom flow table (同步审, 一企一策): versions, and the commissioner's edits that the
// stages not started follow.
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

Result<std::vector<FlowTable>> ProjectService::FlowTables(const Principal& by,
                                                          std::string_view id) {
  TB_ASSIGN_OR_RETURN(ProjectRecord r, Get(by, id));
  return db_.Transaction<std::vector<FlowTable>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<FlowTable>> {
        Tx tx(*this, sql);
        return tx.FlowTables(r.project.id);
      });
}

Result<FlowTable> ProjectService::EditFlowTable(const Principal& by, std::string_view id,
                                                const std::vector<FlowRow>& rows,
                                                int expected_version, std::string_view note) {
  FlowTable saved;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_RETURN_IF_ERROR(
        people::Authorize(by, "project.flow_table", {.region = r.project.region}, NowMs()));
    if (r.project.commissioner != by.account.id) {
      return Error(ErrorCode::kForbidden,
                   "only the project's service commissioner edits its flow "
                   "table");
    }
    if (expected_version != r.project.flow_version) {
      return Error(ErrorCode::kVersionMismatch,
                   fmt::format("the flow table is at version {}", r.project.flow_version),
                   {{"version", fmt::format("current version is {}", r.project.flow_version)}});
    }
    FieldErrors errors;
    std::set<std::string> seen;
    const int stages = static_cast<int>(r.stages.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const FlowRow& row = rows[i];
      const std::string path = fmt::format("rows[{}]", i);
      if (row.stage < 1 || row.stage > stages) {
        errors.Add(path + ".stage", fmt::format("must be 1 to {}", stages));
        continue;
      }
      if (row.matter.empty()) errors.Add(path + ".matter", "required");
      if (!seen.insert(row.matter).second) errors.Add(path + ".matter", "appears twice");
      if (row.title.empty()) errors.Add(path + ".title", "required");
      if (row.department.empty()) errors.Add(path + ".department", "required");
      const Stage& st = r.stages[row.stage - 1];
      if (row.limit_days < 1 || row.limit_days > st.share_days) {
        errors.Add(path + ".limit_days",
                   fmt::format("must be 1 to the stage's share, {} working days", st.share_days));
      }
      const ProjectMatter* m = FindMatter(r, row.matter);
      if (st.state != StageState::kPending &&
          (m == nullptr || m->stage != row.stage || m->department != row.department ||
           m->limit_days != row.limit_days)) {
        errors.Add(path,
                   fmt::format("stage {} has started: its matters no longer change", row.stage));
      }
      if (m != nullptr && m->stage != row.stage &&
          r.stages[m->stage - 1].state != StageState::kPending) {
        errors.Add(path + ".stage", "the matter's stage has started");
      }
    }
    for (const ProjectMatter& m : r.matters) {
      if (r.stages[m.stage - 1].state == StageState::kPending || seen.contains(m.code) ||
          m.state == MatterState::kRemoved || m.state == MatterState::kExempted) {
        continue;
      }
      errors.Add("rows", fmt::format("matter {} of started stage {} is missing", m.code, m.stage));
    }
    if (!errors.empty()) return errors.ToError("the flow table is invalid");
    std::vector<ProjectMatter> next;
    for (const ProjectMatter& m : r.matters) {
      const bool pending_stage = r.stages[m.stage - 1].state == StageState::kPending;
      if (!pending_stage || (!seen.contains(m.code) && (m.state == MatterState::kRemoved ||
                                                        m.state == MatterState::kExempted))) {
        next.push_back(m);
      }
    }
    for (const FlowRow& row : rows) {
      if (r.stages[row.stage - 1].state != StageState::kPending) continue;
      const ProjectMatter* old = FindMatter(r, row.matter);
      ProjectMatter m = old != nullptr ? *old : ProjectMatter{};
      if (old == nullptr || m.state == MatterState::kRemoved || m.state == MatterState::kExempted) {
        m.state = MatterState::kPending;
        m.basis.clear();
      }
      m.code = row.matter;
      m.stage = row.stage;
      m.title = row.title;
      m.department = row.department;
      m.limit_days = row.limit_days;
      if (old == nullptr) m.legal_days = row.limit_days;
      std::vector<MaterialEntry> materials;
      for (const std::string& name : row.materials) {
        MaterialEntry e{.name = name};
        if (old != nullptr) {
          for (const auto& o : old->materials) {
            if (o.name == name) e.core = o.core;
          }
        }
        materials.push_back(std::move(e));
      }
      m.materials = std::move(materials);
      std::erase_if(next, [&](const ProjectMatter& x) { return x.code == m.code; });
      next.push_back(std::move(m));
    }
    std::sort(next.begin(), next.end(), [](const ProjectMatter& a, const ProjectMatter& b) {
      return std::tie(a.stage, a.code) < std::tie(b.stage, b.code);
    });
    r.matters = std::move(next);
    r.project.flow_version += 1;
    saved = {.version = r.project.flow_version,
             .edited_by = by.account.id,
             .edited_at = NowMs(),
             .note = std::string(note),
             .rows = rows};
    tx.InsertFlowTable(r.project.id, saved);
    tx.AddEvent(r.project.id, "flow_table_edited", by.account.id, saved.edited_at,
                fmt::format("version {}: {}", saved.version, note));
    return Ok();
  }));
  return saved;
}

}  // namespace tongban::projects
