// HTTP routes of the workflow runtime (JSON <-> bpmn:: types; see docs/ARCHITECTURE.md, BPMN):
//   POST /api/v1/processes                          deploy BPMN XML (process.deploy)
//   GET  /api/v1/processes                          deployed ids and versions (process.read)
//   POST /api/v1/processes/{id}/instances           start an instance (process.start)
//   GET  /api/v1/instances                          ?process=&status=&after=&limit= (process.read)
//   GET  /api/v1/instances/{id}                     status, variables, waits (process.read)
//   GET  /api/v1/instances/{id}/history             every step (process.read)
//   POST /api/v1/instances/{id}/cancel              (process.operate)
//   GET  /api/v1/tasks                              ?group=G | ?assignee=me, keyset pages
//   GET  /api/v1/tasks/{instance}/{activity}        one task (task.work)
//   POST /api/v1/tasks/{instance}/{activity}/claim|unclaim|delegate|complete (task.work)
//   GET  /api/v1/incidents                          open incidents (process.operate)
//   POST /api/v1/incidents/{id}/retry|resolve       (process.operate)
//   POST /api/v1/messages                           correlate a message (process.operate)
// A task's id is "<instance id>/<activity>", so it reads naturally as two path segments.
// Writes on an instance are scoped by the instance's `region` and `department` variables when it
// has them (else by the caller's own), like every other write of the platform.
#pragma once

#include <functional>
#include <set>
#include <string>

#include "api/auth.h"
#include "api/server.h"
#include "bpmn/inspect.h"
#include "bpmn/runtime.h"

namespace tongban::api {

struct WorkflowRoutesOptions {
  // The candidate groups a deployment may name: the roles of the role catalog and the department
  // codes of the catalog, read at each deployment. A model naming another group is refused.
  // Must be set.
  std::function<Result<std::set<std::string>>()> known_groups;
};

// Registers the routes above. Every reference must outlive `server`.
void RegisterWorkflowRoutes(Server& server, bpmn::Runtime& runtime, bpmn::Inspector& inspector,
                            const Auth& auth, WorkflowRoutesOptions options);

// The runtime's actor for an authenticated caller at `now_ms`: its account, the roles of its
// grants valid then, its department and region (the candidate groups it is in).
bpmn::Actor ActorOf(const people::Principal& principal, int64_t now_ms);

}  // namespace tongban::api
