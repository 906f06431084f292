#include "app/licence_wiring.h"

#include <fmt/format.h>

#include "base/embedded.h"

namespace tongban {
extern const EmbeddedFile kDemoData[];
extern const size_t kDemoData_count;
}  // namespace tongban

namespace tongban::app {

std::string DefaultMasterKeyPath(const std::string& signing_key_path) {
  constexpr std::string_view kSuffix = ".signing-key.pem";
  if (signing_key_path.ends_with(kSuffix)) {
    return signing_key_path.substr(0, signing_key_path.size() - kSuffix.size()) + ".master-keys";
  }
  return signing_key_path + ".master-keys";
}

Result<std::unique_ptr<LicenceParts>> CreateLicenceParts(store::Database& db,
                                                         catalog::CatalogService& catalog,
                                                         trace::Trace& trace,
                                                         const std::string& master_key_path,
                                                         bool demo) {
  auto parts = std::make_unique<LicenceParts>();
  TB_ASSIGN_OR_RETURN(parts->ring, keys::MasterKeyRing::LoadOrCreate(master_key_path));
  parts->keys = std::make_unique<keys::KeyStore>(db, parts->ring, SystemClock::Instance());
  auto lookup = [&catalog](const std::string& code) -> Result<licences::IssuerDepartment> {
    TB_ASSIGN_OR_RETURN(auto departments, catalog.ListDepartments());
    for (const auto& d : departments) {
      if (d.code == code) {
        return licences::IssuerDepartment{
            .code = d.code, .name = d.name, .uscc = d.uscc, .region = d.region};
      }
    }
    return Error(ErrorCode::kNotFound, fmt::format("no department {}", code));
  };
  parts->licences = std::make_unique<licences::LicenceService>(db, *parts->keys, trace,
                                                               SystemClock::Instance(), lookup);
  if (demo) {
    for (size_t i = 0; i < kDemoData_count; ++i) {
      if (!kDemoData[i].path.ends_with("licence_types.yaml")) continue;
      TB_ASSIGN_OR_RETURN(auto types, licences::ParseLicenceTypesYaml(kDemoData[i].contents));
      TB_RETURN_IF_ERROR(parts->licences->PutTypes(types));
    }
  }
  return parts;
}

}  // namespace tongban::app
