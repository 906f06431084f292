// What material sources add to a submission (四个一批 resolved at submission, src/sources): the
// demo's 残疾人两项补贴 application by 周德华 (授权用证 "*": the 残疾人证 fetched, the 低保
// certificate fetched once answered, the rest committed or uploaded) submitted through
// CaseService::Submit as the HTTP route calls it, alternately with the sources hook and without
// it. The hook's extra work per submission: the person register read (decrypting the sealed
// fields, traced with its purpose), the jurisdiction rule (compiled once per matter version),
// the applicant's licences by holder, the certificate list and licence types, one library
// lookup per material not fetched, and the resolution and trace rows in the submission's
// transaction. Per round and mode: wall and thread-CPU time per submission, p50/p99; one JSON
// line each, then the medians over the rounds.
// Usage: register_sources_bench DIR [submissions per round=200] [rounds=5]
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "app/app.h"
#include "people/repository.h"
#include "sources/service.h"

namespace {

using namespace tongban;
using SteadyClock = std::chrono::steady_clock;

constexpr char kCitizen[] = "432930195507020150";  // 周德华, the demo's applicant
constexpr char kTwoSubsidies[] = "11431128MB17048517050103021000001";  // 残疾人两项补贴

template <typename T>
T Must(Result<T> r, std::string_view what) {
  if (!r.ok()) {
    fmt::print(stderr, "{}: {}\n", what, r.error().ToString());
    std::exit(1);
  }
  return std::move(r).value();
}

double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double Median(std::vector<double> v) { return Percentile(std::move(v), 0.5); }

people::Principal Citizen(store::Database& db) {
  auto repo = Must(people::PeopleRepository::Create(db.backend()), "repository");
  return Must(
      db.Transaction<people::Principal>(store::TxKind::kRead,
                                        [&](soci::session& sql) -> Result<people::Principal> {
                                          auto account = repo.FindAccountByIdNumber(sql, kCitizen);
                                          if (!account)
                                            return Error(ErrorCode::kNotFound, "no demo citizen");
                                          people::Principal p;
                                          p.account = std::move(account->account);
                                          p.grants = repo.ListHeldGrants(sql, p.account.id);
                                          return p;
                                        }),
      "citizen");
}

struct Figures {
  double wall_p50 = 0, wall_p99 = 0, cpu_p50 = 0, cpu_p99 = 0, cpu_mean = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: register_sources_bench DIR [submissions] [rounds]\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const int n = argc > 2 ? std::atoi(argv[2]) : 200;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SetLogLevel(LogLevel::kWarn);
  app::Config config;
  config.db_url = "sqlite:" + (dir / "sources.db").string();
  config.signing_key = (dir / "signing.pem").string();
  config.master_key = (dir / "master.key").string();
  config.demo = true;
  auto a = Must(app::App::Create(config), "app");
  // The same service the application wires as the hook, held here to switch it on and off.
  auto hook = Must(sources::SourceService::Create(a->db(), a->catalog(), a->cases(), a->licences(),
                                                  a->registers(), a->trace(), {}),
                   "sources");
  const people::Principal citizen = Citizen(a->db());
  const cases::SubmitRequest request{.matter = kTwoSubsidies,
                                     .scenario = "apply",
                                     .form = {{"disability_card_no", std::string(kCitizen) + "42"},
                                              {"disability_level", "二级"},
                                              {"disability_category", "肢体"},
                                              {"subsidy_type", "两项补贴"},
                                              {"bank_account", "6217000000000000000"},
                                              {"by_agent", "false"},
                                              {"contact_phone", "13800000002"}},
                                     .authorised_licences = {"*"}};
  std::map<std::string, std::vector<Figures>> by_mode;
  for (int round = 0; round < rounds; ++round) {
    for (const bool with_hook : {round % 2 == 0, round % 2 != 0}) {
      a->cases().SetSubmissionHook(with_hook ? hook.get() : nullptr);
      std::vector<double> wall, cpu;
      wall.reserve(n);
      cpu.reserve(n);
      for (int i = 0; i < n; ++i) {
        const auto t0 = SteadyClock::now();
        const double c0 = ThreadCpuMicros();
        auto r = a->cases().Submit(citizen, request);
        cpu.push_back(ThreadCpuMicros() - c0);
        wall.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
        Must(std::move(r), "submit");
      }
      Figures f{.wall_p50 = Percentile(wall, 0.5),
                .wall_p99 = Percentile(wall, 0.99),
                .cpu_p50 = Percentile(cpu, 0.5),
                .cpu_p99 = Percentile(cpu, 0.99),
                .cpu_mean = 0};
      for (double c : cpu) f.cpu_mean += c / n;
      const std::string mode = with_hook ? "with_sources" : "without_sources";
      fmt::print(
          "{{\"round\":{},\"mode\":\"{}\",\"submissions\":{},\"wall_p50_us\":{:.0f},"
          "\"wall_p99_us\":{:.0f},\"cpu_p50_us\":{:.0f},\"cpu_p99_us\":{:.0f},"
          "\"cpu_mean_us\":{:.0f}}}\n",
          round, mode, n, f.wall_p50, f.wall_p99, f.cpu_p50, f.cpu_p99, f.cpu_mean);
      by_mode[mode].push_back(f);
    }
  }
  for (const auto& [mode, figures] : by_mode) {
    std::vector<double> wp50, wp99, cp50, cp99, cmean;
    for (const Figures& f : figures) {
      wp50.push_back(f.wall_p50);
      wp99.push_back(f.wall_p99);
      cp50.push_back(f.cpu_p50);
      cp99.push_back(f.cpu_p99);
      cmean.push_back(f.cpu_mean);
    }
    fmt::print(
        "{{\"median_of_rounds\":\"{}\",\"wall_p50_us\":{:.0f},\"wall_p99_us\":{:.0f},"
        "\"cpu_p50_us\":{:.0f},\"cpu_p99_us\":{:.0f},\"cpu_mean_us\":{:.0f}}}\n",
        mode, Median(wp50), Median(wp99), Median(cp50), Median(cp99), Median(cmean));
  }
  a->cases().SetSubmissionHook(nullptr);
  return 0;
}
