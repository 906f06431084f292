#include "api/openapi.h"

#include "base/embedded.h"

namespace tongban {
extern const EmbeddedFile kApiFiles[];
extern const size_t kApiFiles_count;
}  // namespace tongban

namespace tongban::api {

std::string_view OpenApiDocument() {
  for (size_t i = 0; i < kApiFiles_count; ++i) {
    if (kApiFiles[i].path.ends_with("openapi.json")) return kApiFiles[i].contents;
  }
  return "{}";
}

}  // namespace tongban::api
