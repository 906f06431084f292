// The catalog file format (docs/catalog-format.md) read from and written to YAML. Reading checks
// only the shape: YAML syntax, types, unknown keys and missing required keys, each reported with
// its path; the rules between values (codes, references, limits) are ValidateCatalog's. The same
// writer produces `tongban catalog export` and the canonical text stored with each version.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/result.h"
#include "catalog/model.h"

namespace tongban::catalog {

// Bounds on what the reader accepts, so hostile input cannot exhaust memory or time.
struct ParseLimits {
  size_t max_bytes = 64u << 20;
  // YAML nodes visited while reading (aliases count each time they are reached, which bounds
  // "billion laughs" documents).
  size_t max_nodes = 4'000'000;
  // Length of one scalar in bytes.
  size_t max_scalar_bytes = 64u << 10;
};

// Reads a catalog file. Every problem is added to `errors` with its path
// ("implementation_items/3/legal_limit/unit"); the result holds whatever could be read, so the
// caller can still validate it and list all problems at once. Never throws.
CatalogFile ParseCatalogYaml(std::string_view text, FieldErrors& errors,
                             const ParseLimits& limits = {});

// The same for a catalog file sent as JSON (the API), read through the YAML parser but with
// JSON's types kept: a string where a number or true/false is needed ("visits": "1"), or a
// number or boolean where a string is ("code": 431128), is an error naming the field.
CatalogFile ParseCatalogJson(std::string_view text, FieldErrors& errors,
                             const ParseLimits& limits = {});

// One implementation item in the shape of a file entry (how versions are stored).
Result<ImplementationItem> ParseItemYaml(std::string_view text);

// The whole file, in the format's key order, English ids, codes double-quoted. Deterministic:
// equal values give equal text, so export → import → export reproduces the text.
std::string EmitCatalogYaml(const CatalogFile& file);
std::string EmitItemYaml(const ImplementationItem& item);

}  // namespace tongban::catalog
