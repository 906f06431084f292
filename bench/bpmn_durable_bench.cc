// The issue's process (start → user task → parallel fork → two service tasks → join → end) run
// to completion N times by the durable runtime, every step committed: on SQLite (WAL,
// synchronous=FULL) and, when TONGBAN_TEST_POSTGRES_URL names a server, on PostgreSQL (a fresh
// database, dropped at the end). Prints one JSON line per backend and mode: instances/s (wall
// clock), the p50/p99 latency of one step, and the process's CPU time per instance.
// Two modes for the two service tasks: `job` (external actions: each a job row, leased and
// completed after the task's step commits — 5 write transactions per instance) and
// `in-transaction` (actions registered in-transaction: they run inside the task completion's
// step — 2 write transactions per instance).
// Usage: bpmn_durable_bench [instances=2000] [threads=1] [group_commit=0] [mode=both]
// (group_commit > 1: one writer thread commits up to that many callers' steps together; mode:
// job, in-transaction or both, run one after the other on fresh databases)
#include <fmt/format.h>
#include <soci/postgresql/soci-postgresql.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bpmn/runtime.h"
#include "store/database.h"

namespace {

using tongban::bpmn::Actor;
using tongban::bpmn::Runtime;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kModel = R"(<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="bench" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:userTask id="review">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="window"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="fork"/>
    <bpmn:parallelGateway id="fork"/>
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="a"/>
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="b"/>
    <bpmn:serviceTask id="a">
      <bpmn:extensionElements><zeebe:taskDefinition type="notify"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:serviceTask id="b">
      <bpmn:extensionElements><zeebe:taskDefinition type="archive"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f5" sourceRef="a" targetRef="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="b" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>)";

// CPU seconds of the whole process (every thread) so far: unlike wall time, what the shared
// machine's load does not stretch.
double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

template <typename T>
T Must(tongban::Result<T> r, std::string_view what) {
  if (!r.ok()) {
    fmt::print(stderr, "{}: {}\n", what, r.error().ToString());
    std::exit(1);
  }
  return *std::move(r);
}

void Must(const tongban::Status& s, std::string_view what) {
  if (!s.ok()) {
    fmt::print(stderr, "{}: {}\n", what, s.error().ToString());
    std::exit(1);
  }
}

enum class Mode { kJob, kInTransaction };

void Run(const tongban::store::DatabaseUrl& url, std::string_view label, int instances, int threads,
         int group_commit, Mode mode) {
  auto db = Must(tongban::store::Database::Open(url, {.pool_size = static_cast<size_t>(threads) + 2,
                                                      .busy_timeout_ms = 60000}),
                 "open");
  auto set = Must(Runtime::Migrations(), "migrations");
  const tongban::store::MigrationSet* sets[] = {&set};
  Must(db->Migrate(sets), "migrate");
  const tongban::Clock& clock = tongban::SystemClock::Instance();
  auto runtime = Must(Runtime::Create(*db, clock, {.owner = "bench", .group_commit = group_commit}),
                      "runtime");
  for (const char* type : {"notify", "archive"}) {
    if (mode == Mode::kJob) {
      runtime->RegisterJobHandler(type, [](const tongban::bpmn::Job&) {
        return tongban::Result<tongban::feel::Value>(tongban::feel::Value());
      });
    } else {
      // They compute nothing and write nothing: no savepoint around them.
      runtime->RegisterInTransactionHandler(
          type,
          [](const tongban::bpmn::Job&, soci::session&) {
            return tongban::Result<tongban::feel::Value>(tongban::feel::Value());
          },
          tongban::bpmn::ActionWrites::kNothing);
    }
  }
  Actor clerk{"clerk", {"clerk"}, "window", "330102"};
  Must(runtime->Deploy(kModel, clerk), "deploy");

  std::mutex mu;
  std::vector<double> latencies;  // microseconds per step
  std::vector<std::string> ids;
  auto worker = [&](int count) {
    std::vector<double> mine;
    std::vector<std::string> started;
    auto timed = [&](auto&& f, int steps) {
      auto t0 = Clock::now();
      f();
      double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
      for (int i = 0; i < steps; ++i) mine.push_back(us / steps);
    };
    for (int i = 0; i < count; ++i) {
      std::string id;
      timed([&] { id = Must(runtime->StartInstance("bench", {}, clerk), "start"); }, 1);
      auto info = Must(runtime->GetInstance(id), "get");
      std::string task = fmt::format("{}/{}", id, info.state.activities.begin()->first);
      started.push_back(id);
      timed([&] { Must(runtime->CompleteTask(task, {}, clerk), "complete"); }, 1);
      // The lease transaction plus two job steps; other threads' jobs may be taken too.
      if (mode == Mode::kJob) timed([&] { Must(runtime->RunDueJobs(2), "jobs"); }, 2);
    }
    std::lock_guard lock(mu);
    latencies.insert(latencies.end(), mine.begin(), mine.end());
    ids.insert(ids.end(), started.begin(), started.end());
  };
  auto t0 = Clock::now();
  double cpu0 = ProcessCpuSeconds();
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, instances / threads);
  for (std::thread& t : pool) t.join();
  while (Must(runtime->RunDueJobs(100), "drain") > 0) {
  }
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  double cpu = ProcessCpuSeconds() - cpu0;
  int total = instances / threads * threads;
  // Every instance must have reached its end (checked outside the timing).
  for (const std::string& id : ids) {
    if (Must(runtime->GetInstance(id), "get").status != tongban::bpmn::RunStatus::kCompleted) {
      fmt::print(stderr, "instance {} did not complete\n", id);
      std::exit(1);
    }
  }
  fmt::print(
      "{{\"engine\": \"tongban-durable\", \"backend\": \"{}\", \"mode\": \"{}\", "
      "\"instances\": {}, \"threads\": {}, \"group_commit\": {}, \"seconds\": {:.3f}, "
      "\"instances_per_second\": {:.0f}, \"steps_per_instance\": {}, \"p50_step_ms\": {:.3f}, "
      "\"p99_step_ms\": {:.3f}, \"cpu_ms_per_instance\": {:.3f}}}\n",
      label, mode == Mode::kJob ? "job" : "in-transaction", total, threads, group_commit, seconds,
      total / seconds, mode == Mode::kJob ? 4 : 2, Percentile(latencies, 0.50) / 1000,
      Percentile(latencies, 0.99) / 1000, cpu * 1000 / total);
}

}  // namespace

int main(int argc, char** argv) {
  int instances = argc > 1 ? std::atoi(argv[1]) : 2000;
  int threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 1;
  int group_commit = argc > 3 ? std::atoi(argv[3]) : 0;
  std::string_view mode_arg = argc > 4 ? argv[4] : "both";
  std::vector<Mode> modes;
  if (mode_arg == "job" || mode_arg == "both") modes.push_back(Mode::kJob);
  if (mode_arg == "in-transaction" || mode_arg == "both") modes.push_back(Mode::kInTransaction);
  if (modes.empty()) {
    fmt::print(stderr, "mode must be job, in-transaction or both, not '{}'\n", mode_arg);
    return 2;
  }
  const char* base = std::getenv("BPMN_BENCH_DIR");  // default /tmp
  for (Mode mode : modes) {
    std::string dir = fmt::format("{}/bpmn_durable_bench_{}", base ? base : "/tmp", getpid());
    std::filesystem::create_directories(dir);
    auto sqlite = Must(tongban::store::ParseDatabaseUrl("sqlite:" + dir + "/bench.db"), "url");
    Run(sqlite, "sqlite-wal-full", instances, threads, group_commit, mode);
    std::filesystem::remove_all(dir);
  }

  for (Mode mode : modes) {
    const char* pg = std::getenv("TONGBAN_TEST_POSTGRES_URL");
    if (pg == nullptr || *pg == '\0') break;
    std::string admin = pg;
    std::string name = fmt::format("bpmn_bench_{}", getpid());
    {
      soci::session s(soci::postgresql, tongban::store::PostgresConnectString(admin));
      s << "CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'";
    }
    size_t slash = admin.find('/', admin.find("//") + 2);
    size_t query = admin.find('?', slash);
    std::string url =
        admin.substr(0, slash + 1) + name + (query == std::string::npos ? "" : admin.substr(query));
    Run(Must(tongban::store::ParseDatabaseUrl(url), "url"), "postgresql", instances, threads,
        group_commit, mode);
    soci::session s(soci::postgresql, tongban::store::PostgresConnectString(admin));
    s << "DROP DATABASE " + name;
  }
  return 0;
}
