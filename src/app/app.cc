#include "app/app.h"

#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include "api/catalog_routes.h"
#include "api/json_body.h"
#include "api/licence_routes.h"
#include "api/openapi.h"
#include "api/people_routes.h"
#include "app/demo.h"
#include "catalog/repository.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "trace/signing_key.h"

namespace tongban::app {
namespace {

std::string_view ActionName(catalog::CatalogChange::Action action) {
  switch (action) {
    case catalog::CatalogChange::Action::kDraftCreated:
      return "catalog.draft_created";
    case catalog::CatalogChange::Action::kDraftUpdated:
      return "catalog.draft_updated";
    case catalog::CatalogChange::Action::kApproved:
      return "catalog.approved";
    case catalog::CatalogChange::Action::kPublished:
      return "catalog.published";
    case catalog::CatalogChange::Action::kImported:
      return "catalog.imported";
  }
  return "catalog.changed";
}

}  // namespace

// Every catalog change becomes one event in the stream "catalog/<item code>" (or
// "catalog/catalog" for a whole import), written in the change's own transaction.
class App::CatalogTrace final : public catalog::ChangeObserver {
 public:
  explicit CatalogTrace(trace::Trace& trace) : trace_(trace) {}
  Status OnCatalogChange(soci::session& sql, const catalog::CatalogChange& change) override {
    nlohmann::json payload = {{"version_id", change.version_id}, {"detail", change.detail}};
    auto r = trace_.Append(sql, {.stream = "catalog/" + change.subject,
                                 .actor = change.actor,
                                 .action = std::string(ActionName(change.action)),
                                 .payload = payload.dump()});
    if (!r.ok()) return std::move(r).error();
    return Ok();
  }

 private:
  trace::Trace& trace_;
};

App::~App() { StopBackgroundWork(); }

Result<std::vector<store::MigrationSet>> App::AllMigrations() {
  std::vector<store::MigrationSet> sets;
  TB_ASSIGN_OR_RETURN(auto regions_set, regions::Migrations());
  sets.push_back(std::move(regions_set));
  sets.push_back(trace::TraceMigrations());
  TB_ASSIGN_OR_RETURN(store::MigrationSet people, people::PeopleMigrations());
  sets.push_back(std::move(people));
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), catalog::CatalogMigrations());
  sets.push_back(keys::KeysMigrations());
  sets.push_back(licences::LicencesMigrations());
  return sets;
}

Result<std::unique_ptr<App>> App::Create(const Config& config) {
  std::unique_ptr<App> app(new App());
  app->config_ = config;
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  TB_ASSIGN_OR_RETURN(
      app->db_,
      store::Database::Open(url, store::Database::Options{
                                     .pool_size = static_cast<size_t>(config.server.threads) + 2}));
  TB_ASSIGN_OR_RETURN(auto sets, AllMigrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& s : sets) ptrs.push_back(&s);
  TB_ASSIGN_OR_RETURN(int applied, app->db_->Migrate(ptrs));
  (void)applied;
  app->signing_key_path_ =
      config.signing_key.empty() ? trace::DefaultSigningKeyPath(url) : config.signing_key;
  TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, trace::LoadOrCreateSigningKey(app->signing_key_path_));
  app->trace_ = std::make_unique<trace::Trace>(
      *app->db_, trace::Trace::Options{.now = nullptr, .signing_key = std::move(key)});
  app->sms_ = std::make_unique<people::SimulatedSmsGateway>();
  TB_ASSIGN_OR_RETURN(app->people_,
                      people::PeopleService::Create(*app->db_, *app->sms_, SystemClock::Instance(),
                                                    people::PeopleOptions{}));
  TB_RETURN_IF_ERROR(app->people_->SeedRoles());
  app->auth_ = std::make_unique<api::Auth>(*app->people_);
  app->catalog_trace_ = std::make_unique<CatalogTrace>(*app->trace_);
  TB_ASSIGN_OR_RETURN(app->catalog_,
                      catalog::CatalogService::Create(
                          *app->db_, {.clock = nullptr, .observer = app->catalog_trace_.get()}));
  if (config.demo) {
    TB_ASSIGN_OR_RETURN(DemoLoad demo, LoadDemo(*app->db_, *app->catalog_));
    spdlog::info(
        "demo data {}: {} matters published, {} staff, {} citizens, {} enterprises ({:.2f} s)",
        demo.already_loaded ? "already there" : "loaded", demo.matters, demo.staff, demo.citizens,
        demo.enterprises, demo.seconds);
  }
  TB_ASSIGN_OR_RETURN(
      app->licence_parts_,
      CreateLicenceParts(*app->db_, *app->catalog_, *app->trace_,
                         config.master_key.empty() ? DefaultMasterKeyPath(app->signing_key_path_)
                                                   : config.master_key,
                         config.demo));
  app->server_ = std::make_unique<api::Server>(config.server);
  app->RegisterRoutes();
  return app;
}

void App::StartBackgroundWork() {
  if (checkpointer_) return;
  checkpointer_ = std::make_unique<trace::Checkpointer>(
      *trace_, trace::Checkpointer::Options{.interval = std::chrono::minutes(10), .observer = {}});
  checkpointer_->Start();
}

void App::StopBackgroundWork() {
  if (checkpointer_) checkpointer_->Stop();
}

void App::RegisterRoutes() {
  api::Server& s = *server_;
  s.Get("/api/v1/health",
        [this](const httplib::Request&, httplib::Response& res, api::RequestContext&) {
          api::WriteJson(res, {{"status", "ok"},
                               {"database", store::BackendName(db_->backend())},
                               {"version", TONGBAN_VERSION}});
        });
  s.Get("/api/v1/openapi.json",
        [](const httplib::Request&, httplib::Response& res, api::RequestContext&) {
          res.set_content(std::string(api::OpenApiDocument()), "application/json");
        });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res, api::RequestContext&) {
    res.set_content(server_->metrics().Render(), "text/plain; version=0.0.4");
  });
  api::RegisterPeopleRoutes(s, *people_, *auth_,
                            {.sms_outbox = config_.demo ? sms_.get() : nullptr});
  api::RegisterCatalogRoutes(s, *catalog_, *auth_);
  api::RegisterLicenceRoutes(s, *licence_parts_->licences, *licence_parts_->keys, *auth_,
                             {.public_base_url = config_.public_url});
}

}  // namespace tongban::app
