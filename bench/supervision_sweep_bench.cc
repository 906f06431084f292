// The supervision sweep over N open cases (default 1,000,000) on SQLite: the cases are written
// with multi-row inserts (as `tongban case generate` does, but all open), the province's rules
// (data/supervision/hunan.yaml) saved, then the sweep runs: once issuing every card that is due,
// then again with nothing new to issue (the steady state of a sweep every few minutes), then
// after a day's worth of new overdue cases.
//
//   build-rel/bench/supervision_sweep_bench [--cases N] [--runs R] [--db FILE | --db URL]
//       [--reuse yes] [--pragmas "mmap_size=1073741824;cache_size=-65536"] [--county-days yes]
//
// --county-days yes: the cases count in region calendars, 新田 (431128) with holidays of its own
// in the days swept (its partition's constants then differ from the others').
//
// --db postgresql://… runs it on PostgreSQL: that database's public schema is dropped first
// (unless --reuse yes), so name a database of its own.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/id.h"
#include "bpmn/runtime.h"
#include "cases/service.h"
#include "catalog/repository.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "supervision/service.h"
#include "trace/trace.h"

using namespace tongban;

namespace {

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

Status Generate(store::Database& db, int64_t count, Date today, uint64_t seed) {
  std::mt19937_64 rng(seed);
  static const char* kRegions[] = {"431128", "430181", "430423", "430204", "430603"};
  static const char* kStates[] = {"under_review", "under_review", "under_review", "under_review",
                                  "under_review", "under_review", "under_review", "submitted",
                                  "approved",     "suspended"};
  int64_t written = 0;
  while (written < count) {
    const int64_t in_tx = std::min<int64_t>(100000, count - written);
    TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      for (int64_t n = 0; n < in_tx;) {
        const int64_t rows = std::min<int64_t>(1000, in_tx - n);
        std::string text =
            "INSERT INTO case_record (id, number, matter_code, matter_version, scenario, "
            "region_code, department_code, applicant_kind, applicant_code, applicant_name, "
            "agent_account, submitted_by, channel, clerk_account, form, state, version, "
            "received_on, received_at, accepted_on, accepted_by, correction_on, "
            "correction_items, suspension_reason, suspended_since, suspended_days, "
            "extension_days, extended_by, decided_by, decision_reasons, updated_at, due_on) "
            "VALUES ";
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t i = written + n + r;
          const char* region = kRegions[rng() % 5];
          const char* state = kStates[rng() % 10];
          const bool running = std::string_view(state) == "under_review";
          const Date accepted = today.AddDays(-static_cast<int64_t>(rng() % 60) - 1);
          // Due dates from 20 days ago to 40 days ahead: about a third overdue.
          const Date due = today.AddDays(static_cast<int64_t>(rng() % 60) - 20);
          text += fmt::format(
              "{}('b{:08d}', '{}-20261001-{:08d}', 'M{}', 'M@1', 'new', '{}', '{}-d{}', 'person', "
              "'x', '张三', '', 'u', 'window', '', '{{}}', '{}', 1, '{}', 0, '{}', 'clerk-{}-{}', "
              "'', '', '', '', 0, 0, '', '', '', 0, '{}')",
              r ? ", " : "", i, region, i, rng() % 200, region, region, rng() % 12, state,
              accepted.AddDays(-1).ToString(), accepted.ToString(), region, rng() % 40,
              running ? due.ToString() : "");
        }
        sql << text;
        n += rows;
      }
      return Ok();
    }));
    written += in_tx;
  }
  return Ok();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t cases = 1000000;
  int runs = 3;
  std::string path = "/tmp/supervision-bench.db";
  bool reuse = false;   // keep the database's cases, drop its cards
  std::string pragmas;  // SQLite: PRAGMAs run on the writing connection before the sweeps
  bool county_days = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--cases") cases = std::stoll(argv[i + 1]);
    if (a == "--runs") runs = std::stoi(argv[i + 1]);
    if (a == "--db") path = argv[i + 1];
    if (a == "--reuse") reuse = std::string(argv[i + 1]) == "yes";
    if (a == "--pragmas") pragmas = argv[i + 1];
    if (a == "--county-days") county_days = std::string(argv[i + 1]) == "yes";
    if (a == "--log-level") spdlog::set_level(spdlog::level::from_str(argv[i + 1]));
  }
  const bool postgres = path.starts_with("postgresql://") || path.starts_with("postgres://");
  if (!reuse && !postgres) {
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
  }
  auto run = [&]() -> Status {
    TB_ASSIGN_OR_RETURN(store::DatabaseUrl url,
                        store::ParseDatabaseUrl(postgres ? path : "sqlite:" + path));
    TB_ASSIGN_OR_RETURN(auto db, store::Database::Open(url, {.pool_size = 2}));
    if (postgres && !reuse) {
      TB_RETURN_IF_ERROR(db->Transaction(store::TxKind::kWrite, [](soci::session& sql) -> Status {
        sql << "DROP SCHEMA public CASCADE";
        sql << "CREATE SCHEMA public";
        return Ok();
      }));
    }
    std::vector<store::MigrationSet> sets;
    TB_ASSIGN_OR_RETURN(sets.emplace_back(), regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    TB_ASSIGN_OR_RETURN(sets.emplace_back(), people::PeopleMigrations());
    TB_ASSIGN_OR_RETURN(sets.emplace_back(), catalog::CatalogMigrations());
    TB_ASSIGN_OR_RETURN(sets.emplace_back(), cases::CaseMigrations());
    TB_ASSIGN_OR_RETURN(sets.emplace_back(), bpmn::Runtime::Migrations());
    TB_ASSIGN_OR_RETURN(sets.emplace_back(), supervision::SupervisionMigrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    TB_ASSIGN_OR_RETURN(int applied, db->Migrate(ptrs));
    (void)applied;
    trace::Trace trace(*db, {});
    // 10:00 China time on a Thursday.
    const Date today = *Date::Parse("2026-11-26");
    FakeClock clock(StartOfDayInChina(today) + std::chrono::hours(10));
    auto t0 = std::chrono::steady_clock::now();
    if (reuse) {
      TB_RETURN_IF_ERROR(db->Transaction(store::TxKind::kWrite, [](soci::session& sql) -> Status {
        sql << "DELETE FROM supervision_card";
        sql << "DELETE FROM supervision_sweep_mark";
        sql << "DELETE FROM supervision_rule_mark";
        sql << "DELETE FROM case_notice";
        return Ok();
      }));
    } else {
      TB_RETURN_IF_ERROR(Generate(*db, cases, today, 42));
    }
    // PostgreSQL: the statistics autovacuum gathers after a bulk load (SQLite has none unless
    // asked, and the sweep's statements are written for that).
    if (postgres) {
      TB_RETURN_IF_ERROR(db->Transaction(store::TxKind::kWrite, [](soci::session& sql) -> Status {
        sql << "ANALYZE";
        return Ok();
      }));
    }
    fmt::print("generated {} open cases in {:.0f} ms\n", cases,
               Ms(std::chrono::steady_clock::now() - t0));
    if (!pragmas.empty() && !postgres) {
      TB_RETURN_IF_ERROR(db->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
        for (size_t at = 0; at < pragmas.size();) {
          size_t end = pragmas.find(';', at);
          if (end == std::string::npos) end = pragmas.size();
          sql << "PRAGMA " + pragmas.substr(at, end - at);
          at = end + 1;
        }
        return Ok();
      }));
    }
    auto national = Calendar::WithEmbeddedSchedules();
    auto county = Calendar::WithEmbeddedSchedules("431128");
    HolidayPeriod own{
        .name = "县庆", .from = today, .to = today.AddDays(1), .make_up_working_days = {}};
    TB_RETURN_IF_ERROR(
        county->LoadYear({.region = "431128", .year = 2026, .source = "bench", .holidays = {own}}));
    supervision::ServiceOptions options{.clock = &clock};
    if (county_days) {
      options.region_calendar = [&](std::string_view region) -> const Calendar& {
        return region == "431128" ? *county : *national;
      };
      options.calendar_regions = [] { return std::vector<std::string>{"431128"}; };
    }
    TB_ASSIGN_OR_RETURN(auto service,
                        supervision::SupervisionService::Create(*db, trace, std::move(options)));
    TB_ASSIGN_OR_RETURN(int loaded, service->LoadBuiltinRules());
    (void)loaded;
    auto cpu_ms = [] {
      rusage u{};
      getrusage(RUSAGE_SELF, &u);
      return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 +
             (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
    };
    auto sweep = [&](const char* what, Date as_of) -> Status {
      const double cpu0 = cpu_ms();
      TB_ASSIGN_OR_RETURN(
          supervision::SweepResult r,
          service->Sweep({.as_of = as_of == today ? std::nullopt : std::optional<Date>(as_of),
                          .count_matched = false}));
      fmt::print(
          "{:<28} {:>7} ms wall {:>7.0f} ms cpu  open {}  new: warnings {} yellow {} red {} "
          "(escalated {}), {} incremental, {} day-incremental statement(s)\n",
          what, r.elapsed_ms, cpu_ms() - cpu0, r.open_cases, r.warnings, r.yellow, r.red,
          r.escalated, r.incremental, r.day_incremental);
      return Ok();
    };
    TB_RETURN_IF_ERROR(sweep("first sweep (all due)", today));
    TB_RETURN_IF_ERROR(sweep("re-sweep (nothing new)", today));
    // Alternated: the first sweep of each following day (new cards due that day), then a
    // re-sweep of the same day (nothing new).
    for (int i = 1; i <= runs; ++i) {
      TB_RETURN_IF_ERROR(sweep("first sweep of a new day", today.AddDays(i)));
      TB_RETURN_IF_ERROR(sweep("re-sweep (nothing new)", today.AddDays(i)));
    }
    return Ok();
  };
  Status s = run();
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.error().ToString().c_str());
    return 1;
  }
  return 0;
}
