// The demo's past (`serve --demo`): back-dated cases of the past six months in every demo
// locality, concluded on time and late, refused and withdrawn, through windows and online, a few
// still under review past their due day; online ratings of most concluded ones (mostly good, a
// few bad with their rectification items, rectified); then the KPI and evaluation aggregates
// rebuilt, so that every figure the article reports can be computed from demo data (docs/kpi.md,
// "The article's figures from the demo").
#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "cases/service.h"
#include "catalog/service.h"
#include "evaluation/service.h"
#include "kpi/service.h"
#include "store/database.h"

namespace tongban::app {

struct DemoHistory {
  bool already_there = false;  // history was loaded before: nothing was added
  int cases = 0;
  int ratings = 0;
  int rectifications = 0;
  double seconds = 0;
};

// The applicant account of the history's cases (they have no login; ratings name their code).
inline constexpr const char* kDemoHistorySubmitter = "demo-history";

// Writes the history with multi-row inserts (no trace events, documents or materials: like
// `case generate`, the decision day is the day of the last update), received over the 180 days
// before `clock`'s today, seeded so every demo has the same past. The cases still under review
// store the due day their clock gives (`cases.DueDay`), as a step would: a calendar change that
// does not touch their days leaves them as they are. Only once per database.
Result<DemoHistory> LoadDemoHistory(store::Database& db, catalog::CatalogService& catalog,
                                    cases::CaseService& cases, kpi::KpiService& kpi,
                                    evaluation::EvaluationService& evaluation, const Clock& clock);

}  // namespace tongban::app
