#include "app/xregion_wiring.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "base/embedded.h"
#include "trace/signing_key.h"

namespace tongban {
extern const EmbeddedFile kXregionDemo[];
extern const size_t kXregionDemo_count;
}  // namespace tongban

namespace tongban::app {

constexpr char kPartnerRegion[] = "360926";
constexpr char kHomeRegion[] = "430181";

// 铜鼓县's installation, simulated: receives on its own loopback port, and its clerk takes each
// received case one step further every second (accept, approve with a result, conclude).
class SimulatedPartner {
 public:
  static Result<std::unique_ptr<SimulatedPartner>> Create(const std::string& db_file) {
    std::unique_ptr<SimulatedPartner> p(new SimulatedPartner());
    TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl("sqlite:" + db_file));
    TB_ASSIGN_OR_RETURN(p->db_, store::Database::Open(url, {.pool_size = 2}));
    TB_ASSIGN_OR_RETURN(store::MigrationSet set, xregion::Migrations());
    const store::MigrationSet* sets[] = {&set};
    TB_ASSIGN_OR_RETURN(int applied, p->db_->Migrate(sets));
    (void)applied;
    TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, trace::LoadOrCreateSigningKey(db_file + ".key.pem"));
    TB_ASSIGN_OR_RETURN(p->service_, xregion::Service::Create(*p->db_, key, {}));
    TB_RETURN_IF_ERROR(p->service_->SetIdentity(
        {.region = kPartnerRegion, .name = "铜鼓县（模拟）", .hub = false}));
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

  void Clerk() {
    const std::pair<const char*, const char*> kNext[] = {
        {"forwarded", "accept"}, {"accepted", "approve"}, {"approved", "conclude"}};
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
      bool stepped = false;
      for (const char* role : {"handling", "part"}) {
        for (auto [state, step] : kNext) {
          auto cases = service_->List(role, state, 20);
          if (!cases.ok()) continue;
          for (const auto& c : *cases) {
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
  std::unique_ptr<xregion::Service> service_;
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
void XregionParts::Wake() {
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
