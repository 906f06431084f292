#include "sources/figures.h"

#include "sources/service.h"

namespace tongban::sources {

Result<std::vector<kpi::Figure>> SourceFigures::Figures(soci::session& sql,
                                                        const kpi::ReportQuery& query) {
  TB_ASSIGN_OR_RETURN(
      SourceReport r,
      CaseSourceCounts(
          sql, backend_,
          {.region = query.region, .matter = query.matter, .from = query.from, .to = query.to}));
  std::vector<kpi::Figure> out;
  out.push_back(kpi::Rate("materials_not_carried_rate", "免于提交的必要材料占比",
                          r.total.not_carried, r.total.required));
  out.push_back(
      kpi::Count("materials_not_carried", "免于提交的必要材料", "materials", r.total.not_carried));
  for (const auto& [source, n] : r.total.by_source) {
    kpi::Figure f =
        kpi::Count("required_materials_by_source", "必要材料（按来源）", "materials", n);
    f.labels = {{"source", source}};
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace tongban::sources
