#include "app/xregion_wiring.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "app/app.h"
#include "app/licence_wiring.h"
#include "base/embedded.h"
#include "catalog/service.h"
#include "people/service.h"
#include "people/sms.h"
#include "trace/signing_key.h"

namespace tongban {
extern const EmbeddedFile kXregionDemo[];
extern const size_t kXregionDemo_count;
}  // namespace tongban

namespace tongban::app {

constexpr char kPartnerRegion[] = "360926";
constexpr char kHomeRegion[] = "430181";

// A staff member of the simulated 铜鼓县 installation, acting over its region.
people::Principal PartnerStaff(std::string id, std::vector<std::string> permissions) {
  people::Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant& g = p.grants.emplace_back();
  g.grant.scope.region = kPartnerRegion;
  g.permissions = std::move(permissions);
  return p;
}

// 铜鼓县's installation, simulated: its own database with its own catalog
// (data/xregion/tonggu.yaml), cases and exchange; it receives on its own loopback port. What it
// receives opens as a real case (xregion::CaseBridge), which its clerk and approver take one
// step further every second through CaseService — accept, approve, conclude — each step
// flowing back to 浏阳市 as the case's message. A received case its catalog cannot open stays
// an exchange record, stepped the same way through the exchange.
class SimulatedPartner {
 public:
  static Result<std::unique_ptr<SimulatedPartner>> Create(const std::string& db_file) {
    std::unique_ptr<SimulatedPartner> p(new SimulatedPartner());
    TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl("sqlite:" + db_file));
    TB_ASSIGN_OR_RETURN(p->db_, store::Database::Open(url, {.pool_size = 2}));
    // A whole installation's schema, as a real partner's database has.
    TB_ASSIGN_OR_RETURN(std::vector<store::MigrationSet> sets, App::AllMigrations());
    std::vector<const store::MigrationSet*> pointers;
    pointers.reserve(sets.size());
    for (const store::MigrationSet& set : sets) pointers.push_back(&set);
    TB_ASSIGN_OR_RETURN(int applied, p->db_->Migrate(pointers));
    (void)applied;
    TB_ASSIGN_OR_RETURN(
        p->people_, people::PeopleService::Create(*p->db_, p->sms_, SystemClock::Instance(), {}));
    TB_ASSIGN_OR_RETURN(p->catalog_, catalog::CatalogService::Create(*p->db_));
    if (!p->catalog_->GetLatestMatter("360926-scjgj-0001").ok()) {
      TB_ASSIGN_OR_RETURN(
          catalog::ImportSummary imported,
          p->catalog_->ImportYaml(kXregionDemo[1].contents, {.actor = "demo", .publish = true}));
      (void)imported;
    }
    p->trace_ = std::make_unique<trace::Trace>(*p->db_, trace::Trace::Options{});
    // Its own installation root and department keys, under its own master key file.
    TB_ASSIGN_OR_RETURN(p->keys_, CreateKeyParts(*p->db_, db_file + ".master-keys"));
    TB_ASSIGN_OR_RETURN(
        p->cases_,
        cases::CaseService::Create(*p->db_, *p->catalog_, *p->people_, *p->trace_,
                                   {.data_dir = db_file + ".files", .keys = p->keys_->keys.get()}));
    TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, trace::LoadOrCreateSigningKey(db_file + ".key.pem"));
    TB_ASSIGN_OR_RETURN(p->service_, xregion::Service::Create(*p->db_, key, {}));
    TB_RETURN_IF_ERROR(p->service_->SetIdentity(
        {.region = kPartnerRegion, .name = "铜鼓县（模拟）", .hub = false}));
    p->bridge_ = std::make_unique<xregion::CaseBridge>(*p->service_, *p->cases_, nullptr);
    p->cases_->SetObserver(p->bridge_.get());
    p->http_.Post("/api/v1/xregion/messages", [&svc = *p->service_](const httplib::Request& req,
                                                                    httplib::Response& res) {
      auto out = svc.Receive(req.body);
      if (!out.ok()) {
        res.status = out.error().info().http_status;
        res.set_content(out.error().ToString(), "text/plain");
        return;
      }
      res.set_content(fmt::format(R"({{"status":"{}"}})", xregion::ReceiveStatusName(out->status)),
                      "application/json");
    });
    p->port_ = p->http_.bind_to_any_port("127.0.0.1");
    if (p->port_ <= 0) return Error(ErrorCode::kUnavailable, "the simulated partner cannot bind");
    return p;
  }

  ~SimulatedPartner() { Stop(); }
  xregion::Service& service() { return *service_; }
  cases::CaseService& cases() { return *cases_; }
  std::string url() const { return fmt::format("http://127.0.0.1:{}", port_); }

  Status Start(const std::string& home_url, const std::string& home_key_pem) {
    TB_RETURN_IF_ERROR(service_->PutPartner({.region = kHomeRegion,
                                             .name = "浏阳市",
                                             .base_url = home_url,
                                             .public_key = home_key_pem,
                                             .hub = false,
                                             .via = ""}));
    worker_ = std::make_unique<xregion::DeliveryWorker>(*service_, transport_,
                                                        std::chrono::milliseconds(1000));
    worker_->Start();
    listener_ = std::thread([this] { http_.listen_after_bind(); });
    clerk_ = std::thread([this] { Clerk(); });
    return Ok();
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (clerk_.joinable()) clerk_.join();
    http_.stop();
    if (listener_.joinable()) listener_.join();
    if (worker_) worker_->Stop();
  }

 private:
  SimulatedPartner() = default;

  // One step of a case opened here, by the clerk (accept) or the approver (approve, conclude:
  // 受审分离). True when it moved.
  bool StepCase(const std::string& number) {
    auto c = cases_->Read(number);
    if (!c.ok()) return false;
    const cases::Step step{.expected_version = std::nullopt, .note = "铜鼓县（模拟）窗口"};
    Result<cases::Case> r = Error(ErrorCode::kConflict, "nothing to do");
    switch (c->state) {
      case cases::CaseState::kSubmitted:
        r = cases_->Accept(clerk_principal_, number, step);
        break;
      case cases::CaseState::kUnderReview:
        r = cases_->Approve(approver_principal_, number, step);
        break;
      case cases::CaseState::kApproved:
      case cases::CaseState::kDenied:
        r = cases_->Conclude(approver_principal_, number, step);
        break;
      default:
        return false;
    }
    if (!r.ok()) {
      spdlog::warn("demo partner: case {} not stepped: {}", number, r.error().ToString());
    }
    return r.ok();
  }

  void Clerk() {
    const std::pair<const char*, const char*> kNext[] = {
        {"forwarded", "accept"}, {"accepted", "approve"}, {"approved", "conclude"}};
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
      auto opened = bridge_->OpenPending();
      if (!opened.ok()) {
        spdlog::warn("demo partner: opening received cases: {}", opened.error().ToString());
      }
      bool stepped = false;
      for (const char* role : {"handling", "part"}) {
        for (auto [state, step] : kNext) {
          auto cases = service_->List(role, state, 20);
          if (!cases.ok()) continue;
          for (const auto& c : *cases) {
            if (!c.case_number.empty()) {
              stepped = StepCase(c.case_number) || stepped;
              continue;
            }
            if (c.open_error.empty()) continue;  // not opened yet: the next round opens it
            auto r = service_->Step(
                c.ref, {.step = step,
                        .note = "铜鼓县（模拟）窗口",
                        .result = std::string(step) == "approve" ? "准予（模拟办理地决定）" : "",
                        .tracking_number = "",
                        .actor = "simulated-clerk"});
            stepped = stepped || r.ok();
          }
        }
      }
      if (stepped) worker_->Wake();
    }
  }

  std::unique_ptr<store::Database> db_;
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<KeyParts> keys_;  // before cases_
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<xregion::Service> service_;
  std::unique_ptr<xregion::CaseBridge> bridge_;
  people::Principal clerk_principal_ =
      PartnerStaff("tonggu.window_clerk", {"case.accept", "case.read"});
  people::Principal approver_principal_ =
      PartnerStaff("tonggu.approver", {"case.approve", "case.read"});
  api::HttpTransport transport_;
  std::unique_ptr<xregion::DeliveryWorker> worker_;
  httplib::Server http_;
  int port_ = 0;
  std::thread listener_, clerk_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

XregionParts::XregionParts() = default;
void XregionParts::Wake() const {
  if (worker) worker->Wake();
}
XregionParts::~XregionParts() { StopXregion(*this); }

Result<std::unique_ptr<XregionParts>> CreateXregionParts(store::Database& db, trace::Trace& trace,
                                                         cases::CaseService& cases,
                                                         cases::CaseObserver* observer,
                                                         const std::string& signing_key_path,
                                                         bool demo,
                                                         const std::string& demo_dir_file) {
  auto parts = std::make_unique<XregionParts>();
  TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, trace::LoadOrCreateSigningKey(signing_key_path));
  XregionParts* raw = parts.get();
  TB_ASSIGN_OR_RETURN(parts->service,
                      xregion::Service::Create(db, std::move(key),
                                               {.trace = &trace,
                                                .on_enqueue = [raw] { raw->Wake(); },
                                                .on_received = [raw] { raw->Wake(); }}));
  parts->worker = std::make_unique<xregion::DeliveryWorker>(*parts->service, parts->transport,
                                                            std::chrono::milliseconds(2000));
  parts->bridge = std::make_unique<xregion::CaseBridge>(*parts->service, cases, observer);
  cases.SetObserver(parts->bridge.get());
  parts->worker->SetEachRound([raw] {
    auto opened = raw->bridge->OpenPending();
    if (!opened.ok())
      spdlog::warn("xregion: opening received cases: {}", opened.error().ToString());
  });
  if (!demo) return parts;
  // Environment switch for tests that run several demo servers as separate installations.
  if (const char* off = std::getenv("TONGBAN_XREGION_DEMO"); off && std::string(off) == "0") {
    return parts;
  }
  if (!parts->service->GetIdentity().ok()) {
    TB_ASSIGN_OR_RETURN(int agreements, parts->service->LoadYaml(kXregionDemo[0].contents));
    spdlog::info("demo cross-region agreements: {} loaded", agreements);
  }
  parts->partner_db = demo_dir_file + ".xregion-partner.db";
  TB_ASSIGN_OR_RETURN(parts->partner, SimulatedPartner::Create(parts->partner_db));
  // 铜鼓县 is reached at the simulated installation, with its key.
  auto partners = parts->service->ListPartners();
  if (!partners.ok()) return std::move(partners).error();
  TB_ASSIGN_OR_RETURN(std::string partner_key, parts->partner->service().key().PublicPem());
  for (xregion::Partner p : *partners) {
    if (p.region != kPartnerRegion) continue;
    p.base_url = parts->partner->url();
    p.public_key = partner_key;
    TB_RETURN_IF_ERROR(parts->service->PutPartner(p));
  }
  return parts;
}

Status StartXregion(XregionParts& parts, const std::string& own_url) {
  parts.worker->Start();
  if (parts.partner) {
    TB_ASSIGN_OR_RETURN(std::string own_key, parts.service->key().PublicPem());
    TB_RETURN_IF_ERROR(parts.partner->Start(own_url, own_key));
    spdlog::info("demo: simulated partner 铜鼓县 360926 at {} ({})", parts.partner->url(),
                 parts.partner_db);
  }
  return Ok();
}

std::string XregionMetrics(xregion::Service& service) { return xregion::Metrics(service); }

void StopXregion(XregionParts& parts) {
  if (parts.partner) parts.partner->Stop();
  if (parts.worker) parts.worker->Stop();
}

}  // namespace tongban::app
