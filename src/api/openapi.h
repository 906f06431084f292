// The OpenAPI 3 document of the HTTP API (src/api/openapi.json, embedded). A test checks it
// route by route against the server, so it cannot drift from what is served.
#pragma once

#include <string_view>

namespace tongban::api {

std::string_view OpenApiDocument();

}  // namespace tongban::api
