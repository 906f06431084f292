// Query plans, for tests that a listing reads its index.
#pragma once

#include <soci/soci.h>

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/database.h"

namespace tongban::store {

// How the database would run `query` (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL with
// sequential scans disabled, so that an index that can serve the query shows), one line per plan
// row, in a read transaction; `bind` binds the query's parameters to the statement.
Result<std::vector<std::string>> ExplainPlan(Database& db, const std::string& query,
                                             const std::function<void(soci::statement&)>& bind);

}  // namespace tongban::store
