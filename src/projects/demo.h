// The demo's construction projects: Yunxi's (云溪区 430603) portfolio of 113 projects, as the
// mission's article counts them, in every stage, most concluded within the 30-day budget, with
// pauses, pre-reviews, exemptions by regional assessment, removals and delegated matters.
#pragma once

#include "base/result.h"
#include "projects/service.h"
#include "store/database.h"

namespace tongban::projects {

struct DemoProjects {
  int projects = 0;  // added now; 0 when the region had projects already
  double seconds = 0;
  // The project whose running stage has matters the park handles as cases (the owner is the
  // demo enterprise 岳阳云溪新材料科技有限公司, which authorised an agent): "" when none.
  std::string case_project;
};

// Adds the portfolio, generated deterministically backwards from the service's today, in one
// transaction, unless Yunxi has projects already. The commissioner is the demo account
// yunxi.service_commissioner when it exists.
Result<DemoProjects> LoadDemoProjects(store::Database& db, ProjectService& service);

}  // namespace tongban::projects
