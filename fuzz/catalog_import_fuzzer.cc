// The catalog importer without a database: any bytes must give a catalog or an error listing
// problems, never a crash or a hang. A catalog that passes must survive export and re-import
// unchanged, and every error text must be valid UTF-8 (it is sent as JSON).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/utf8.h"
#include "catalog/validate.h"
#include "catalog/yaml_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tongban::catalog;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseLimits limits;
  limits.max_bytes = 1u << 20;
  limits.max_nodes = 100000;
  auto file = ReadCatalog(text, KnownCodes{}, limits);
  if (!file.ok()) {
    for (const auto& f : file.error().fields()) {
      if (!tongban::utf8::IsValid(f.field) || !tongban::utf8::IsValid(f.message)) std::abort();
    }
    (void)file.error().ToString();
    return 0;
  }
  const std::string exported = EmitCatalogYaml(*file);
  auto again = ReadCatalog(exported, KnownCodes{});
  if (!again.ok() || !(*again == *file) || EmitCatalogYaml(*again) != exported) std::abort();
  return 0;
}
