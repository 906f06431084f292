// The KPIs: projects per stage, working days against budget, legal limits, savings.
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
using store::RowStr;

Result<ProjectStatistics> ProjectService::Statistics(const Principal& by, std::string_view region) {
  const int64_t now = NowMs();
  const std::string scope(region);
  if (!people::Authorize(by, "project.read", {.region = scope}, now).ok()) {
    TB_RETURN_IF_ERROR(people::Authorize(by, "report.read", {.region = scope}, now));
  }
  return db_.Transaction<ProjectStatistics>(
      store::TxKind::kRead,
      [&](soci::session& sql) -> Result<ProjectStatistics> { return StatisticsIn(sql, region); });
}

Result<ProjectStatistics> ProjectService::StatisticsIn(soci::session& sql,
                                                       std::string_view region) {
  ProjectStatistics s;
  const std::string prefix = RegionPrefix(region);
  Status status = [&]() -> Status {
    Tx tx(*this, sql);
    std::vector<std::string> ids;
    {
      const int limit = 100000;
      soci::rowset<soci::row> rows = (sql.prepare << Q("list_projects"),
                                      soci::use(prefix, "prefix"), soci::use(limit, "limit"));
      for (const soci::row& row : rows) ids.push_back(RowStr(row, 0));
    }
    for (const std::string& id : ids) {
      TB_ASSIGN_OR_RETURN(ProjectRecord r, tx.Load(id, false));
      const ProjectClock c = ClockOf(r, 0);
      ++s.projects;
      int current = 0;
      for (const Stage& st : r.stages) {
        if (st.state != StageState::kConcluded) {
          current = st.seq;
          break;
        }
      }
      ++s.per_stage[current];
      const bool completed = r.project.state == "completed";
      if (completed) {
        ++s.completed;
        s.budget_days_total += c.budget_days;
        s.used_days_total += c.used_days;
      }
      if (c.remaining_days < 0) ++s.over_budget;
      // The stages' matters run in parallel: a stage's legal time is its longest matter's.
      std::map<int, int> stage_legal;
      for (const ProjectMatter& m : r.matters) {
        if (completed && m.state == MatterState::kApproved) {
          stage_legal[m.stage] = std::max(stage_legal[m.stage], m.legal_days);
        }
        if (m.state == MatterState::kRemoved || m.state == MatterState::kExempted) {
          if (m.state == MatterState::kRemoved) ++s.savings.matters_removed;
          if (m.state == MatterState::kExempted) ++s.savings.matters_exempted;
          s.savings.days_saved += m.legal_days;
          s.savings.fees_saved_fen += m.fee_fen;
          ++s.savings.by_matter[m.code];
        }
      }
      for (const auto& [stage, days] : stage_legal) s.legal_days_total += days;
    }
    return Ok();
  }();
  TB_RETURN_IF_ERROR(status);
  return s;
}

}  // namespace tongban::projects
