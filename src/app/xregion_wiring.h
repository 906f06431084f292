// Wiring of the cross-region exchange into the application: the service over the installation's
// signing key, the HTTP transport and the delivery thread; with the demo, 浏阳市's agreements
// (data/xregion/liuyang.yaml) and a simulated partner installation (铜鼓县 360926) running in
// the same process with its own database file, its own key and its own HTTP listener, whose
// simulated clerk accepts, approves and concludes what it receives.
#pragma once

#include <memory>
#include <string>

#include "api/xregion_routes.h"
#include "cases/service.h"
#include "store/database.h"
#include "trace/trace.h"
#include "xregion/cases_bridge.h"
#include "xregion/service.h"
#include "xregion/worker.h"

namespace tongban::app {

class SimulatedPartner;

struct XregionParts {
  XregionParts();
  ~XregionParts();
  void Wake() const;  // a round of the delivery thread now
  api::HttpTransport transport;
  std::unique_ptr<xregion::Service> service;
  std::unique_ptr<xregion::DeliveryWorker> worker;
  // Opens received cases as cases here and tells the partner their steps: the cases' observer
  // (chained to the one before it).
  std::unique_ptr<xregion::CaseBridge> bridge;
  std::unique_ptr<SimulatedPartner> partner;  // demo only
  std::string partner_db;                     // demo only: the simulated partner's database
};

// Builds the service on `db` (migrated) with the key at `signing_key_path`; with `demo`, loads
// 浏阳市's agreements once (when no identity is set yet) and prepares the simulated partner
// (its database beside `demo_dir_file`, "<file>.xregion-partner.db").
// `cases` (on the same database) gets the bridge as its observer, chained to `observer` (the
// one it had).
Result<std::unique_ptr<XregionParts>> CreateXregionParts(store::Database& db, trace::Trace& trace,
                                                         cases::CaseService& cases,
                                                         cases::CaseObserver* observer,
                                                         const std::string& signing_key_path,
                                                         bool demo,
                                                         const std::string& demo_dir_file);

// Starts the delivery thread and, in the demo, the simulated partner, telling it where this
// installation listens (`own_url`).
Status StartXregion(XregionParts& parts, const std::string& own_url);
void StopXregion(XregionParts& parts);

// Prometheus lines: xregion::Metrics (the backlog, the dead letters, cases, overdue originals).
std::string XregionMetrics(xregion::Service& service);

}  // namespace tongban::app
