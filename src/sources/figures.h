// The material-source figures of the KPI report (kpi::FigureProvider): of the required materials
// of the cases received in the period, how many applicants no longer had to bring, and how many
// came from each source.
#pragma once

#include <string>
#include <vector>

#include "kpi/service.h"
#include "store/database.h"

namespace tongban::sources {

class SourceFigures final : public kpi::FigureProvider {
 public:
  explicit SourceFigures(store::Backend backend) : backend_(backend) {}
  std::string_view Name() const override { return "sources"; }
  std::vector<std::string> Dimensions() const override { return {"region", "matter", "period"}; }
  Result<std::vector<kpi::Figure>> Figures(soci::session& sql,
                                           const kpi::ReportQuery& query) override;

 private:
  store::Backend backend_;
};

}  // namespace tongban::sources
