#include "store/testing.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include <soci/postgresql/soci-postgresql.h>

namespace tongban::store::testing {
namespace {

const char* PostgresUrl() {
  const char* url = std::getenv("TONGBAN_TEST_POSTGRES_URL");
  return url && *url ? url : nullptr;
}

bool PostgresRequired() {
  const char* r = std::getenv("TONGBAN_REQUIRE_POSTGRES");
  return r && std::string(r) == "1";
}

// gtest's SKIP/FAIL macros return void, so they live in helpers. A fatal failure or a skip
// recorded during SetUp keeps the test body from running.
void SkipOrFailWithoutPostgres() {
  if (PostgresRequired()) {
    GTEST_FAIL() << "TONGBAN_REQUIRE_POSTGRES=1 but TONGBAN_TEST_POSTGRES_URL is not set";
  }
  GTEST_SKIP() << "PostgreSQL not configured (set TONGBAN_TEST_POSTGRES_URL)";
}

void FailWith(const std::string& message) { GTEST_FAIL() << message; }

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return fmt::format("{}_{}_{:08x}", getpid(), counter++, rd());
}

}  // namespace

std::vector<Backend> Backends() {
  if (PostgresUrl() || PostgresRequired()) return {Backend::kSqlite, Backend::kPostgresql};
  return {Backend::kSqlite};
}

std::string BackendTestName(const ::testing::TestParamInfo<Backend>& info) {
  return std::string(BackendName(info.param));
}

std::unique_ptr<TempDatabase> TempDatabase::Create(Backend backend) {
  std::unique_ptr<TempDatabase> t(new TempDatabase());
  if (backend == Backend::kSqlite) {
    t->dir_ =
        (std::filesystem::temp_directory_path() / ("tongban_test_" + UniqueSuffix())).string();
    std::filesystem::create_directories(t->dir_);
    t->url_ = *ParseDatabaseUrl("sqlite:" + t->dir_ + "/test.db");
    return t;
  }
  const char* admin = PostgresUrl();
  if (!admin) {
    SkipOrFailWithoutPostgres();
    return nullptr;
  }
  t->admin_url_ = admin;
  t->name_ = "tb_" + UniqueSuffix();
  try {
    soci::session s(soci::postgresql, PostgresConnectString(t->admin_url_));
    s << "CREATE DATABASE " + t->name_ + " TEMPLATE template0 ENCODING 'UTF8'";
  } catch (const std::exception& e) {
    FailWith(std::string("cannot create test database: ") + e.what());
    return nullptr;
  }
  // Replace the database path of the admin URL (the part after the authority, before '?').
  const std::string& url = t->admin_url_;
  const size_t authority_end = url.find_first_of("/?", url.find("://") + 3);
  const size_t query = url.find('?', url.find("://") + 3);
  t->url_ = *ParseDatabaseUrl(url.substr(0, authority_end) + "/" + t->name_ +
                              (query == std::string::npos ? "" : url.substr(query)));
  return t;
}

TempDatabase::~TempDatabase() {
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  if (!name_.empty()) {
    try {
      soci::session s(soci::postgresql, PostgresConnectString(admin_url_));
      s << "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)";
    } catch (const std::exception&) {
      // A leftover test database in a throw-away server is harmless.
    }
  }
}

std::unique_ptr<Database> TempDatabase::Open(size_t pool_size) const {
  auto db = Database::Open(url_, Database::Options{.pool_size = pool_size});
  if (!db.ok()) {
    FailWith(db.error().ToString());
    return nullptr;
  }
  return std::move(db).value();
}

}  // namespace tongban::store::testing
