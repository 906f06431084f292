// Construction projects over HTTP (工程建设项目审批, issue 12). Every route needs a signed-in
// account; the projects service checks the permission and scope of each step.
//
//   POST /api/v1/projects                       {project_code, name, uscc, enterprise_name,
//                                               region, type, commissioner} → 201
//   GET  /api/v1/projects?region=&limit=        with each one's current stage and used days
//   GET  /api/v1/projects/{id}                  stages, matters, pauses, escalations, events,
//                                               the project's clock and each stage's
//   GET  /api/v1/projects/{id}/flow-table       {current, versions}
//   PUT  /api/v1/projects/{id}/flow-table       {version, note, rows: [{stage, matter, title,
//                                               department, materials, milestone, limit_days}]}
//   POST /api/v1/projects/{id}/stages/{n}/start {materials: {matter: [{name, state, due_on}]}}
//   POST /api/v1/projects/{id}/matters/{code}/pre-review {findings}
//   POST /api/v1/projects/{id}/matters/{code}/decision   {approve, note}
//   POST /api/v1/projects/{id}/matters/{code}/supply     {material}
//   POST /api/v1/projects/{id}/matters/{code}/exemption  {assessment}
//   POST /api/v1/projects/{id}/pauses           {stage, kind, from, to, note} → 201
//   POST /api/v1/projects/{id}/pauses/{n}/end   {to}
//   POST /api/v1/projects/{id}/escalations      {reason, meeting_on, parts: [{department, task,
//                                               due_on}]} → 201
//   POST /api/v1/project-escalations/{id}/parts/{department}/done {note}
//   POST /api/v1/project-batches                {approve, note, items: [{project_id, matter}]}
//   GET  /api/v1/project-delegations?region=&on=
//   POST /api/v1/project-delegations            {region, matter, from, to, basis, valid_from,
//                                               valid_to} → 201
//   GET  /api/v1/project-statistics?region=     per stage, days against budget, savings
//   POST /api/v1/project-sweeps                 the supervision feed now (supervision.card)
#pragma once

#include "api/auth.h"
#include "api/server.h"
#include "projects/service.h"

namespace tongban::api {

// Registers the routes above. `projects` and `auth` must outlive `server`.
void RegisterProjectRoutes(Server& server, projects::ProjectService& projects, const Auth& auth);

}  // namespace tongban::api
