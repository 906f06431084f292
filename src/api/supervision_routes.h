// Electronic supervision (电子监察) over HTTP. Every route needs a signed-in staff account; the
// supervision service checks the permission over the card's or rule set's region and department
// (supervision.read to list and read, supervision.answer for a department's answer,
// supervision.clue to hand a red card over, supervision.card to save rules and run a sweep).
//
//   GET  /api/v1/supervision/cards?region=&department=&person=&case=&level=&state=&limit=&cursor=
//   GET  /api/v1/supervision/cards/{id}               with its history
//   POST /api/v1/supervision/cards/{id}/answer        {"correction"}
//   POST /api/v1/supervision/cards/{id}/hand-over     {"note"} → the clue with its case file
//   GET  /api/v1/supervision/cards/{id}/clue          the case file handed over
//   GET  /api/v1/supervision/rules/{region}           the rules in force and the region's own
//   PUT  /api/v1/supervision/rules/{region}           {"yaml"} or the YAML itself
//   POST /api/v1/supervision/sweeps                   {"region", "dry_run", "as_of"} → counts
//   GET  /api/v1/supervision/reports?period=2026-11|2026-Q4&by=department|person[&region=]
//                                                     JSON, or CSV with format=csv
#pragma once

#include <functional>

#include "api/auth.h"
#include "api/server.h"
#include "supervision/service.h"

namespace tongban::api {

struct SupervisionRouteOptions {
  // Called after a sweep issued warnings (the server drains the notice outbox); may be empty.
  std::function<void()> after_sweep{};
};

// Registers the routes above. `service` and `auth` must outlive `server`.
void RegisterSupervisionRoutes(Server& server, supervision::SupervisionService& service,
                               const Auth& auth, const SupervisionRouteOptions& options);

}  // namespace tongban::api
