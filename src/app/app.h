// The composition root shared by `tongban serve` and the HTTP tests: opens the database,
// migrates it, builds the capability services and registers their routes on one server.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "api/auth.h"
#include "api/server.h"
#include "app/config.h"
#include "app/licence_wiring.h"
#include "app/supervision_scheduler.h"
#include "app/workflow_worker.h"
#include "app/xregion_wiring.h"
#include "assessment/service.h"
#include "benefits/benefits.h"
#include "benefits/grant_cases.h"
#include "benefits/match_scheduler.h"
#include "bpmn/inspect.h"
#include "bpmn/runtime.h"
#include "calendars/service.h"
#include "cases/service.h"
#include "catalog/service.h"
#include "demands/service.h"
#include "demands/sweeper.h"
#include "devices/id_card_reader.h"
#include "devices/rating_device.h"
#include "evaluation/scheduler.h"
#include "evaluation/service.h"
#include "kpi/service.h"
#include "people/service.h"
#include "people/sms.h"
#include "projects/case_link.h"
#include "projects/service.h"
#include "projects/sweeper.h"
#include "registers/import_jobs.h"
#include "registers/register.h"
#include "sources/auto_decision.h"
#include "sources/case_licences.h"
#include "sources/library.h"
#include "sources/service.h"
#include "store/database.h"
#include "supervision/service.h"
#include "trace/checkpointer.h"
#include "trace/trace.h"

namespace tongban::app {

class App {
 public:
  // Opens and migrates the database, loads (or at first start generates) the installation's
  // signing key and registers every route. Does not bind yet.
  static Result<std::unique_ptr<App>> Create(const Config& config);
  ~App();

  store::Database& db() { return *db_; }
  api::Server& server() { return *server_; }
  trace::Trace& trace() { return *trace_; }
  // The signing key file in use (config.signing_key or the default beside the database).
  const std::string& signing_key_path() const { return signing_key_path_; }

  // Starts the server's background work: the trace checkpoint thread (every 10 minutes) and the
  // workflow worker (due timers and runnable jobs, every config.workflow_poll when idle).
  void StartBackgroundWork();
  // Stops it: the workflow worker finishes its round, the checkpoint thread signs the last heads
  // before it ends. Also run on destruction.
  void StopBackgroundWork();
  const Config& config() const { return config_; }
  people::PeopleService& people() { return *people_; }
  catalog::CatalogService& catalog() { return *catalog_; }
  cases::CaseService& cases() { return *cases_; }
  kpi::KpiService& kpi() { return *kpi_; }
  // The durable workflow runtime (platform actions registered) and its read side.
  bpmn::Runtime& workflow() { return *workflow_; }
  bpmn::Inspector& workflow_inspector() { return *inspector_; }
  // The roles of the role catalog and the department codes of the catalog: the candidate groups
  // a deployment may name.
  Result<std::set<std::string>> KnownGroups();
  // The SMS adapter in use (the simulator until a real gateway is configured).
  people::SimulatedSmsGateway& sms() { return *sms_; }
  licences::LicenceService& licences() { return *licence_parts_->licences; }
  keys::KeyStore& keys() { return *key_parts_->keys; }
  // Bearer-token authentication and permission/scope checks for every route.
  const api::Auth& auth() const { return *auth_; }
  registers::Registers& registers() { return *registers_; }
  supervision::SupervisionService& supervision() { return *supervision_; }
  demands::DemandService& demands() { return *demands_; }
  projects::ProjectService& projects() { return *projects_; }  // 工程建设项目审批
  // The demo's simulated ID-card reader (nullptr outside the demo: no reader configured).
  devices::SimulatedIdCardReader* id_reader() { return id_reader_.get(); }
  // 好差评: ratings, rectification, statistics; the demo's simulated rating device (or null).
  evaluation::EvaluationService& evaluation() { return *evaluation_; }
  devices::SimulatedRatingDevice* rating_device() { return rating_device_.get(); }
  // 跨省通办: partners, agreements, the signed-message exchange and cross-region cases.
  xregion::Service& xregion() { return *xregion_->service; }

  // The migration sets of every module, in dependency order.
  static Result<std::vector<store::MigrationSet>> AllMigrations();

 private:
  App() = default;
  void RegisterRoutes();
  Status CreateRegisters(const store::DatabaseUrl& url);
  Status CreateEvaluation();

  Config config_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::SimulatedSmsGateway> sms_;  // the only SMS adapter shipped so far
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<api::Auth> auth_;
  class CatalogTrace;
  std::unique_ptr<Calendar> calendar_;  // national; every due day is counted in it
  std::unique_ptr<calendars::CalendarService> calendars_;
  std::unique_ptr<CatalogTrace> catalog_trace_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<bpmn::Runtime> workflow_;
  std::unique_ptr<bpmn::Inspector> inspector_;
  std::unique_ptr<WorkflowWorker> worker_;
  std::unique_ptr<api::Server> server_;
  std::string signing_key_path_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<trace::Checkpointer> checkpointer_;
  std::unique_ptr<KeyParts> key_parts_;  // the departments' e-seals: before cases_
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<kpi::KpiService> kpi_;  // the case observer: declared after cases_
  std::unique_ptr<LicenceParts> licence_parts_;
  std::unique_ptr<registers::Registers> registers_;
  std::unique_ptr<registers::ImportJobs> register_imports_;  // 批量导入: one worker thread
  std::unique_ptr<benefits::Benefits> benefits_;  // 免申即享: policies, runs, the grant roll
  // Proactive grant cases: the case observer (hands on to kpi_), after benefits_ and kpi_.
  std::unique_ptr<benefits::GrantCases> grant_cases_;
  std::unique_ptr<benefits::MatchScheduler> match_scheduler_;  // hourly RunDue
  std::unique_ptr<devices::SimulatedIdCardReader> id_reader_;
  std::unique_ptr<devices::SimulatedRatingDevice> rating_device_;
  std::unique_ptr<evaluation::EvaluationService> evaluation_;
  std::unique_ptr<evaluation::InvitationScheduler> invitations_;
  std::unique_ptr<supervision::SupervisionService> supervision_;  // 电子监察
  std::unique_ptr<SupervisionScheduler> supervision_scheduler_;
  std::unique_ptr<demands::DemandService> demands_;  // 诉求 / 工单
  std::unique_ptr<demands::Sweeper> demand_sweeper_;
  std::unique_ptr<projects::ProjectService> projects_;  // 工程建设项目审批
  std::unique_ptr<projects::Sweeper> project_sweeper_;
  std::unique_ptr<projects::CaseLink> project_cases_;          // a stage's matters as cases
  std::unique_ptr<assessment::AssessmentService> assessment_;  // 绩效考核
  // The cases' submission hook: declared after cases_, licence_parts_ and registers_.
  std::unique_ptr<sources::SourceService> sources_;
  std::unique_ptr<sources::MaterialsLibrary> library_;    // 材料库, just before the KPIs
  std::unique_ptr<sources::CaseLicences> case_licences_;  // 办结出证: first in the observer chain
  std::unique_ptr<sources::AutoDecisions> auto_decisions_;  // 秒批: the submission hook
  std::unique_ptr<XregionParts> xregion_;  // 跨省通办: exchange, delivery thread, demo partner
};

}  // namespace tongban::app
