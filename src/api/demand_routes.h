// Demands and work orders over HTTP (诉求 / 工单, issue 9 item 3). Every route needs a signed-in
// account; the demands service checks the permission and scope of each step.
//
//   POST /api/v1/demands                        {channel, class, urgency, …} → 201 + duplicates
//   GET  /api/v1/demands?region=&uscc=&state=&limit=   scoped: an agent sees its enterprises'
//   GET  /api/v1/demands/{id}                   with orders and steps (a report's demander hidden
//                                               from the handling department)
//   GET  /api/v1/demands/{id}/duplicates
//   POST /api/v1/demands/{id}/dispatch|arbitrate {receiver, department, complex, note}
//   POST /api/v1/demands/{id}/sign              {}
//   POST /api/v1/demands/{id}/return            {reason}
//   POST /api/v1/demands/{id}/extend            {days, reason}
//   POST /api/v1/demands/{id}/approve-extension {approve}
//   POST /api/v1/demands/{id}/remind|supervise  {note}
//   POST /api/v1/demands/{id}/close             {answer}
//   POST /api/v1/demands/{id}/callback          {satisfied, note}
//   POST /api/v1/demands/{id}/reopen            {reason}
//   GET|PUT /api/v1/enterprises/{uscc}/commissioners|liaisons   PUT {accounts: [...]}
//   GET  /api/v1/accounts/{id}/enterprises      the enterprises a staff member serves
//   GET  /api/v1/demand-statistics?region=&from=&to=
#pragma once

#include "api/auth.h"
#include "api/server.h"
#include "demands/service.h"

namespace tongban::api {

// Registers the routes above. `demands` and `auth` must outlive `server`.
void RegisterDemandRoutes(Server& server, demands::DemandService& demands, const Auth& auth);

}  // namespace tongban::api
