// The code validators: any bytes given to the four parsers must give a value or a clear error,
// never a crash; whatever they accept must parse again to the same normalized form.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "base/id_number.h"
#include "base/licence_id.h"
#include "base/region.h"
#include "base/uscc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace std::chrono;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (auto id = tongban::ParseIdNumber(text, 2025y / June / 1); id.ok()) {
    auto again = tongban::ParseIdNumber(id->normalized, 2025y / June / 1);
    if (!again.ok() || again->normalized != id->normalized) std::abort();
  } else {
    (void)id.error().ToString();
  }
  if (auto uscc = tongban::ParseUscc(text); uscc.ok()) {
    auto again = tongban::ParseUscc(uscc->normalized);
    if (!again.ok() || again->normalized != uscc->normalized) std::abort();
  }
  if (auto region = tongban::LookupRegion(text); region.ok()) {
    auto again = tongban::LookupRegion(region->code);
    if (!again.ok() || again->full_name != region->full_name) std::abort();
  }
  (void)tongban::ListChildRegions(text);
  (void)tongban::IsValidProvinceCode(text);
  if (auto licence = tongban::ParseLicenceId(text); licence.ok()) {
    auto made = tongban::MakeLicenceId({.type_code = licence->type_code,
                                        .issuer_uscc = licence->issuer_uscc,
                                        .serial = licence->serial,
                                        .version = licence->version});
    if (!made.ok() || *made != licence->normalized) std::abort();
  }
  (void)tongban::Mod3736CheckCharacter(text);
  return 0;
}
