// One department's task inbox with 1,000,000 open tasks stored (the goal: p99 ≤ 10 ms),
// read through the runtime API (Runtime::ListGroupTasks) on SQLite (WAL). The task rows are
// written by SQL in one transaction (making a million instances step by step would measure the
// step, not the inbox): `tasks` open tasks of the group "431128-rsj" and a quarter as many of
// another group, with the runtime's own schema and indexes. Then it reads the first page, and
// pages that start at a random place in the inbox (a keyset cursor), and prints one JSON line
// with p50/p99/max per query kind.
// Usage: bpmn_inbox_bench [tasks=1000000] [queries=2000] [page=50]
#include <fmt/format.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bpmn/runtime.h"
#include "store/database.h"

namespace {

using tongban::bpmn::Runtime;
using Clock = std::chrono::steady_clock;

template <typename T>
T Must(tongban::Result<T> r, std::string_view what) {
  if (!r.ok()) {
    fmt::print(stderr, "{}: {}\n", what, r.error().ToString());
    std::exit(1);
  }
  return std::move(r).value();
}
void Must(tongban::Status s, std::string_view what) {
  if (!s.ok()) {
    fmt::print(stderr, "{}: {}\n", what, s.error().ToString());
    std::exit(1);
  }
}

// CPU time of this thread, µs: the query's own work, without the time the scheduler gave other
// processes of a shared machine.
double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// `count` open tasks of `group`, created one millisecond apart from `t0_us`.
void Fill(tongban::store::Database& db, const std::string& group, const std::string& prefix,
          long long count, long long t0_us) {
  Must(db.Transaction(tongban::store::TxKind::kWrite,
                      [&](soci::session& sql) -> tongban::Status {
                        sql << "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
                               "WHERE i + 1 < :count) "
                               "INSERT INTO bpmn_task (id, instance_id, activity, element_id, "
                               "name, process_id, assignee, candidate_groups, due_at, headers, "
                               "step, state, created_at) "
                               "SELECT :p1 || i || '/1', :p2 || i, 1, 'review', 'Review', "
                               "'bench', NULL, :g1, NULL, '{}', '', 'open', :t0 + i * 1000 FROM n",
                            soci::use(count, "count"), soci::use(prefix, "p1"),
                            soci::use(prefix, "p2"), soci::use(group, "g1"), soci::use(t0_us, "t0");
                        sql << "INSERT INTO bpmn_task_candidate (group_name, created_at, task_id) "
                               "SELECT :g, created_at, id FROM bpmn_task WHERE id LIKE :like",
                            soci::use(group, "g"), soci::use(prefix + "%", "like");
                        return tongban::Ok();
                      }),
       "fill");
}

}  // namespace

int main(int argc, char** argv) {
  const long long tasks = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const int queries = argc > 2 ? std::atoi(argv[2]) : 2000;
  const int page = argc > 3 ? std::atoi(argv[3]) : 50;
  const std::string dir = fmt::format("/tmp/tongban_inbox_bench_{}", getpid());
  std::filesystem::create_directories(dir);
  auto url = Must(tongban::store::ParseDatabaseUrl("sqlite:" + dir + "/bench.db"), "url");
  auto db = Must(tongban::store::Database::Open(url, {.pool_size = 2}), "open");
  auto set = Must(Runtime::Migrations(), "migrations");
  const tongban::store::MigrationSet* sets[] = {&set};
  Must(db->Migrate(sets), "migrate");
  auto runtime = Must(Runtime::Create(*db, tongban::SystemClock::Instance(), {}), "runtime");

  const long long t0 = 1'767'225'600'000'000;  // 2026-01-01, µs
  const auto fill_start = Clock::now();
  Fill(*db, "431128-rsj", "rsj-", tasks, t0);
  Fill(*db, "431128-scjgj", "scjgj-", tasks / 4, t0 + 500);
  const double fill_s = std::chrono::duration<double>(Clock::now() - fill_start).count();

  std::mt19937_64 rng(42);
  std::uniform_int_distribution<long long> offset(0, tasks - 1);
  std::vector<double> first, deep, cpu;
  size_t rows = 0;
  for (int q = 0; q < queries; ++q) {
    double c = ThreadCpuMicros();
    auto t = Clock::now();
    auto p = Must(runtime->ListGroupTasks("431128-rsj", page), "first page");
    first.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
    cpu.push_back(ThreadCpuMicros() - c);
    rows += p.tasks.size();
    const long long i = offset(rng);
    tongban::bpmn::TaskCursor after{t0 + i * 1000, fmt::format("rsj-{}/1", i)};
    c = ThreadCpuMicros();
    t = Clock::now();
    auto d = Must(runtime->ListGroupTasks("431128-rsj", page, after), "deep page");
    deep.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
    cpu.push_back(ThreadCpuMicros() - c);
    rows += d.tasks.size();
  }
  const double f50 = Percentile(first, 0.5), f99 = Percentile(first, 0.99), fmax = first.back();
  const double d50 = Percentile(deep, 0.5), d99 = Percentile(deep, 0.99), dmax = deep.back();
  const double c50 = Percentile(cpu, 0.5), c99 = Percentile(cpu, 0.99);
  fmt::print(
      "{{\"bench\": \"bpmn_inbox\", \"backend\": \"sqlite-wal\", \"open_tasks_in_group\": {}, "
      "\"other_tasks\": {}, \"page\": {}, \"queries\": {}, \"fill_s\": {:.1f}, "
      "\"first_page_p50_ms\": {:.3f}, \"first_page_p99_ms\": {:.3f}, "
      "\"first_page_max_ms\": {:.3f}, \"random_page_p50_ms\": {:.3f}, "
      "\"random_page_p99_ms\": {:.3f}, \"random_page_max_ms\": {:.3f}, "
      "\"cpu_per_query_p50_ms\": {:.3f}, \"cpu_per_query_p99_ms\": {:.3f}, \"rows\": {}}}\n",
      tasks, tasks / 4, page, queries, fill_s, f50 / 1000, f99 / 1000, fmax / 1000, d50 / 1000,
      d99 / 1000, dmax / 1000, c50 / 1000, c99 / 1000, rows);
  runtime.reset();
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
