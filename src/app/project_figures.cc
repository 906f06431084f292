#include "app/project_figures.h"

#include <fmt/format.h>

namespace tongban::app {
namespace {

class ProjectFigures final : public kpi::FigureProvider {
 public:
  explicit ProjectFigures(projects::ProjectService& projects) : projects_(projects) {}

  std::string_view Name() const override { return "projects"; }
  std::vector<std::string> Dimensions() const override { return {"region", "period"}; }

  Result<std::vector<kpi::Figure>> Figures(soci::session& sql,
                                           const kpi::ReportQuery& query) override {
    TB_ASSIGN_OR_RETURN(projects::ProjectStatistics s, projects_.StatisticsIn(sql, query.region));
    std::vector<kpi::Figure> out;
    out.push_back(kpi::Count("construction_projects", "工程建设项目", "projects", s.projects));
    out.push_back(
        kpi::Count("construction_projects_completed", "已竣工验收的项目", "projects", s.completed));
    for (const auto& [stage, n] : s.per_stage) {
      kpi::Figure f = kpi::Count("construction_projects_in_stage", "所处阶段的项目", "projects", n);
      f.labels["stage"] = stage == 0 ? "completed" : fmt::format("{}", stage);
      out.push_back(std::move(f));
    }
    out.push_back(kpi::Average("project_working_days", "项目审批用时（已竣工）", "working_days",
                               s.used_days_total, s.completed));
    out.push_back(kpi::Average("project_budget_days", "项目审批时限（已竣工）", "working_days",
                               s.budget_days_total, s.completed));
    out.push_back(kpi::Rate("project_speed_up", "较法定时限压缩",
                            s.legal_days_total - s.used_days_total, s.legal_days_total));
    out.push_back(
        kpi::Count("projects_over_budget", "超出审批时限的项目", "projects", s.over_budget));
    out.push_back(kpi::Count("project_matters_removed", "极简审取消的事项", "matters",
                             s.savings.matters_removed));
    out.push_back(kpi::Count("project_matters_exempted", "区域评估豁免的事项", "matters",
                             s.savings.matters_exempted));
    out.push_back(kpi::Count("project_days_saved", "极简审节省的法定时限", "working_days",
                             s.savings.days_saved));
    out.push_back(kpi::Count("project_fees_saved", "极简审节省的费用", "yuan",
                             s.savings.fees_saved_fen / 100));
    return out;
  }

 private:
  projects::ProjectService& projects_;
};

}  // namespace

std::unique_ptr<kpi::FigureProvider> MakeProjectFigures(projects::ProjectService& projects) {
  return std::make_unique<ProjectFigures>(projects);
}

}  // namespace tongban::app
