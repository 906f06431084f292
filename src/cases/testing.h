// Test helpers for the modules that run real cases (projects, kpi, xregion, benefits …): the
// services a CaseService needs, built over one database with the test's clock and a catalog from
// YAML, so that each test does not repeat the set-up.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "cases/service.h"
#include "catalog/repository.h"
#include "catalog/service.h"
#include "keys/key_store.h"
#include "keys/master_key.h"
#include "people/repository.h"
#include "people/service.h"
#include "people/sms.h"
#include "regions/region_import.h"
#include "store/database.h"
#include "trace/trace.h"

namespace tongban::cases::testing {

// The migrations a case needs, in order: regions, trace, people, catalog, keys, cases. A test
// appends its own module's and migrates them all at once.
inline Result<std::vector<store::MigrationSet>> CaseMigrationSets() {
  std::vector<store::MigrationSet> sets;
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), regions::Migrations());
  sets.push_back(trace::TraceMigrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), people::PeopleMigrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), catalog::CatalogMigrations());
  sets.push_back(keys::KeysMigrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), CaseMigrations());
  return sets;
}

// The departments' e-seals a test's case service seals with: a key store over a fresh master
// key ring, on `db` (migrated with keys::KeysMigrations(), which CaseMigrationSets includes).
// Declared before the case service that uses it, so that it outlives it.
struct SealKeys {
  keys::MasterKeyRing ring;
  std::unique_ptr<keys::KeyStore> store;
};
inline std::unique_ptr<SealKeys> MakeSealKeys(store::Database& db, const Clock& clock) {
  auto k = std::make_unique<SealKeys>();
  auto ring = keys::MasterKeyRing::Generate("test");
  if (!ring.ok()) throw std::runtime_error(ring.error().ToString());
  k->ring = std::move(ring).value();
  k->store = std::make_unique<keys::KeyStore>(db, k->ring, clock);
  return k;
}

// People (roles seeded, cheap passwords, SMS simulated), the catalog (the YAML imported and
// published), the trace and the case service, on one database and clock. Material files go to
// a temporary directory removed with the stack.
struct CaseStack {
  people::SimulatedSmsGateway sms;
  std::unique_ptr<people::PeopleService> people;
  std::unique_ptr<catalog::CatalogService> catalog;
  std::unique_ptr<trace::Trace> trace;
  std::unique_ptr<SealKeys> keys;
  std::unique_ptr<CaseService> cases;
  std::string dir;
  CaseStack() = default;
  CaseStack(const CaseStack&) = delete;
  CaseStack& operator=(const CaseStack&) = delete;
  ~CaseStack() {
    cases.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

// Builds the stack on `db` (migrated with CaseMigrationSets). `clock` outlives the stack; `name`
// tells the temporary directories of concurrent tests apart. `region_calendar`: as
// CaseServiceOptions::region_calendar (the national calendar for every case when null).
inline Result<std::unique_ptr<CaseStack>> MakeCaseStack(
    store::Database& db, const Clock& clock, std::string_view catalog_yaml, std::string_view name,
    std::function<const Calendar&(std::string_view region)> region_calendar = nullptr) {
  auto s = std::make_unique<CaseStack>();
  people::PeopleOptions po;
  po.password = people::PasswordOptions::Cheap();
  TB_ASSIGN_OR_RETURN(s->people, people::PeopleService::Create(db, s->sms, clock, po));
  TB_RETURN_IF_ERROR(s->people->SeedRoles());
  TB_ASSIGN_OR_RETURN(s->catalog,
                      catalog::CatalogService::Create(db, {.clock = &clock, .observer = nullptr}));
  auto imported = s->catalog->ImportYaml(catalog_yaml, {.publish = true});
  if (!imported.ok()) return std::move(imported).error();
  s->trace = std::make_unique<trace::Trace>(
      db, trace::Trace::Options{.now =
                                    [&clock] {
                                      return std::chrono::system_clock::time_point(
                                          clock.Now().time_since_epoch());
                                    },
                                .signing_key = std::nullopt});
  s->dir = std::filesystem::temp_directory_path().string() + "/" + std::string(name) + "-" +
           std::to_string(::getpid());
  s->keys = MakeSealKeys(db, clock);
  TB_ASSIGN_OR_RETURN(s->cases, CaseService::Create(db, *s->catalog, *s->people, *s->trace,
                                                    {.clock = &clock,
                                                     .region_calendar = std::move(region_calendar),
                                                     .data_dir = s->dir,
                                                     .keys = s->keys->store.get()}));
  return s;
}

}  // namespace tongban::cases::testing
