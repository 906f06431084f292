// Request decoding: any bytes as a JSON body must give a value or a clear error, never a crash.
#include <cstddef>
#include <cstdint>

#include "api/json_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  httplib::Request req;
  req.body.assign(reinterpret_cast<const char*>(data), size);
  req.headers.emplace("Content-Type", "application/json");
  auto body = tongban::api::ParseJsonBody(req);
  if (!body.ok()) return 0;
  tongban::FieldErrors errors;
  tongban::api::ObjectReader r(*body, "", errors);
  (void)r.String("name", true);
  (void)r.Integer("limit", false);
  (void)r.Bool("active", false);
  if (const auto* items = r.Member("items", nlohmann::json::value_t::array, false)) {
    for (size_t i = 0; i < items->size() && i < 16; ++i) {
      tongban::api::ObjectReader item((*items)[i], r.PathOf("items/" + std::to_string(i)), errors);
      (void)item.String("code", true);
      item.Finish();
    }
  }
  r.Finish();
  (void)errors.ToError("x").ToString();
  return 0;
}
