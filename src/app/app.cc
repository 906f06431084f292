#include "app/app.h"

#include <fmt/format.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include "api/assessment_routes.h"
#include "api/benefit_routes.h"
#include "api/calendar_routes.h"
#include "api/case_routes.h"
#include "api/catalog_routes.h"
#include "api/demand_routes.h"
#include "api/evaluation_routes.h"
#include "api/guide_routes.h"
#include "api/json_body.h"
#include "api/kpi_routes.h"
#include "api/licence_routes.h"
#include "api/openapi.h"
#include "api/people_routes.h"
#include "api/project_routes.h"
#include "api/register_import_routes.h"
#include "api/register_routes.h"
#include "api/source_routes.h"
#include "api/supervision_routes.h"
#include "api/workflow_routes.h"
#include "api/xregion_routes.h"
#include "app/demo.h"
#include "app/demo_benefits.h"
#include "app/demo_evaluation.h"
#include "app/demo_history.h"
#include "app/demo_sources.h"
#include "app/project_figures.h"
#include "assessment/figures.h"
#include "base/id.h"
#include "catalog/repository.h"
#include "demands/demo.h"
#include "people/repository.h"
#include "projects/demo.h"
#include "regions/region_import.h"
#include "sources/figures.h"
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

// Unique per process, so servers sharing one database take leases under different names.
std::string LeaseOwner() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  return fmt::format("{}:{}:{}", host, getpid(), NewId(SystemClock::Instance()));
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
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), cases::CaseMigrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), bpmn::Runtime::Migrations());
  sets.push_back(keys::KeysMigrations());
  sets.push_back(licences::LicencesMigrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), registers::Migrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), benefits::Migrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), evaluation::Migrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), supervision::SupervisionMigrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), demands::Migrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), projects::Migrations());  // after supervision's cards
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), kpi::Migrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), sources::Migrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), xregion::Migrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), calendars::Migrations());
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
  // The demo's data goes in as a bulk load (its thousands of commits do not each wait for the
  // disk); everything is flushed and every commit durable again before the server is built.
  if (config.demo) TB_RETURN_IF_ERROR(app->db_->SetBulkLoad(true));
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
  // One national calendar for every due day, changed at run time through the calendar routes.
  app->calendar_ = Calendar::WithEmbeddedSchedules();
  TB_ASSIGN_OR_RETURN(app->calendars_, calendars::CalendarService::Create(*app->db_, *app->trace_,
                                                                          *app->calendar_, {}));
  // The one source of region calendars: a case, the sweep and the KPIs count in the calendar of
  // the case's region (its own, its city's and province's holidays over the nation's).
  const auto region_calendar =
      [calendars = app->calendars_.get()](std::string_view region) -> const Calendar& {
    return calendars->ForRegion(region);
  };
  app->catalog_trace_ = std::make_unique<CatalogTrace>(*app->trace_);
  TB_ASSIGN_OR_RETURN(app->catalog_,
                      catalog::CatalogService::Create(
                          *app->db_, {.clock = nullptr, .observer = app->catalog_trace_.get()}));
  TB_ASSIGN_OR_RETURN(
      app->key_parts_,
      CreateKeyParts(*app->db_, MasterKeyPath(config.master_key, app->signing_key_path_)));
  TB_ASSIGN_OR_RETURN(app->cases_, cases::CaseService::Create(
                                       *app->db_, *app->catalog_, *app->people_, *app->trace_,
                                       {.calendar = app->calendar_.get(),
                                        .region_calendar = region_calendar,
                                        .data_dir = cases::DefaultDataDir(url),
                                        .sms = app->sms_.get(),
                                        .keys = app->key_parts_->keys.get()}));
  (void)app->cases_->DrainNotices();  // notices a crash left in the outbox
  TB_RETURN_IF_ERROR(app->CreateEvaluation());
  // The KPI aggregates change in the transaction of every case change (docs/kpi.md).
  TB_ASSIGN_OR_RETURN(app->kpi_, kpi::KpiService::Create(*app->db_, *app->catalog_,
                                                         {.calendar = app->calendar_.get(),
                                                          .region_calendar = region_calendar}));
  app->cases_->SetObserver(app->kpi_.get());
  // 材料库: kept from the first case on (the demo's included), before the KPIs.
  TB_ASSIGN_OR_RETURN(app->library_, sources::MaterialsLibrary::Create(*app->db_, app->kpi_.get()));
  app->cases_->SetObserver(app->library_.get());
  for (auto& figures : assessment::OversightFigures()) app->kpi_->AddProvider(std::move(figures));
  TB_ASSIGN_OR_RETURN(app->workflow_,
                      bpmn::Runtime::Create(*app->db_, SystemClock::Instance(),
                                            bpmn::Runtime::Options{.owner = LeaseOwner()}));
  RegisterPlatformActions(*app->workflow_, *app->sms_, SystemClock::Instance());
  TB_RETURN_IF_ERROR(app->cases_->AttachReview(*app->workflow_, {}));
  // Reviews a crash left finished with their case still under review are decided now.
  TB_ASSIGN_OR_RETURN(int reconciled, app->cases_->ReconcileReviews());
  if (reconciled > 0) spdlog::info("{} case(s) decided from their finished review", reconciled);
  // A calendar change moves the stored due days of its region's open cases at once (with the
  // review attached: a joint review's limit); one a crash left queued runs now.
  app->calendars_->SetDueDays(
      [cases = app->cases_.get()](std::string_view region) -> Result<calendars::DueDaysRecomputed> {
        TB_ASSIGN_OR_RETURN(cases::RecomputedDueDays done, cases->RecomputeDueDays(region));
        return calendars::DueDaysRecomputed{.open_cases = done.open_cases, .moved = done.moved};
      });
  TB_ASSIGN_OR_RETURN(int64_t queued_due_days, app->calendars_->RunQueuedDueDays());
  if (queued_due_days > 0) spdlog::info("{} queued due-day recomputation(s) run", queued_due_days);
  TB_ASSIGN_OR_RETURN(app->inspector_, bpmn::Inspector::Create(*app->db_));
  TB_ASSIGN_OR_RETURN(app->supervision_,
                      supervision::SupervisionService::Create(
                          *app->db_, *app->trace_,
                          {.calendar = app->calendar_.get(),
                           .region_calendar = region_calendar,
                           .calendar_regions = [calendars = app->calendars_.get()] {
                             return calendars->RegionsWithOwnDays();
                           }}));
  TB_ASSIGN_OR_RETURN(app->assessment_, assessment::AssessmentService::Create(*app->db_, {}));
  TB_ASSIGN_OR_RETURN(int rule_sets, app->supervision_->LoadBuiltinRules());
  if (rule_sets > 0) spdlog::info("supervision: {} builtin rule set(s) saved", rule_sets);
  if (config.demo) {
    TB_ASSIGN_OR_RETURN(DemoLoad demo, LoadDemo(*app->db_, *app->catalog_));
    TB_ASSIGN_OR_RETURN(int processes,
                        DeployDemoProcesses(*app->workflow_, [&] { return app->KnownGroups(); }));
    demo.processes = processes;
    TB_ASSIGN_OR_RETURN(DemoCases demo_cases,
                        LoadDemoCases(*app->db_, *app->catalog_, *app->cases_));
    spdlog::info("demo cases: {} added ({:.2f} s)", demo_cases.cases, demo_cases.seconds);
    TB_ASSIGN_OR_RETURN(
        DemoEvaluations demo_ratings,
        LoadDemoEvaluations(*app->db_, *app->cases_, *app->evaluation_, app->rating_device_.get()));
    spdlog::info("demo ratings: {} added, {} rectification items ({:.2f} s)", demo_ratings.ratings,
                 demo_ratings.rectifications, demo_ratings.seconds);
    // The demo's past: back-dated cases, ratings and rectifications; the KPIs rebuilt.
    TB_ASSIGN_OR_RETURN(DemoHistory history,
                        LoadDemoHistory(*app->db_, *app->catalog_, *app->cases_, *app->kpi_,
                                        *app->evaluation_, SystemClock::Instance()));
    if (!history.already_there) {
      spdlog::info("demo history: {} cases, {} ratings, {} rectification items ({:.2f} s)",
                   history.cases, history.ratings, history.rectifications, history.seconds);
    }
    // One sweep over the demo cases (the history's overdue ones get cards).
    TB_ASSIGN_OR_RETURN(supervision::SweepResult swept, app->supervision_->Sweep({}));
    (void)app->cases_->DrainNotices();
    spdlog::info("demo supervision sweep: {} warnings, {} yellow, {} red ({} ms)", swept.warnings,
                 swept.yellow, swept.red, swept.elapsed_ms);
    spdlog::info(
        "demo data {}: {} matters published, {} staff, {} citizens, {} enterprises, {} processes "
        "({:.2f} s)",
        demo.already_loaded ? "already there" : "loaded", demo.matters, demo.staff, demo.citizens,
        demo.enterprises, demo.processes, demo.seconds);
  }
  TB_ASSIGN_OR_RETURN(app->licence_parts_,
                      CreateLicenceParts(*app->db_, *app->catalog_, *app->trace_,
                                         *app->key_parts_->keys, config.demo));
  TB_RETURN_IF_ERROR(app->CreateRegisters(url));
  // Material sources and jurisdiction, resolved at every submission from here on (src/sources).
  TB_ASSIGN_OR_RETURN(
      app->sources_,
      sources::SourceService::Create(*app->db_, *app->catalog_, *app->cases_,
                                     *app->licence_parts_->licences, *app->registers_, *app->trace_,
                                     {.reuse_days = config.material_reuse_days,
                                      .request_days = config.certificate_request_days}));
  app->cases_->SetSubmissionHook(app->sources_.get());
  // 办结出证: an approved conclusion queues its result licence; issued after the commit by the
  // workflow worker's poll, and here for what a stop left queued.
  TB_ASSIGN_OR_RETURN(app->case_licences_,
                      sources::CaseLicences::Create(
                          *app->db_, *app->catalog_, *app->cases_, *app->licence_parts_->licences,
                          *app->trace_, SystemClock::Instance(), app->grant_cases_.get()));
  app->cases_->SetObserver(app->case_licences_.get());
  (void)app->case_licences_->IssueDue();
  // 秒批: an instant scenario's auto_decision is applied right after each submission, around the
  // material sources; its conclusion's licence is issued at once.
  app->auto_decisions_ = std::make_unique<sources::AutoDecisions>(
      *app->cases_, *app->trace_, app->sources_.get(), app->case_licences_.get());
  app->cases_->SetSubmissionHook(app->auto_decisions_.get());
  app->kpi_->AddProvider(std::make_unique<sources::SourceFigures>(app->db_->backend()));
  if (config.demo) {
    TB_ASSIGN_OR_RETURN(
        DemoSources demo_sources,
        LoadDemoSources(*app->db_, *app->cases_, *app->sources_, *app->licence_parts_->licences));
    if (demo_sources.cases > 0) {
      spdlog::info("demo material sources: {} applications", demo_sources.cases);
    }
  }
  TB_ASSIGN_OR_RETURN(app->demands_,
                      demands::DemandService::Create(
                          *app->db_, {.trace = app->trace_.get(), .sms = app->sms_.get()}));
  if (config.demo) {
    TB_ASSIGN_OR_RETURN(demands::DemoDemands demo_demands,
                        demands::LoadDemoDemands(*app->db_, *app->demands_));
    if (demo_demands.demands > 0) {
      spdlog::info("demo demands: {} added ({:.2f} s)", demo_demands.demands, demo_demands.seconds);
    }
  }
  TB_ASSIGN_OR_RETURN(app->projects_,
                      projects::ProjectService::Create(*app->db_, {.sms = app->sms_.get()}));
  app->kpi_->AddProvider(MakeProjectFigures(*app->projects_));
  std::string demo_case_project;  // its stage's matters open as cases once the link is wired
  if (config.demo) {
    TB_ASSIGN_OR_RETURN(projects::DemoProjects demo_projects,
                        projects::LoadDemoProjects(*app->db_, *app->projects_));
    if (demo_projects.projects > 0) {
      spdlog::info("demo construction projects: {} added ({:.2f} s)", demo_projects.projects,
                   demo_projects.seconds);
    }
    demo_case_project = demo_projects.case_project;
  }
  TB_ASSIGN_OR_RETURN(
      app->xregion_,
      CreateXregionParts(
          *app->db_, *app->trace_, *app->cases_, app->case_licences_.get(), app->signing_key_path_,
          config.demo,
          url.backend == store::Backend::kSqlite ? url.target : app->signing_key_path_));
  // A stage's matters are cases (docs/projects.md): the link sees every case step first.
  app->project_cases_ = std::make_unique<projects::CaseLink>(
      *app->projects_, *app->cases_, *app->people_, app->xregion_->bridge.get());
  app->projects_->SetMatterCases(app->project_cases_.get());
  app->cases_->SetObserver(app->project_cases_.get());
  if (config.demo) {
    TB_ASSIGN_OR_RETURN(int project_cases, OpenDemoProjectCases(*app->db_, *app->projects_,
                                                                *app->cases_, demo_case_project));
    if (project_cases > 0)
      spdlog::info("demo project cases: {} accepted in the park", project_cases);
  }
  if (config.demo) TB_RETURN_IF_ERROR(app->db_->SetBulkLoad(false));
  app->server_ = std::make_unique<api::Server>(config.server);
  app->RegisterRoutes();
  return app;
}

Status App::CreateEvaluation() {
  // The demo's windows and kiosks have simulated rating devices; limits as its regions use them.
  if (config_.demo) rating_device_ = std::make_unique<devices::SimulatedRatingDevice>();
  std::vector<evaluation::RegionLimit> limits;
  int default_days = 15;
  TB_RETURN_IF_ERROR(evaluation::ParseRegionLimits(
      config_.rectification_limits.empty() && config_.demo ? "431128:5,430181:7"
                                                           : config_.rectification_limits,
      limits, default_days));
  TB_ASSIGN_OR_RETURN(evaluation_,
                      evaluation::EvaluationService::Create(
                          *db_, {.trace = trace_.get(),
                                 .device = rating_device_.get(),
                                 .default_limit_days = default_days,
                                 .limits = std::move(limits),
                                 .after_notices = [this] { (void)cases_->DrainNotices(); }}));
  return Ok();
}

Status App::CreateRegisters(const store::DatabaseUrl& url) {
  // TONGBAN_REGISTER_KEYS, else beside the SQLite file as `tongban register` finds them, else
  // beside the signing key.
  std::string path;
  if (const char* env = std::getenv("TONGBAN_REGISTER_KEYS"); env != nullptr) path = env;
  if (path.empty()) {
    path = (url.backend == store::Backend::kSqlite ? url.target : signing_key_path_) +
           ".register-keys.yaml";
  }
  TB_ASSIGN_OR_RETURN(registers::RegisterKeys keys, registers::LoadOrCreateRegisterKeys(path));
  TB_ASSIGN_OR_RETURN(registers::FieldCipher cipher, registers::FieldCipher::Create(keys));
  TB_ASSIGN_OR_RETURN(registers_, registers::Registers::Create(*db_, std::move(cipher), *trace_,
                                                               SystemClock::Instance()));
  if (config_.demo) {
    TB_ASSIGN_OR_RETURN(DemoRegisters loaded, LoadDemoRegisters(*registers_));
    if (!loaded.already_loaded) {
      spdlog::info("demo registers loaded: {} persons, {} entities", loaded.persons,
                   loaded.entities);
    }
    // The demo's kiosks and windows read cards through the simulator.
    id_reader_ = std::make_unique<devices::SimulatedIdCardReader>();
  }
  // Imports uploaded from the back office, beside the case files; unfinished ones resume.
  TB_ASSIGN_OR_RETURN(
      register_imports_,
      registers::ImportJobs::Create(
          *registers_, {.dir = cases::DefaultDataDir(url) + "/register-imports",
                        .max_bytes = static_cast<int64_t>(config_.server.max_body_bytes)}));
  TB_ASSIGN_OR_RETURN(benefits_, benefits::Benefits::Create(*db_, *registers_,
                                                            SystemClock::Instance(), sms_.get()));
  // Consent opens a proactive grant case (免申即享) in the system's name; the case's conclusion
  // after approval writes the grant roll, in the case change's transaction before the KPIs.
  people::Principal system;
  system.account.id = "system";
  system.account.kind = people::AccountKind::kStaff;
  system.grants.emplace_back().permissions = {"case.assist", "register.read", "register.read_full"};
  TB_ASSIGN_OR_RETURN(
      grant_cases_, benefits::GrantCases::Create(
                        *db_, *benefits_, *registers_, *cases_,
                        {.submitter = std::move(system), .scenario = "", .next = library_.get()}));
  benefits_->SetGrantHandler(grant_cases_->Handler());
  cases_->SetObserver(grant_cases_.get());
  if (config_.demo) {
    TB_ASSIGN_OR_RETURN(DemoBenefits demo_benefits,
                        LoadDemoBenefits(*benefits_, *registers_, *grant_cases_, *cases_));
    if (demo_benefits.policies > 0) {
      spdlog::info(
          "demo benefits: {} policies, {} runs, {} notices, {} persons generated, {} granted "
          "through their cases ({:.2f} s, the cases {:.2f} s; CPU {:.2f} s)",
          demo_benefits.policies, demo_benefits.runs, demo_benefits.notified,
          demo_benefits.generated, demo_benefits.granted, demo_benefits.seconds,
          demo_benefits.case_seconds, demo_benefits.cpu_seconds);
    }
  }
  return Ok();
}

Result<std::set<std::string>> App::KnownGroups() {
  std::set<std::string> groups;
  TB_ASSIGN_OR_RETURN(people::RoleCatalog roles, people_->ListRoles());
  for (const people::Role& r : roles.roles) groups.insert(r.name);
  TB_ASSIGN_OR_RETURN(std::vector<catalog::Department> departments, catalog_->ListDepartments());
  for (const catalog::Department& d : departments) groups.insert(d.code);
  return groups;
}

void App::StartBackgroundWork() {
  if (!worker_) {
    // 办结出证: the result licences conclusions queued are signed on every poll.
    auto issue_licences = [this](int, int) {
      auto issued = case_licences_->IssueDue();
      if (!issued.ok()) spdlog::warn("result licences: {}", issued.error().ToString());
    };
    worker_ = std::make_unique<WorkflowWorker>(
        *workflow_,
        WorkflowWorker::Options{
            .poll = config_.workflow_poll, .batch = 100, .observer = std::move(issue_licences)});
    worker_->Start();
  }
  if (!invitations_) {
    invitations_ =
        std::make_unique<evaluation::InvitationScheduler>(*evaluation_, std::chrono::hours(1));
    invitations_->Start();
  }
  if (!supervision_scheduler_) {
    supervision_scheduler_ = std::make_unique<SupervisionScheduler>(
        *supervision_, config_.supervision_interval, [this] { (void)cases_->DrainNotices(); });
    supervision_scheduler_->Start();
  }
  if (!demand_sweeper_) {
    demand_sweeper_ = std::make_unique<demands::Sweeper>(*demands_, std::chrono::minutes(5));
    demand_sweeper_->Start();
  }
  if (!project_sweeper_) {
    project_sweeper_ = std::make_unique<projects::Sweeper>(*projects_, std::chrono::minutes(5));
    project_sweeper_->Start();
  }
  if (register_imports_) register_imports_->Start();
  if (!match_scheduler_) {
    match_scheduler_ =
        std::make_unique<benefits::MatchScheduler>(*benefits_, std::chrono::hours(1));
    match_scheduler_->Start();
  }
  if (xregion_ && server_->port() > 0) {
    const auto& o = config_.server;
    const std::string host = o.host == "0.0.0.0" || o.host.empty() ? "127.0.0.1" : o.host;
    Status s = StartXregion(
        *xregion_,
        fmt::format("http{}://{}:{}", o.tls_cert_file.empty() ? "" : "s", host, server_->port()));
    if (!s.ok()) spdlog::error("cross-region exchange not started: {}", s.error().ToString());
  }
  if (checkpointer_) return;
  checkpointer_ = std::make_unique<trace::Checkpointer>(
      *trace_, trace::Checkpointer::Options{.interval = std::chrono::minutes(10), .observer = {}});
  checkpointer_->Start();
}

void App::StopBackgroundWork() {
  if (invitations_) invitations_->Stop();
  if (worker_) worker_->Stop();
  if (supervision_scheduler_) supervision_scheduler_->Stop();
  if (demand_sweeper_) demand_sweeper_->Stop();
  if (project_sweeper_) project_sweeper_->Stop();
  if (match_scheduler_) match_scheduler_->Stop();
  if (register_imports_) register_imports_->Stop();
  if (xregion_) StopXregion(*xregion_);
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
    // Group sealing (cases/sealer.h): SM2 signatures made for the documents sealed ahead.
    const cases::SealCounts seals = cases_->Seals();
    const std::string seal_metrics = fmt::format(
        "# HELP tongban_case_seal_signatures_total SM2 signatures made by the departments' "
        "sealers\n# TYPE tongban_case_seal_signatures_total counter\n"
        "tongban_case_seal_signatures_total {}\n"
        "# HELP tongban_case_sealed_documents_total Case documents the departments' sealers "
        "sealed (one signature per batch)\n# TYPE tongban_case_sealed_documents_total counter\n"
        "tongban_case_sealed_documents_total {}\n",
        seals.batch_signatures, seals.batch_documents);
    res.set_content(server_->metrics().Render() + XregionMetrics(*xregion_->service) + seal_metrics,
                    "text/plain; version=0.0.4");
  });
  api::RegisterPeopleRoutes(s, *people_, *auth_,
                            {.sms_outbox = config_.demo ? sms_.get() : nullptr});
  // The guide's one answer carries the form the form routes pre-fill and the materials' sources.
  api::FormPrefill prefill = api::RegisterFormRoutes(s, *registers_, *catalog_, *auth_,
                                                     {.licences = licence_parts_->licences.get(),
                                                      .reader = id_reader_.get(),
                                                      .card_slot = id_reader_.get()});
  api::RegisterCatalogRoutes(s, *catalog_, *auth_,
                             api::GuideAnswer(*auth_, std::move(prefill), sources_.get()));
  api::RegisterCaseRoutes(s, *cases_, *auth_, [this](const std::string& number) {
    return api::CaseLicenceJson(case_licences_.get(), number);
  });
  if (config_.demo) api::RegisterPaymentSimulatorRoutes(s, *cases_);
  api::RegisterWorkflowRoutes(s, *workflow_, *inspector_, *auth_,
                              {.known_groups = [this] { return KnownGroups(); }});
  api::RegisterLicenceRoutes(s, *licence_parts_->licences, *key_parts_->keys, *auth_,
                             {.public_base_url = config_.public_url});
  api::RegisterRegisterRoutes(s, *registers_, *auth_);
  api::RegisterRegisterImportRoutes(s, *register_imports_, *auth_);
  api::RegisterCalendarRoutes(s, *calendars_, *auth_);
  api::RegisterBenefitRoutes(s, *benefits_, *auth_);
  api::RegisterEvaluationRoutes(s, *evaluation_, *auth_);
  api::RegisterSupervisionRoutes(s, *supervision_, *auth_,
                                 {.after_sweep = [this] { (void)cases_->DrainNotices(); }});
  api::RegisterDemandRoutes(s, *demands_, *auth_);
  api::RegisterProjectRoutes(s, *projects_, *auth_);
  api::RegisterKpiRoutes(s, *kpi_, *auth_);
  api::RegisterAssessmentRoutes(s, *assessment_, *auth_);
  api::RegisterSourceRoutes(s, *sources_, *auth_, case_licences_.get());
  api::RegisterXregionRoutes(s, *xregion_->service, *auth_,
                             {.licence_root = [this]() -> Result<std::string> {
                                TB_ASSIGN_OR_RETURN(keys::StoredCertificate root,
                                                    key_parts_->keys->Root());
                                return root.certificate_pem;
                              },
                              .transport = &xregion_->transport,
                              .licence_register = licence_parts_->licences.get()});
}

}  // namespace tongban::app
