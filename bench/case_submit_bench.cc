// Submission throughput and latency over HTTP against a running `tongban serve --demo`: N client
// threads, each with one keep-alive connection, submit a demo application (every material given
// by e-licence reference, a fresh Idempotency-Key each) and, with --accept, a window clerk
// accepts it. Closed loop (as fast as the server answers) or, with --rate R, open loop at R
// submissions/s in total, each latency measured from its scheduled start (so a stall delays the
// requests queued behind it and counts against them). Prints one JSON line. With --server-pid,
// also the server process's CPU time (user + system, /proc/PID/stat) per acknowledged case: the
// figure that does not depend on what else the machine runs. With --timeline, also the cases
// completed in each 250 ms of the run (a stall shows as a run of zeros). When the server's
// /metrics counts group sealing (tongban_case_seal_signatures_total, …_sealed_documents_total),
// also the SM2 signatures its sealers made per 1,000 acknowledged cases (-1 when it does not
// count them).
// Usage: case_submit_bench PORT [--threads 16] [--seconds 10] [--rate 0] [--accept]
//        [--server-pid PID] [--timeline]
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include <unistd.h>
#include <vector>

namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

std::string Login(int port, const json& who) {
  httplib::Client c("127.0.0.1", port);
  json body = who;
  body["password"] = "tongban-demo";
  auto res = c.Post("/api/v1/sessions", body.dump(), "application/json");
  if (!res || res->status != 201) {
    fmt::print(stderr, "login failed: {}\n", res ? res->body : "no answer");
    std::exit(1);
  }
  return json::parse(res->body)["token"].get<std::string>();
}

// User + system CPU seconds of process `pid` so far; 0 when it cannot be read.
double ProcessCpuSeconds(long pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (pid <= 0 || !std::getline(in, line)) return 0;
  // Fields after the command name (which may hold spaces) start at its closing parenthesis:
  // state is field 3, utime 14, stime 15.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::atof(field.c_str());
    if (i == 15) stime = std::atof(field.c_str());
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The value of counter `name` in the server's /metrics; -1 when it has none.
double Counter(int port, const std::string& name) {
  httplib::Client c("127.0.0.1", port);
  auto res = c.Get("/metrics");
  if (!res || res->status != 200) return -1;
  std::istringstream lines(res->body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with(name + " ")) return std::atof(line.c_str() + name.size() + 1);
  }
  return -1;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr,
               "usage: case_submit_bench PORT [--threads N] [--seconds S] [--rate R] "
               "[--accept]\n");
    return 2;
  }
  const int port = std::atoi(argv[1]);
  int threads = 16;
  double seconds = 10, rate = 0;
  bool accept = false, timeline = false;
  long server_pid = 0;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    if (a == "--seconds" && i + 1 < argc) seconds = std::atof(argv[++i]);
    if (a == "--rate" && i + 1 < argc) rate = std::atof(argv[++i]);
    if (a == "--accept") accept = true;
    if (a == "--timeline") timeline = true;
    if (a == "--server-pid" && i + 1 < argc) server_pid = std::atol(argv[++i]);
  }
  const std::string citizen = Login(port, {{"id_number", "431128199001010379"}});
  const std::string clerk = Login(port, {{"username", "xintian.window_clerk"}});
  const std::string body = json{{"matter", "11431128MB17038839200113007000001"},
                                {"channel", "online"},
                                {"form", {{"employment_status", "失业"}}},
                                {"materials",
                                 {{{"name", "申请人居民身份证"},
                                   {"state", "provided"},
                                   {"origin", "licence"},
                                   {"reference", "bench-id-card"}},
                                  {{"name", "近期免冠照片"},
                                   {"state", "provided"},
                                   {"origin", "licence"},
                                   {"reference", "bench-photo"}}}}}
                               .dump();
  const auto run_id = std::chrono::system_clock::now().time_since_epoch().count();
  std::mutex mu;
  std::vector<double> latencies;  // ms: submit (+ accept)
  std::atomic<long> done{0}, failed{0};
  const double signatures_before = Counter(port, "tongban_case_seal_signatures_total");
  const double sealed_before = Counter(port, "tongban_case_sealed_documents_total");
  const double cpu_before = ProcessCpuSeconds(server_pid);
  const auto start = SteadyClock::now();
  const auto end = start + std::chrono::duration_cast<SteadyClock::duration>(
                               std::chrono::duration<double>(seconds));
  std::vector<long> completed;  // --timeline: cases done at each 250 ms mark
  std::thread sampler;
  if (timeline) {
    sampler = std::thread([&] {
      for (auto at = start + std::chrono::milliseconds(250); at <= end + std::chrono::seconds(30);
           at += std::chrono::milliseconds(250)) {
        std::this_thread::sleep_until(at);
        completed.push_back(done.load());
        if (at >= end) break;
      }
    });
  }
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", port);
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);  // else Nagle + delayed ACK add ~40 ms to each POST
      c.set_read_timeout(30);
      std::vector<double> mine;
      // Open loop: this thread's share of the rate, starting at an offset.
      const double interval_s = rate > 0 ? threads / rate : 0;
      auto next = start + std::chrono::duration_cast<SteadyClock::duration>(
                              std::chrono::duration<double>(interval_s * t / threads));
      for (long i = 0;; ++i) {
        if (rate > 0) {
          if (next >= end) break;
          std::this_thread::sleep_until(next);
        } else if (SteadyClock::now() >= end) {
          break;
        }
        const auto t0 = rate > 0 ? next : SteadyClock::now();
        if (rate > 0) {
          next += std::chrono::duration_cast<SteadyClock::duration>(
              std::chrono::duration<double>(interval_s));
        }
        const std::string key = fmt::format("bench-{}-{}-{}", run_id, t, i);
        auto res = c.Post("/api/v1/cases",
                          {{"Authorization", "Bearer " + citizen}, {"Idempotency-Key", key}}, body,
                          "application/json");
        if (!res || res->status != 201) {
          ++failed;
          if (failed < 5) {
            fmt::print(stderr, "submit: {}\n",
                       res ? res->body : "no answer: " + httplib::to_string(res.error()));
          }
          continue;
        }
        if (accept) {
          const std::string number = json::parse(res->body)["number"].get<std::string>();
          auto acc = c.Post("/api/v1/cases/" + number + "/accept",
                            {{"Authorization", "Bearer " + clerk}}, "{}", "application/json");
          if (!acc || acc->status != 200) {
            ++failed;
            if (failed < 5) {
              fmt::print(stderr, "accept: {}\n",
                         acc ? acc->body : "no answer: " + httplib::to_string(acc.error()));
            }
            continue;
          }
        }
        mine.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
        ++done;
      }
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& w : workers) w.join();
  if (sampler.joinable()) sampler.join();
  const double elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
  const double server_cpu_s = ProcessCpuSeconds(server_pid) - cpu_before;
  const double signatures_after = Counter(port, "tongban_case_seal_signatures_total");
  const double sealed_after = Counter(port, "tongban_case_sealed_documents_total");
  const bool counted = signatures_before >= 0 && signatures_after >= 0 && done.load() > 0;
  fmt::print(
      "{{\"threads\":{},\"rate\":{},\"accept\":{},\"seconds\":{:.1f},\"cases\":{},\"failed\":{},"
      "\"cases_per_s\":{:.0f},\"p50_ms\":{:.2f},\"p99_ms\":{:.2f},\"max_ms\":{:.2f},"
      "\"server_cpu_s\":{:.2f},\"server_cpu_ms_per_case\":{:.3f},\"seal_signatures\":{:.0f},"
      "\"sealed_documents\":{:.0f},\"signatures_per_1000_cases\":{:.1f}}}\n",
      threads, rate, accept, elapsed, done.load(), failed.load(), done.load() / elapsed,
      Percentile(latencies, 0.5), Percentile(latencies, 0.99), Percentile(latencies, 1.0),
      server_cpu_s, done.load() > 0 ? 1000 * server_cpu_s / static_cast<double>(done.load()) : 0,
      counted ? signatures_after - signatures_before : -1,
      counted ? sealed_after - sealed_before : -1,
      counted ? 1000 * (signatures_after - signatures_before) / static_cast<double>(done.load())
              : -1.0);
  if (timeline) {
    std::string per;
    for (size_t i = 0; i < completed.size(); ++i) {
      per += fmt::format("{}{}", i == 0 ? "" : ",", completed[i] - (i == 0 ? 0 : completed[i - 1]));
    }
    fmt::print("{{\"per_250ms\":[{}]}}\n", per);
  }
  return failed.load() == 0 ? 0 : 1;
}
