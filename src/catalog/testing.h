// Test helpers for the catalog tests: the fixture file and lookups into error lists.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/embedded.h"
#include "base/error.h"
#include "catalog/model.h"

namespace tongban {
extern const EmbeddedFile kCatalogTestData[];
extern const size_t kCatalogTestData_count;
}  // namespace tongban

namespace tongban::catalog::testing {

// The text of src/catalog/testdata/NAME.
inline std::string TestFile(std::string_view name) {
  for (size_t i = 0; i < kCatalogTestData_count; ++i) {
    if (kCatalogTestData[i].path.ends_with("/" + std::string(name))) {
      return std::string(kCatalogTestData[i].contents);
    }
  }
  ADD_FAILURE() << "no test file " << name;
  return {};
}

// "path: message" lines, for failure output.
inline std::string Describe(const std::vector<FieldError>& errors) {
  std::string out;
  for (const auto& e : errors) out += e.field + ": " + e.message + "\n";
  return out;
}

inline std::vector<std::string> Paths(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  out.reserve(errors.size());
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

}  // namespace tongban::catalog::testing
