// The KPI report over a province's year (the goal: 10,000,000 concluded cases, report
// ≤ 1 s), and what keeping the aggregates exact costs per case write.
//
// Report: the aggregate rows that N concluded cases produce are written straight into kpi_fact
// and kpi_duration (the month rows of every county of the province × 40 departments × 6
// channels × 12 months, and the month histogram per county), since making N cases one by one
// would measure the case service, not the report. Then KpiService::BuildReport for the whole
// province and that year, `runs` times, wall clock; and once for one department.
//
// Maintenance: KpiService::OnCaseChanged as the case service calls it, each in its own write
// transaction: a submission (received rows), an acceptance (no change: one read), a decision
// (decided rows and the histogram), against an empty write transaction as the baseline.
//
// Usage: kpi_bench DB_URL [cases=10000000] [runs=5] [writes=2000] [province=430000] [year=2025]
//   DB_URL: sqlite:/path/new.db or postgresql://… (the kpi tables are emptied first)
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "base/region.h"
#include "cases/service.h"
#include "catalog/service.h"
#include "kpi/service.h"
#include "regions/region_import.h"

namespace {

using namespace tongban;
using SteadyClock = std::chrono::steady_clock;

template <typename T>
T Must(Result<T> r, std::string_view what) {
  if (!r.ok()) {
    fmt::print(stderr, "{}: {}\n", what, r.error().ToString());
    std::exit(1);
  }
  return std::move(r).value();
}

void Must(const Status& s, std::string_view what) {
  if (!s.ok()) {
    fmt::print(stderr, "{}: {}\n", what, s.error().ToString());
    std::exit(1);
  }
}

double Since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<std::string> Counties(const std::string& province) {
  std::vector<std::string> out;
  for (const RegionInfo& city : Must(ListChildRegions(province), "cities")) {
    for (const RegionInfo& county : Must(ListChildRegions(city.code), "counties")) {
      out.push_back(county.code);
    }
  }
  return out;
}

// Writes the month rows of `cases` concluded cases of `year` spread over the province.
void Fill(store::Database& db, const std::vector<std::string>& counties, int64_t cases, int year) {
  const char* channels[] = {"online", "mobile", "window", "kiosk", "service_point", "assisted"};
  constexpr int kDepartments = 40;
  const int64_t cells = static_cast<int64_t>(counties.size()) * kDepartments * 6 * 12;
  const int64_t base = cases / cells, extra = cases % cells;
  std::mt19937_64 rng(7);
  Must(db.Transaction(store::TxKind::kWrite,
                      [&](soci::session& sql) -> Status {
                        sql << "DELETE FROM kpi_fact";
                        sql << "DELETE FROM kpi_duration";
                        sql << "DELETE FROM kpi_case";
                        std::string text;
                        int rows = 0;
                        int64_t cell = 0;
                        auto flush = [&] {
                          if (rows == 0) return;
                          sql << text;
                          text.clear();
                          rows = 0;
                        };
                        std::string header = "INSERT INTO kpi_fact VALUES ";
                        for (const std::string& county : counties) {
                          std::vector<int64_t> concluded_by_month(12, 0);
                          for (int d = 1; d <= kDepartments; ++d) {
                            for (const char* channel : channels) {
                              for (int m = 1; m <= 12; ++m, ++cell) {
                                const int64_t n = base + (cell < extra ? 1 : 0);
                                concluded_by_month[m - 1] += n;
                                const bool online = channel[0] == 'o' || channel[0] == 'm';
                                const int64_t denied = n / 50, late = n / 40;
                                text += fmt::format(
                                    "{}('m','{:04d}-{:02d}','{}','{}-d{:02d}','','{}',''"
                                    ",{},{},{},{},{},{},0,0,0,{},{},{},{},{},{},{},{},{},{},{},{}"
                                    ",0,0,{})",
                                    rows ? "," : header, year, m, county, county, d, channel, n, n,
                                    n, n - denied, denied, n - late, n / 30, online ? n : 0,
                                    n * 4 + static_cast<int64_t>(rng() % 7), n * 5, n * 20, n * 3,
                                    n + n / 2, n, n / 2, n, n / 4, n / 4, n / 10);
                                if (++rows == 500) flush();
                              }
                            }
                          }
                          flush();
                          // The month histogram: working days 0..20, about 4 on average.
                          for (int m = 1; m <= 12; ++m) {
                            int64_t left = concluded_by_month[m - 1];
                            std::string h = "INSERT INTO kpi_duration VALUES ";
                            for (int days = 0; days <= 20 && left > 0; ++days) {
                              const int64_t take =
                                  days == 20 ? left : std::min<int64_t>(left, left / 3 + 1);
                              left -= take;
                              h += fmt::format("{}('m','{:04d}-{:02d}','{}','','','','',{},{})",
                                               days ? "," : "", year, m, county, days, take);
                            }
                            sql << h;
                          }
                        }
                        return Ok();
                      }),
       "fill");
}

// A case as the case service holds it after `action`, spread over the province.
cases::Case SyntheticCase(int64_t i, const std::vector<std::string>& counties, Date today) {
  cases::Case c;
  c.id = fmt::format("bench-{:012d}", i);
  c.number = c.id;
  c.region = counties[static_cast<size_t>(i) % counties.size()];
  c.department = fmt::format("{}-d{:02d}", c.region, i % 40 + 1);
  c.matter = fmt::format("{}-m{:03d}", c.department, i % 200);
  c.channel = static_cast<cases::Channel>(i % 6);
  c.applicant_code = "431128199001010037";
  c.received_on = today;
  c.materials.resize(3);
  c.materials[0].state = cases::MaterialState::kProvided;
  c.materials[0].origin = cases::MaterialOrigin::kLicence;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: kpi_bench DB_URL [cases] [runs] [writes] [province] [year]\n");
    return 2;
  }
  const int64_t cases_n = argc > 2 ? std::atoll(argv[2]) : 10'000'000;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 5;
  const int64_t writes = argc > 4 ? std::atoll(argv[4]) : 2000;
  const std::string province = argc > 5 ? argv[5] : "430000";
  const int year = argc > 6 ? std::atoi(argv[6]) : 2025;

  auto url = Must(store::ParseDatabaseUrl(argv[1]), "url");
  auto db = Must(store::Database::Open(url), "open");
  std::vector<store::MigrationSet> sets;
  sets.push_back(Must(regions::Migrations(), "migrations"));
  sets.push_back(trace::TraceMigrations());
  sets.push_back(Must(people::PeopleMigrations(), "migrations"));
  sets.push_back(Must(catalog::CatalogMigrations(), "migrations"));
  sets.push_back(Must(cases::CaseMigrations(), "migrations"));
  sets.push_back(Must(kpi::Migrations(), "migrations"));
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& s : sets) ptrs.push_back(&s);
  (void)Must(db->Migrate(ptrs), "migrate");
  auto catalog = Must(catalog::CatalogService::Create(*db), "catalog");
  auto kpi = Must(kpi::KpiService::Create(*db, *catalog, {}), "kpi");

  const std::vector<std::string> counties = Counties(province);
  auto start = SteadyClock::now();
  Fill(*db, counties, cases_n, year);
  const double fill_s = Since(start);
  if (url.backend == store::Backend::kPostgresql) {
    Must(db->Transaction(store::TxKind::kWrite,
                         [](soci::session& sql) -> Status {
                           sql << "ANALYZE kpi_fact";
                           sql << "ANALYZE kpi_duration";
                           return Ok();
                         }),
         "analyze");
  }
  const Date from = Must(Date::Parse(fmt::format("{}-01-01", year)), "date");
  const Date to = Must(Date::Parse(fmt::format("{}-12-31", year)), "date");
  kpi::ReportQuery q{.region = province, .from = from, .to = to};
  std::vector<double> times;
  int64_t applications = 0, concluded = 0, p90 = 0;
  for (int r = 0; r < runs; ++r) {
    start = SteadyClock::now();
    kpi::Report report = Must(kpi->BuildReport(q), "report");
    times.push_back(Since(start));
    for (const auto& f : report.figures) {
      if (f.name == "applications") applications = f.numerator;
      if (f.name == "concluded") concluded = f.numerator;
      if (f.name == "p90_working_days") p90 = f.numerator;
    }
  }
  kpi::ReportQuery dq = q;
  dq.department = counties.front() + "-d01";
  dq.region = counties.front();
  start = SteadyClock::now();
  (void)Must(kpi->BuildReport(dq), "department report");
  const double department_s = Since(start);
  std::string all;
  for (double t : times) all += fmt::format("{}{:.3f}", all.empty() ? "" : ", ", t);
  fmt::print(
      "{{\"bench\": \"kpi_report\", \"backend\": \"{}\", \"counties\": {}, \"cases\": {}, "
      "\"fill_s\": {:.1f}, \"applications\": {}, \"concluded\": {}, \"p90_working_days\": {}, "
      "\"report_s\": [{}], \"median_s\": {:.3f}, \"department_report_s\": {:.3f}}}\n",
      store::BackendName(url.backend), counties.size(), cases_n, fill_s, applications, concluded,
      p90, all, Median(times), department_s);

  // Maintenance per case write.
  catalog::Matter matter;
  matter.item.promised_limit =
      catalog::TimeLimit{.value = 5, .unit = catalog::LimitUnit::kWorkingDays};
  matter.item.legal_limit =
      catalog::TimeLimit{.value = 20, .unit = catalog::LimitUnit::kWorkingDays};
  people::Principal actor;
  actor.account.id = "bench";
  const Date today = Must(Date::Parse(fmt::format("{}-06-01", year)), "date");
  // Wall-clock and thread CPU microseconds per transaction.
  auto timed = [&](const char* action, auto&& change) {
    start = SteadyClock::now();
    const double cpu = ThreadCpuMicros();
    for (int64_t i = 0; i < writes; ++i) {
      Must(db->Transaction(store::TxKind::kWrite,
                           [&](soci::session& sql) -> Status { return change(sql, i, action); }),
           action);
    }
    return std::pair{Since(start) * 1e6 / static_cast<double>(writes),
                     (ThreadCpuMicros() - cpu) / static_cast<double>(writes)};
  };
  // A case change writes its own row anyway: the baseline is a transaction with one upsert.
  const auto empty_us = timed("one_write", [](soci::session& sql, int64_t i, const char*) {
    const std::string rows = std::to_string(i);
    sql << "INSERT INTO kpi_case (case_id, decided_on, rows) VALUES ('baseline', '', :r) "
           "ON CONFLICT (case_id) DO UPDATE SET rows = excluded.rows",
        soci::use(rows, "r");
    return Status(Ok());
  });
  auto observe = [&](soci::session& sql, int64_t i, const char* action) -> Status {
    cases::Case c = SyntheticCase(i, counties, today);
    const std::string a = action;
    if (a != "case.submitted") {
      c.clock.started_on = today;
      c.state = cases::CaseState::kUnderReview;
    }
    if (a == "case.approved") {
      c.state = cases::CaseState::kApproved;
      c.documents.push_back({.id = "d",
                             .kind = cases::DocumentKind::kApprovalDecision,
                             .issued_on = today.AddDays(3),
                             .department = c.department,
                             .content = "",
                             .key_id = "",
                             .signature = ""});
    }
    return kpi->OnCaseChanged(sql, {c, matter, action, actor});
  };
  const auto submit_us = timed("case.submitted", observe);
  const auto accept_us = timed("case.accepted", observe);
  const auto approve_us = timed("case.approved", observe);
  fmt::print(
      "{{\"bench\": \"kpi_maintenance\", \"backend\": \"{}\", \"writes\": {}, "
      "\"wall_us\": {{\"one_write_tx\": {:.0f}, \"submitted\": {:.0f}, \"accepted\": {:.0f}, "
      "\"approved\": {:.0f}}}, \"cpu_us\": {{\"one_write_tx\": {:.0f}, \"submitted\": {:.0f}, "
      "\"accepted\": {:.0f}, \"approved\": {:.0f}}}}}\n",
      store::BackendName(url.backend), writes, empty_us.first, submit_us.first, accept_us.first,
      approve_us.first, empty_us.second, submit_us.second, accept_us.second, approve_us.second);
  return 0;
}
