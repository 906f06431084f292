// KPIs and reports over HTTP (issue 9): reports, the dashboard, the published statistics and
// the 走流程 walk-through notes. Reports and the dashboard need report.read over the region and
// department asked for (403 outside); the published statistics need no login; notes and
// rectification items need case.walkthrough.
//
//   GET  /api/v1/kpi/reports?region=&department=&matter=&channel=&window=&period=&format=
//        (format json | csv | xlsx, or by Accept)
//   GET  /api/v1/kpi/dashboard?region=&department=&period=
//   GET  /api/v1/kpi/statistics?region=&department=&period=      政务公开, no login
//   POST /api/v1/kpi/walkthroughs/{number}/notes   {"step", "friction", "finding"} → 201
//   GET  /api/v1/kpi/walkthroughs/{number}/notes
//   GET  /api/v1/kpi/rectification-items?region=&department=
#pragma once

#include "api/auth.h"
#include "api/server.h"
#include "kpi/service.h"

namespace tongban::api {

// Registers the routes above. `kpi` and `auth` must outlive `server`.
void RegisterKpiRoutes(Server& server, kpi::KpiService& kpi, const Auth& auth);

}  // namespace tongban::api
