// Cross-region exchange (issue 11): messages/s between two installations, each with its own
// database (durable outbox and inbox, the hash-chained log), over HTTP on loopback; the SM2
// sign + verify ceiling measured in the same run; and the end-to-end latency of a forwarded case
// with the delivery thread running (from Forward returning in the receiving installation to the
// case applied in the handling installation's inbox), p50/p99. Prints one JSON line.
// Usage: xregion_bench [messages=2000] [latency_cases=200] [db_dir=/tmp]
#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "crypto/sm2.h"
#include "store/database.h"
#include "xregion/service.h"
#include "xregion/worker.h"

namespace {

namespace xregion = tongban::xregion;
using Wall = std::chrono::steady_clock;
using tongban::bench::Must;
using tongban::bench::Percentile;
using tongban::bench::ProcessCpuSeconds;

double Seconds(Wall::time_point a, Wall::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

class HttpTransport : public xregion::Transport {
 public:
  xregion::PostAnswer Post(const std::string& base_url, const std::string& body) override {
    httplib::Client client(base_url);
    auto res = client.Post("/api/v1/xregion/messages", body, "application/json");
    if (!res) return {.status = 0, .body = ""};
    return {.status = res->status, .body = res->body};
  }
};

// One installation: its database file, its exchange, its inbox listener.
struct Installation {
  std::unique_ptr<tongban::store::Database> db;
  std::unique_ptr<xregion::Service> service;
  httplib::Server http;
  std::thread listener;
  int port = 0;
  std::mutex mu;
  std::condition_variable cv;
  int64_t applied = 0;

  void Open(const std::string& file, const std::string& region, const std::string& name) {
    std::filesystem::remove(file);
    std::filesystem::remove(file + "-wal");
    std::filesystem::remove(file + "-shm");
    auto url = Must(tongban::store::ParseDatabaseUrl("sqlite:" + file), "url");
    db = Must(tongban::store::Database::Open(url, {.pool_size = 4}), "open");
    auto set = Must(xregion::Migrations(), "migrations");
    const tongban::store::MigrationSet* sets[] = {&set};
    (void)Must(db->Migrate(sets), "migrate");
    service = Must(xregion::Service::Create(*db, Must(tongban::crypto::Sm2Key::Generate(), "key"),
                                            {.on_received =
                                                 [this] {
                                                   std::lock_guard lock(mu);
                                                   ++applied;
                                                   cv.notify_all();
                                                 }}),
                   "service");
    Must(service->SetIdentity({.region = region, .name = name, .hub = false}), "identity");
    http.Post("/api/v1/xregion/messages",
              [this](const httplib::Request& req, httplib::Response& res) {
                auto out = service->Receive(req.body);
                if (!out.ok()) {
                  res.status = out.error().info().http_status;
                  res.set_content(out.error().ToString(), "text/plain");
                  return;
                }
                res.set_content("{}", "application/json");
              });
    port = http.bind_to_any_port("127.0.0.1");
    listener = std::thread([this] { http.listen_after_bind(); });
  }
  std::string Url() const { return fmt::format("http://127.0.0.1:{}", port); }
  void Stop() {
    http.stop();
    if (listener.joinable()) listener.join();
  }
};

}  // namespace

int main(int argc, char** argv) {
  const int messages = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int latency_cases = argc > 2 ? std::atoi(argv[2]) : 200;
  const std::string dir = argc > 3 ? argv[3] : "/tmp";
  Installation home, far;
  home.Open(dir + "/xregion-bench-home.db", "430181", "浏阳市");
  far.Open(dir + "/xregion-bench-far.db", "360926", "铜鼓县");
  Must(home.service->PutPartner({.region = "360926",
                                 .name = "铜鼓县",
                                 .base_url = far.Url(),
                                 .public_key = Must(far.service->Certificate(), "cert"),
                                 .hub = false,
                                 .via = ""}),
       "partner");
  Must(far.service->PutPartner({.region = "430181",
                                .name = "浏阳市",
                                .base_url = home.Url(),
                                .public_key = Must(home.service->Certificate(), "cert"),
                                .hub = false,
                                .via = ""}),
       "partner");
  Must(home.service->PutAgreement({.id = "ly-tg",
                                   .partner = "360926",
                                   .mode = xregion::Mode::kProxy,
                                   .title = "浏阳—铜鼓 异地代收代办",
                                   .matters = {{.matter = "360926-scjgj-0001",
                                                .name = "个体工商户设立登记",
                                                .handling_region = "360926"}}}),
       "agreement");
  auto forward = [&](int i) {
    return Must(
        home.service->Forward({.mode = xregion::Mode::kProxy,
                               .matter = "360926-scjgj-0001",
                               .applicant_name = fmt::format("申请人{}", i),
                               .applicant_code = "430181199001011233",
                               .form = {{"business_name", fmt::format("浏阳小店{}", i)}},
                               .materials = {{.name = "身份证", .bytes = fmt::format("ID{}", i)}},
                               .delivery = "window",
                               .actor = "bench"}),
        "forward");
  };

  // 1. The ceiling: one SM2 sign + verify of an envelope-sized message, CPU per pair.
  const auto key = Must(tongban::crypto::Sm2Key::Generate(), "key");
  const std::string sample(600, 'x');
  const int pairs = 500;
  double cpu0 = ProcessCpuSeconds();
  for (int i = 0; i < pairs; ++i) {
    auto sig = Must(key.Sign(sample + std::to_string(i)), "sign");
    if (!Must(key.Verify(sample + std::to_string(i), sig), "verify")) std::exit(1);
  }
  const double sm2_pair_ms = (ProcessCpuSeconds() - cpu0) * 1000 / pairs;
  const double ceiling = 1000.0 / sm2_pair_ms;

  // 2. Throughput: `messages` cases forwarded (each writes its signed envelope to the outbox in
  // its transaction), then delivered over HTTP (a fresh hop stamp each, verified twice and
  // stored with its log entry and applied on the other side), until the outbox is empty.
  HttpTransport transport;
  auto t0 = Wall::now();
  cpu0 = ProcessCpuSeconds();
  for (int i = 0; i < messages; ++i) (void)forward(i);
  auto t1 = Wall::now();
  const double enqueue_cpu = ProcessCpuSeconds() - cpu0;
  int delivered = 0;
  while (delivered < messages) {
    auto round = Must(home.service->DeliverDue(transport), "deliver");
    if (round.delivered == 0 && round.failed + round.dead > 0) {
      fmt::print(stderr, "delivery stalled: {} failed, {} dead\n", round.failed, round.dead);
      return 1;
    }
    delivered += round.delivered;
  }
  auto t2 = Wall::now();
  const double total_cpu = ProcessCpuSeconds() - cpu0;
  const double total_s = Seconds(t0, t2);
  const double rate = messages / total_s;
  const double cpu_per_message_ms = total_cpu * 1000 / messages;

  // 3. Latency of a forwarded case, with the delivery thread running (woken by each change).
  xregion::DeliveryWorker worker(*home.service, transport, std::chrono::milliseconds(1000));
  worker.Start();
  std::vector<double> latencies_ms;
  for (int i = 0; i < latency_cases; ++i) {
    int64_t before = 0;
    {
      std::lock_guard lock(far.mu);
      before = far.applied;
    }
    auto start = Wall::now();
    (void)forward(messages + i);
    worker.Wake();
    std::unique_lock lock(far.mu);
    if (!far.cv.wait_for(lock, std::chrono::seconds(30), [&] { return far.applied > before; })) {
      fmt::print(stderr, "case {} did not arrive within 30 s\n", i);
      return 1;
    }
    latencies_ms.push_back(Seconds(start, Wall::now()) * 1000);
  }
  worker.Stop();
  const auto handled = Must(far.service->List("handling", "", 500), "list");
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) < 0) load[0] = -1;
  fmt::print(
      "{{\"messages\": {}, \"seconds\": {:.3f}, \"enqueue_seconds\": {:.3f}, "
      "\"deliver_seconds\": {:.3f}, \"messages_per_s\": {:.1f}, \"cpu_ms_per_message\": {:.3f}, "
      "\"enqueue_cpu_ms_per_message\": {:.3f}, \"sm2_sign_verify_cpu_ms\": {:.3f}, "
      "\"sm2_ceiling_per_s\": {:.1f}, \"ratio_to_ceiling\": {:.3f}, \"latency_cases\": {}, "
      "\"latency_p50_ms\": {:.2f}, \"latency_p99_ms\": {:.2f}, \"latency_max_ms\": {:.2f}, "
      "\"handled_listed\": {}, \"load_average\": {:.2f}}}\n",
      messages, total_s, Seconds(t0, t1), Seconds(t1, t2), rate, cpu_per_message_ms,
      enqueue_cpu * 1000 / messages, sm2_pair_ms, ceiling, rate / ceiling, latency_cases,
      Percentile(latencies_ms, 0.5), Percentile(latencies_ms, 0.99), Percentile(latencies_ms, 1.0),
      handled.size(), load[0]);
  home.Stop();
  far.Stop();
  return 0;
}
