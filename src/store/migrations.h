// Versioned schema migrations, one set per module, kept as .sql files and embedded into the
// binary. A file is named NNNN_description.sql (both backends), or NNNN_description.sqlite.sql
// and NNNN_description.postgresql.sql when the dialects must differ.
#pragma once

#include <string>
#include <vector>

#include "base/embedded.h"
#include "base/result.h"

namespace tongban::store {

enum class Backend;

struct Migration {
  int version = 0;
  std::string name;
  std::string sqlite_sql;
  std::string postgresql_sql;
};

struct MigrationSet {
  std::string module;                 // e.g. "catalog"; recorded in schema_migrations
  std::vector<Migration> migrations;  // ascending versions, no gaps
};

// Builds a module's set from its embedded files (only paths containing "/migrations/" are
// taken). Fails when a version is duplicated, missing one dialect, or not contiguous.
Result<MigrationSet> LoadMigrations(std::string module, const EmbeddedFile* files, size_t count);

}  // namespace tongban::store
