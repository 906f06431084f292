// How the catalog answers about matters: an implementation item's version with what it inherits
// (its basic item's name, kind and legal basis) and its department's name. These are what the
// HTTP layer turns into JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "catalog/model.h"

namespace tongban::catalog {

// One version of an implementation item and who did what to it.
struct VersionInfo {
  std::string id;  // "<item code>@<version>": what a case pins
  int version = 0;
  VersionStatus status = VersionStatus::kDraft;
  std::optional<Date> effective_from;  // published versions
  // The item's ETag: grows with every change to any of its versions. Updates, approvals and
  // publications must name the revision they saw (optimistic concurrency).
  int64_t revision = 0;
  std::string created_by;
  std::string created_at;  // ISO 8601 UTC
  std::string updated_by;
  std::string updated_at;
  std::string approved_by;
  std::string approved_at;
  std::string published_by;
  std::string published_at;
};

struct DepartmentRef {
  std::string code;
  std::string name;
};

// A matter as lists show it: the filterable columns of one version, no scenarios.
struct MatterSummary {
  std::string code;  // implementation code
  std::string name;  // the basic item's
  Kind kind = Kind::kLicensing;
  std::string basic_item;
  std::string region_code;
  DepartmentRef department;
  HandlingType handling_type = HandlingType::kPromised;
  TimeLimit legal_limit;
  std::optional<TimeLimit> promised_limit;
  int online_depth = 0;
  int visits = 0;
  ServiceLists lists;
  std::vector<CrossRegionMode> cross_region_modes;
  VersionInfo version;
};

// A matter in full: one version of the implementation item with its scenarios, the basic item as
// it was when the version was saved, and the department.
struct Matter {
  ImplementationItem item;
  BasicItem basic;
  DepartmentRef department;
  VersionInfo version;
};

}  // namespace tongban::catalog
