// The oversight figures of the KPI report (kpi::FigureProvider): the supervision cards, the
// good/bad ratings and their rectifications, and the enterprise demands, read from those
// modules' tables in the report's read transaction.
#pragma once

#include <memory>
#include <vector>

#include "kpi/service.h"

namespace tongban::assessment {

// Cards issued in the period (by the day issued): warnings, yellow, red, answered, handed
// over. Filters: region, department, period.
std::unique_ptr<kpi::FigureProvider> SupervisionFigures();
// Ratings given in the period (voided ones excluded), good and bad, the good-rating rate;
// rectifications opened in the period, closed, the rectification rate, the callback rate of
// named bad ratings. Filters: region, department, matter, window, period.
std::unique_ptr<kpi::FigureProvider> EvaluationFigures();
// Demands received in the period; of them closed (the article's 479 / 446), closed on time
// (a work order closed within its limit), satisfaction callbacks. Filters: region, period.
std::unique_ptr<kpi::FigureProvider> DemandFigures();

// The three above, for KpiService::AddProvider.
std::vector<std::unique_ptr<kpi::FigureProvider>> OversightFigures();

}  // namespace tongban::assessment
