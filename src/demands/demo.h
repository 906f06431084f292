// Demo demands for `tongban serve --demo`: in each demo locality, the enterprise's service
// commissioner and liaison cadre assigned, and demands in every state (received, dispatched to
// the commissioner, handling, returned to the arbiter, closed awaiting the callback, finished,
// and closed unsatisfied), each taken there by the locality's demo staff through the service.
#pragma once

#include "base/result.h"
#include "demands/service.h"
#include "store/database.h"

namespace tongban::demands {

struct DemoDemands {
  bool already_there = false;  // the database held demands: nothing was added
  int demands = 0;
  int contacts = 0;
  double seconds = 0;
};

// Only into a database without demands, after the demo people are loaded (it acts as their
// accounts, with the permissions their role grants give).
Result<DemoDemands> LoadDemoDemands(store::Database& db, DemandService& service);

}  // namespace tongban::demands
