// The catalog's values as JSON, in the same shape as the catalog file format
// (docs/catalog-format.md), so a matter read from the API can be edited and sent back.
#pragma once

#include <nlohmann/json.hpp>

#include "catalog/matter.h"
#include "catalog/model.h"

namespace tongban::api {

nlohmann::json ToJson(const catalog::ImplementationItem& item);
nlohmann::json ToJson(const catalog::Scenario& scenario);
nlohmann::json ToJson(const catalog::GuideQuestion& question);
nlohmann::json ToJson(const catalog::VersionInfo& version);
// A list entry: the filterable fields, with region_code and department {code, name}.
nlohmann::json ToJson(const catalog::MatterSummary& summary);
// One version in full: the item, what it inherits from its basic item, its department.
nlohmann::json ToJson(const catalog::Matter& matter);
nlohmann::json ToJson(const catalog::Region& region);
nlohmann::json ToJson(const catalog::Department& department);
nlohmann::json ToJson(const catalog::Window& window);
nlohmann::json ToJson(const catalog::Certificate& certificate);
nlohmann::json ToJson(const catalog::BasicItem& basic);
nlohmann::json ToJson(const catalog::Bundle& bundle);
// The whole file: the JSON twin of `tongban catalog export`.
nlohmann::json ToJson(const catalog::CatalogFile& file);

}  // namespace tongban::api
