// Benefit policies and matching runs over HTTP (免申即享, issue 8). Every route needs a signed-in
// account; the benefits service checks the permission over the region concerned (policy.write
// to publish, policy.match to run and read runs, policy.push to notify, policy.grant for staff
// consent and the payment roll). A citizen consents for themself.
//
//   POST /api/v1/policies                      {"yaml": "..."} → 201 the policy
//   GET  /api/v1/policies                      the newest version of each
//   GET  /api/v1/policies/{name}?version=N
//   GET  /api/v1/policies/{name}/roll/{period} the payment roll (?format=csv)
//   POST /api/v1/policies/{name}/runs          {"region", "reference_date", "dry_run"} → 201
//   GET  /api/v1/policies/{name}/runs          ?before=<run id>&limit= → newest first, `next`
//   POST /api/v1/policies/{name}/what-if       {"eligibility", "amount", "region"} → entering,
//                                               leaving, cost per cycle, per region
//   GET  /api/v1/runs/{id}                     counts per region
//   POST /api/v1/runs/{id}/rerun               {"store"} → the run again as of its snapshot
//   GET  /api/v1/runs/{id}/results?kind=&after=&limit=&format=csv
//   POST /api/v1/runs/{id}/notices             {"limit"} → what was sent
//   POST /api/v1/runs/{id}/consents            {"person_id", "decision", "by_staff", "evidence",
//                                               "form": {field: text}} (what the registers lack)
//   POST /api/v1/runs/{id}/reviews             {"person_id", "decision": stop|keep, "note",
//                                               "end_date"} (no longer eligible: a human decides)
//   GET  /api/v1/runs/{id}/funnel              screened … granted, and notices read
//   POST /api/v1/me/policy-notices/{run}/{recipient}/read   the person or the enterprise's
//                                               representative read the notice → 204
#pragma once

#include "api/auth.h"
#include "api/server.h"
#include "benefits/benefits.h"

namespace tongban::api {

// Registers the routes above. `benefits` and `auth` must outlive `server`.
void RegisterBenefitRoutes(Server& server, benefits::Benefits& benefits, const Auth& auth);

}  // namespace tongban::api
