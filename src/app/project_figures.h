// The construction projects' figures in the KPI reports (kpi::FigureProvider): projects per
// stage, working days per completed project against its budget, the speed-up against the legal
// limits, matters removed and exempted and the fees they saved. The portfolio as it stands now
// (the period does not filter it); the region does.
#pragma once

#include <memory>

#include "kpi/service.h"
#include "projects/service.h"

namespace tongban::app {

// `projects` must outlive the provider.
std::unique_ptr<kpi::FigureProvider> MakeProjectFigures(projects::ProjectService& projects);

}  // namespace tongban::app
