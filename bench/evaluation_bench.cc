// 好差评 public statistics over N ratings (default 1,000,000, one year, five regions, 12
// departments, 40 matters and 3 windows each, 1 in 100 bad with its rectification item): the
// statistics per department, matter and window read from the pre-aggregated rows
// (evaluation_stat_month for whole months and evaluation_stat for the partial months' days, as
// ComputeStatistics does), against the day rows alone (what it read before the month rows) and
// the figures grouped from the rating rows, and the set-based rebuild of the pre-aggregated rows.
//
//   build-rel/bench/evaluation_bench [--ratings N] [--runs R] [--db FILE | --db URL]
//
// --db postgresql://… runs it on PostgreSQL: that database's public schema is dropped first.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cases/service.h"
#include "catalog/repository.h"
#include "evaluation/service.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "trace/trace.h"

using namespace tongban;

namespace {

double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0;
}

Status Generate(store::Database& db, int64_t count, Date today) {
  std::mt19937_64 rng(9);
  static const char* kRegions[] = {"431128", "430181", "430423", "430204", "430603"};
  static const char* kLevels[] = {"very_satisfied", "satisfied", "basically_satisfied"};
  const int64_t start = std::chrono::duration_cast<std::chrono::milliseconds>(
                            StartOfDayInChina(today.AddDays(-365)).time_since_epoch())
                            .count();
  int64_t written = 0;
  while (written < count) {
    const int64_t in_tx = std::min<int64_t>(100000, count - written);
    TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      for (int64_t n = 0; n < in_tx;) {
        const int64_t rows = std::min<int64_t>(1000, in_tx - n);
        std::string ratings =
            "INSERT INTO evaluation (id, source, case_number, visit_id, region_code, "
            "department_code, matter_code, window_code, level, tags, text, rater_account, "
            "rater_code, named, created_at, voided) VALUES ";
        std::string items =
            "INSERT INTO rectification (id, evaluation_id, case_number, visit_id, region_code, "
            "department_code, matter_code, window_code, level, named, rater_account, rater_code, "
            "state, opened_at, due_on, callback_at, callback_outcome, callback_note, "
            "action_note, acted_by, acted_at, review_decision, review_note, reviewed_by, "
            "applicant_level, updated_at) VALUES ";
        bool any_item = false;
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t i = written + n + r;
          const std::string region = kRegions[rng() % 5];
          const std::string department = fmt::format("{}-d{:02d}", region, rng() % 12);
          const std::string matter = fmt::format("{}-m{:02d}", department, rng() % 40);
          const bool window = rng() % 3 == 0;
          const std::string win = window ? fmt::format("{}-W{:02d}", region, rng() % 3) : "";
          const bool bad = rng() % 100 == 0;
          const int64_t at = start + static_cast<int64_t>(rng() % (365LL * 86400000));
          const std::string id = fmt::format("e{:09d}", i);
          ratings += fmt::format(
              "{}('{}','online','N{:09d}','','{}','{}','{}','{}','{}','','','','c',1,{},0)",
              r ? "," : "", id, i, region, department, matter, win,
              bad ? "dissatisfied" : kLevels[rng() % 3], at);
          if (bad) {
            items += fmt::format(
                "{}('r{:09d}','{}','N{:09d}','','{}','{}','{}','{}','dissatisfied',1,'','c',"
                "'{}',{},'2026-01-01',{},'confirmed','','','',0,'','','','',{})",
                any_item ? "," : "", i, id, i, region, department, matter, win,
                rng() % 2 ? "rectified" : "open", at, at + 86400000, at);
            any_item = true;
          }
        }
        sql << ratings;
        if (any_item) sql << items;
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
  int64_t count = 1000000;
  int runs = 5;
  std::string path = "/tmp/tongban-evaluation-bench.db";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--ratings") count = std::stoll(value);
    if (flag == "--runs") runs = std::stoi(value);
    if (flag == "--db") path = value;
  }
  const bool postgres = path.starts_with("postgresql://") || path.starts_with("postgres://");
  if (!postgres) {
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
  }
  auto run = [&]() -> Status {
    TB_ASSIGN_OR_RETURN(store::DatabaseUrl url,
                        store::ParseDatabaseUrl(postgres ? path : "sqlite:" + path));
    TB_ASSIGN_OR_RETURN(auto db, store::Database::Open(url, {.pool_size = 2}));
    if (postgres) {
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
    TB_ASSIGN_OR_RETURN(sets.emplace_back(), evaluation::Migrations());
    std::vector<const store::MigrationSet*> ptrs;
    for (const auto& s : sets) ptrs.push_back(&s);
    TB_ASSIGN_OR_RETURN(int applied, db->Migrate(ptrs));
    (void)applied;
    const Date today = *Date::Parse("2026-11-26");
    FakeClock clock(StartOfDayInChina(today) + std::chrono::hours(10));
    auto t0 = std::chrono::steady_clock::now();
    TB_RETURN_IF_ERROR(Generate(*db, count, today));
    if (postgres) {
      TB_RETURN_IF_ERROR(db->Transaction(store::TxKind::kWrite, [](soci::session& sql) -> Status {
        sql << "ANALYZE";
        return Ok();
      }));
    }
    fmt::print(
        "generated {} ratings in {:.0f} ms\n", count,
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    // Create rebuilds the pre-aggregated rows of ratings written around it.
    double cpu0 = CpuMs();
    t0 = std::chrono::steady_clock::now();
    TB_ASSIGN_OR_RETURN(auto service, evaluation::EvaluationService::Create(
                                          *db, {.clock = &clock, .calendar = nullptr}));
    fmt::print(
        "rebuild of evaluation_stat: {:.0f} ms wall, {:.0f} ms cpu\n",
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(),
        CpuMs() - cpu0);
    const std::string live =
        "SELECT department_code, level, COUNT(*) FROM evaluation WHERE voided = 0 AND "
        "created_at >= 0 AND region_code LIKE '43%' GROUP BY department_code, level";
    // What ComputeStatistics read before the month rows: the year's day rows by department.
    const std::string days_only = fmt::format(
        "SELECT department_code, level, CAST(SUM(rated) AS BIGINT), "
        "CAST(SUM(rectifications) AS BIGINT), CAST(SUM(rectified) AS BIGINT), "
        "CAST(SUM(named_bad) AS BIGINT), CAST(SUM(called_back) AS BIGINT) FROM evaluation_stat "
        "WHERE day >= '{}' AND day <= '{}' AND region_code LIKE '43%' "
        "GROUP BY department_code, level",
        today.AddDays(-365).ToString(), today.ToString());
    for (int i = 0; i < runs; ++i) {
      cpu0 = CpuMs();
      t0 = std::chrono::steady_clock::now();
      TB_RETURN_IF_ERROR(db->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
        std::string key, level;
        long long n[5] = {};
        soci::statement st =
            (sql.prepare << days_only, soci::into(key), soci::into(level), soci::into(n[0]),
             soci::into(n[1]), soci::into(n[2]), soci::into(n[3]), soci::into(n[4]));
        st.execute();
        while (st.fetch()) {
        }
        return Ok();
      }));
      fmt::print(
          "by department from the day rows only (before) {:>8.1f} ms wall {:>8.1f} ms cpu\n",
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(),
          CpuMs() - cpu0);
      for (auto by : {evaluation::Dimension::kDepartment, evaluation::Dimension::kMatter,
                      evaluation::Dimension::kWindow}) {
        cpu0 = CpuMs();
        t0 = std::chrono::steady_clock::now();
        TB_ASSIGN_OR_RETURN(
            evaluation::Statistics s,
            service->ComputeStatistics(
                {.by = by, .region = "430000", .from = today.AddDays(-365), .to = today}));
        fmt::print(
            "statistics by {:<10} (pre-aggregated) {:>8.1f} ms wall {:>8.1f} ms cpu  "
            "{} rows, {} rated\n",
            evaluation::DimensionName(by),
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count(),
            CpuMs() - cpu0, s.rows.size(), s.total.rated);
      }
      cpu0 = CpuMs();
      t0 = std::chrono::steady_clock::now();
      TB_RETURN_IF_ERROR(db->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
        std::string key, level;
        long long n = 0;
        soci::statement st =
            (sql.prepare << live, soci::into(key), soci::into(level), soci::into(n));
        st.execute();
        while (st.fetch()) {
        }
        return Ok();
      }));
      fmt::print(
          "ratings by department grouped from the rating rows {:>8.1f} ms wall {:>8.1f} ms "
          "cpu\n",
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(),
          CpuMs() - cpu0);
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
