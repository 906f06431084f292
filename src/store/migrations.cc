#include "store/migrations.h"

#include <fmt/format.h>

#include <map>
#include <regex>

namespace tongban::store {

Result<MigrationSet> LoadMigrations(std::string module, const EmbeddedFile* files, size_t count) {
  static const std::regex kName(
      R"(.*/migrations/(\d{4})_([a-z0-9_]+?)(\.sqlite|\.postgresql)?\.sql$)");
  std::map<int, Migration> by_version;
  FieldErrors errors;
  for (size_t i = 0; i < count; ++i) {
    const std::string path(files[i].path);
    if (path.find("/migrations/") == std::string::npos) continue;
    std::smatch m;
    if (!std::regex_match(path, m, kName)) {
      errors.Add(path, "migration file names are NNNN_name[.sqlite|.postgresql].sql");
      continue;
    }
    const int version = std::stoi(m[1].str());
    Migration& mig = by_version[version];
    if (!mig.name.empty() && mig.name != m[2].str()) {
      errors.Add(path, fmt::format("version {} is also used by '{}'", version, mig.name));
      continue;
    }
    mig.version = version;
    mig.name = m[2].str();
    const std::string dialect = m[3].str();
    const std::string sql(files[i].contents);
    if (dialect.empty() || dialect == ".sqlite") {
      if (!mig.sqlite_sql.empty()) errors.Add(path, "duplicate SQLite text for this version");
      mig.sqlite_sql = sql;
    }
    if (dialect.empty() || dialect == ".postgresql") {
      if (!mig.postgresql_sql.empty())
        errors.Add(path, "duplicate PostgreSQL text for this version");
      mig.postgresql_sql = sql;
    }
  }
  MigrationSet set{.module = std::move(module), .migrations = {}};
  int expected = 1;
  for (auto& [version, mig] : by_version) {
    // Consecutive, except that a block may start at a multiple of 100 (one block per branch).
    if (version != expected && version % 100 != 0) {
      errors.Add(mig.name,
                 fmt::format("version {} found where {} was expected", version, expected));
    }
    if (mig.sqlite_sql.empty() || mig.postgresql_sql.empty()) {
      errors.Add(mig.name, "needs SQL for both SQLite and PostgreSQL");
    }
    expected = version + 1;
    set.migrations.push_back(std::move(mig));
  }
  if (!errors.empty()) {
    return errors.ToError(fmt::format("migrations of module {} are inconsistent", set.module));
  }
  return set;
}

}  // namespace tongban::store
