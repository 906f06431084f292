#include "app/licence_wiring.h"

#include "trace/signing_key.h"

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

std::string MasterKeyPath(const std::string& configured_master_key,
                          const std::string& signing_key_path) {
  return configured_master_key.empty() ? DefaultMasterKeyPath(signing_key_path)
                                       : configured_master_key;
}

Result<std::unique_ptr<KeyParts>> CreateKeyParts(store::Database& db,
                                                 const std::string& master_key_path) {
  auto parts = std::make_unique<KeyParts>();
  TB_ASSIGN_OR_RETURN(parts->ring, keys::MasterKeyRing::LoadOrCreate(master_key_path));
  parts->keys = std::make_unique<keys::KeyStore>(db, parts->ring, SystemClock::Instance());
  return parts;
}

Result<std::unique_ptr<KeyParts>> CreateKeyParts(store::Database& db, const Config& config,
                                                 const store::DatabaseUrl& url) {
  const std::string signing_key =
      config.signing_key.empty() ? trace::DefaultSigningKeyPath(url) : config.signing_key;
  return CreateKeyParts(db, MasterKeyPath(config.master_key, signing_key));
}

Result<std::unique_ptr<LicenceParts>> CreateLicenceParts(store::Database& db,
                                                         catalog::CatalogService& catalog,
                                                         trace::Trace& trace, keys::KeyStore& keys,
                                                         bool demo) {
  auto parts = std::make_unique<LicenceParts>();
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
  parts->licences =
      std::make_unique<licences::LicenceService>(db, keys, trace, SystemClock::Instance(), lookup);
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
