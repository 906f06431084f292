// The staff assessment (绩效考核) over HTTP: a month's report per department or per person,
// for a holder of report.read over the region and department asked for (403 outside).
//
//   GET /api/v1/assessment/reports?month=2026-11&by=department|person&region=&department=
//       &format=json|csv (or by Accept)
#pragma once

#include "api/auth.h"
#include "api/server.h"
#include "assessment/service.h"

namespace tongban::api {

// Registers the route above. `assessment` and `auth` must outlive `server`.
void RegisterAssessmentRoutes(Server& server, assessment::AssessmentService& assessment,
                              const Auth& auth);

}  // namespace tongban::api
