// Named SQL queries kept in .sql files (userver style): sections start with
//   -- name: find_matter_by_code
// and an optional dialect suffix, "-- name: upsert_x [postgresql]", overrides the shared text
// for that backend. Repositories look queries up by name once and keep the reference.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/embedded.h"
#include "base/result.h"

namespace tongban::store {

enum class Backend;

class QuerySet {
 public:
  // Parses every embedded file whose path ends in ".sql" and is not a migration.
  static Result<QuerySet> Load(const EmbeddedFile* files, size_t count);

  // The query text for `backend`. A missing name is a programming error caught by the
  // module's tests; it aborts with the name rather than running an empty statement.
  const std::string& Get(std::string_view name, Backend backend) const;
  bool Contains(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> shared_;
  std::map<std::string, std::string, std::less<>> postgresql_;
  std::map<std::string, std::string, std::less<>> sqlite_;
};

}  // namespace tongban::store
