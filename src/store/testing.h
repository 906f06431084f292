// Test support, linked only by tests: a fresh, empty database on each backend, so one contract
// suite runs unchanged on SQLite and PostgreSQL.
//
// PostgreSQL is used when TONGBAN_TEST_POSTGRES_URL names a server (postgresql://user@host:port/db;
// scripts/test starts a private one). Without it the PostgreSQL cases are skipped, unless
// TONGBAN_REQUIRE_POSTGRES=1, as in CI, where a missing server fails them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/database.h"

namespace tongban::store::testing {

// The backends to run contract suites on; always SQLite, PostgreSQL when configured or required.
std::vector<Backend> Backends();
std::string BackendTestName(const ::testing::TestParamInfo<Backend>& info);

// A new empty database, dropped (PostgreSQL) or deleted (SQLite) on destruction.
class TempDatabase {
 public:
  // Returns nullptr and marks the current test skipped or failed when PostgreSQL is missing.
  static std::unique_ptr<TempDatabase> Create(Backend backend);
  ~TempDatabase();

  const DatabaseUrl& url() const { return url_; }
  // Opens a new connection pool to the database.
  std::unique_ptr<Database> Open(size_t pool_size = 4) const;

 private:
  TempDatabase() = default;
  DatabaseUrl url_;
  std::string admin_url_;
  std::string name_;
  std::string dir_;
};

}  // namespace tongban::store::testing
