// Demo people for `tongban serve --demo`: staff with a role grant in each of the five demo
// localities, citizens and enterprises with agents, loaded from data/demo/people.yaml (format
// in docs/people.md) in one transaction. Every demo account shares one precomputed Argon2id
// hash, so loading hashes nothing.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "store/database.h"

namespace tongban::people {

struct DemoPeopleCounts {
  int staff = 0;
  int citizens = 0;
  int enterprises = 0;
  int agents = 0;
  int grants = 0;
  bool already_loaded = false;  // the file's accounts were there: nothing was inserted
};

// Validates `yaml` completely (every error listed with its path, e.g. "staff/3/grants/0/role";
// nothing inserted when any is found), then inserts the roles the database lacks and every
// account, grant, enterprise and agent authorisation in one transaction. When the file's first
// account already exists the database is taken as loaded and nothing is changed. Grants and
// authorisations start at `now_ms`.
Result<DemoPeopleCounts> LoadDemoPeople(store::Database& db, std::string_view yaml, int64_t now_ms);
Result<DemoPeopleCounts> LoadDemoPeople(store::Database& db, std::string_view yaml);

// The shipped demo file (data/demo/people.yaml), embedded in the binary.
std::string_view DemoPeopleYaml();

}  // namespace tongban::people
