// Regions beyond the embedded list: the nationwide village list (about 620,000 villages) is too
// big for the repository, so installations that need it import it into their database with
// `tongban regions import FILE` (the file written by tools/regions/generate.mjs --all-villages).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/region.h"
#include "base/result.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/queries.h"

namespace tongban::regions {

// The "regions" migration set (the region table).
Result<store::MigrationSet> Migrations();

struct ImportedRegion {
  std::string code;  // canonical
  std::string name;
  RegionLevel level = RegionLevel::kVillage;
  std::string parent_code;  // '' for a province
};

// Parses and validates a whole file in the generator's format (CODE<TAB>NAME lines, '#'
// comments). Every line must hold a well-formed code (see ParseRegionCode), a non-empty UTF-8
// name without control characters, no code twice, and a parent that exists in the embedded
// list or in the file itself. On failure nothing is returned but one kInvalidArgument error
// listing the bad lines ("line 12": why), the first 100 of them.
Result<std::vector<ImportedRegion>> ParseRegionFile(std::string_view text);

class RegionRepository {
 public:
  // `db` must have the "regions" migrations applied and outlive the repository.
  static Result<RegionRepository> Create(store::Database& db);

  // Inserts or replaces `regions` in one transaction: all of them or none. Returns how many
  // were written.
  Result<size_t> Import(const std::vector<ImportedRegion>& regions);

  // The embedded list first, then the imported table. kNotFound when neither has `code`.
  Result<RegionInfo> Lookup(std::string_view code);

  // How many regions have been imported.
  Result<size_t> ImportedCount();

 private:
  RegionRepository(store::Database& db, store::QuerySet queries)
      : db_(&db), queries_(std::move(queries)) {}

  store::Database* db_;
  store::QuerySet queries_;
};

}  // namespace tongban::regions
