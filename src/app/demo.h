// The demo data set of `tongban serve --demo`: the five localities' catalog
// (data/demo/catalog.yaml, published) and their people (data/demo/people.yaml), both embedded in
// the binary. Loaded once into an empty database; a database that already holds them is left as it
// is, so restarting a demo keeps what visitors did.
#pragma once

#include <string>

#include "base/result.h"
#include "catalog/service.h"
#include "store/database.h"

namespace tongban::app {

struct DemoLoad {
  bool already_loaded = false;
  int matters = 0;  // implementation items published by this load
  int staff = 0;
  int citizens = 0;
  int enterprises = 0;
  double seconds = 0;
};

// The date the demo catalog is published as in force from.
inline constexpr const char* kDemoEffectiveFrom = "2025-01-01";

Result<DemoLoad> LoadDemo(store::Database& db, catalog::CatalogService& catalog);

}  // namespace tongban::app
