// The demo data set of `tongban serve --demo`: the five localities' catalog
// (data/demo/catalog.yaml, published) and their people (data/demo/people.yaml), both embedded in
// the binary. Loaded once into an empty database; a database that already holds them is left as it
// is, so restarting a demo keeps what visitors did.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "bpmn/runtime.h"
#include "cases/service.h"
#include "catalog/service.h"
#include "projects/service.h"
#include "registers/register.h"
#include "store/database.h"

namespace tongban::app {

struct DemoLoad {
  bool already_loaded = false;
  int matters = 0;  // implementation items published by this load
  int staff = 0;
  int citizens = 0;
  int enterprises = 0;
  int processes = 0;  // demo process versions deployed (or found deployed)
  double seconds = 0;
};

// The date the demo catalog is published as in force from.
inline constexpr const char* kDemoEffectiveFrom = "2025-01-01";

Result<DemoLoad> LoadDemo(store::Database& db, catalog::CatalogService& catalog);

// Deploys the demo processes (data/demo/processes/*.bpmn, embedded) as the system, after the
// same candidate-group check as a deployment over HTTP (`known_groups`: roles and department
// codes). Deploying unchanged bytes again reuses the first deployment, so this runs at every
// start. Returns how many process versions the files hold.
Result<int> DeployDemoProcesses(bpmn::Runtime& runtime,
                                const std::function<Result<std::set<std::string>>()>& known_groups);

struct DemoRegisters {
  bool already_loaded = false;
  int64_t persons = 0;
  int64_t entities = 0;
};
// Loads the demo registers once, into empty registers: data/demo/registers/persons.csv
// (embedded) through the bulk import, then the demo citizens and enterprises of
// data/demo/people.yaml as register records, so their forms fill themselves.
Result<DemoRegisters> LoadDemoRegisters(registers::Registers& registers);

// The demo project's running stage (projects::LoadDemoProjects' case_project) as real cases:
// its matters delegated to the park opened as the park's cases (demo areas and price in their
// forms) and accepted at the park's window by yunxi.park_clerk, the materials scanned in, so
// that they wait in yunxi.park_approver's inbox. Returns the cases accepted; 0 for "".
Result<int> OpenDemoProjectCases(store::Database& db, projects::ProjectService& projects,
                                 cases::CaseService& cases, const std::string& project_id);
// The demo localities' region codes, in the order of data/demo/catalog.yaml.
std::vector<std::string> DemoLocalities();

struct DemoCases {
  bool already_there = false;  // the database held cases: nothing was added
  int cases = 0;
  double seconds = 0;
};

// Cases in every state for every demo locality (submitted, correction_requested, under_review,
// suspended, extended, approved, denied, concluded, withdrawn, refused), each taken there by
// the locality's demo staff through the case service, so every step is sealed and traced.
// Only into a database without cases: a restarted demo keeps what visitors did.
Result<DemoCases> LoadDemoCases(store::Database& db, catalog::CatalogService& catalog,
                                cases::CaseService& cases);

// The demo process files as (path, contents), for tests.
std::vector<std::pair<std::string_view, std::string_view>> DemoProcessFiles();

}  // namespace tongban::app
