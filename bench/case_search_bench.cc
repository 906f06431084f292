// Case search and the approver's inbox with N cases stored (the goal: p99 ≤ 10 ms with
// 1,000,000), read through CaseService::Search as the HTTP route calls it, on SQLite (WAL) or
// PostgreSQL. A new database gets the demo data set, then synthetic cases from
// CaseService::Generate until it holds `cases`. A second run reuses them and opens the database
// as it is: the demo is not loaded again into a database that holds cases (its accounts and
// grants are those of the demo that created it, and a newer demo's loaders would act with
// them, e.g. answer a certificate request with an account that lacks the newer grant). Then
// `queries` reads
// of each kind, each timed in wall-clock and thread CPU time; one JSON line per kind with
// p50/p99/max.
// Usage: case_search_bench DB_URL [cases=1000000] [queries=1000]
//   DB_URL: sqlite:/path/file.db or postgresql://…
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "app/app.h"
#include "people/model.h"

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

people::Principal Staff(std::string region, std::string department) {
  people::Principal p;
  p.account.id = "bench";
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant g;
  g.grant.scope.region = std::move(region);
  g.grant.scope.department = std::move(department);
  g.permissions = {"case.read"};
  p.grants.push_back(std::move(g));
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: case_search_bench DB_URL [cases] [queries]\n");
    return 2;
  }
  const int64_t want = argc > 2 ? std::atoll(argv[2]) : 1000000;
  const int queries = argc > 3 ? std::atoi(argv[3]) : 1000;
  SetLogLevel(LogLevel::kWarn);
  app::Config config;
  config.db_url = argv[1];
  // How many cases are there already (counted by paging would be slow: count in SQL). The
  // first open migrates the schema without loading the demo.
  auto a = Must(app::App::Create(config), "app");
  long long stored = 0;
  Status counted = a->db().Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    sql << "SELECT COUNT(*) FROM case_record", soci::into(stored);
    return Ok();
  });
  if (!counted.ok()) {
    fmt::print(stderr, "count: {}\n", counted.error().ToString());
    return 1;
  }
  if (stored == 0) {
    // A new database: the demo data set first (matters, departments, accounts, its cases).
    a.reset();
    config.demo = true;
    a = Must(app::App::Create(config), "app with the demo");
    Status recounted = a->db().Transaction(store::TxKind::kRead, [&](soci::session& sql) {
      sql << "SELECT COUNT(*) FROM case_record", soci::into(stored);
      return Status(Ok());
    });
    if (!recounted.ok()) return 1;
  }
  cases::CaseService& cases = a->cases();
  const people::Principal root = Staff("*", "*");
  if (stored < want) {
    const auto t0 = SteadyClock::now();
    const int64_t n = Must(cases.Generate({.count = want - stored, .seed = 42}), "generate");
    const double s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    fmt::print("{{\"generated\":{},\"seconds\":{:.1f},\"per_second\":{:.0f}}}\n", n, s, n / s);
  }
  // Sample applicants and numbers of stored cases for point queries.
  std::vector<std::string> applicants, numbers;
  Status sampled = a->db().Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string code, number;
    soci::statement st = (sql.prepare << "SELECT applicant_code, number FROM case_record "
                                         "WHERE received_at % 997 = 0 LIMIT 2000",
                          soci::into(code), soci::into(number));
    st.execute();
    while (st.fetch()) {
      applicants.push_back(code);
      numbers.push_back(number);
    }
    return Ok();
  });
  if (!sampled.ok() || applicants.empty()) {
    fmt::print(stderr, "no cases to sample\n");
    return 1;
  }
  std::mt19937_64 rng(7);
  const Date today = cases.Today();
  const people::Principal clerk = Staff("431128", "*");
  const people::Principal approver = Staff("431128", "431128-rsj");
  struct Kind {
    std::string name;
    std::function<cases::CaseQuery()> query;
    const people::Principal* who;
  };
  // A cursor from the middle of a listing: the 20th page of the clerk's region, newest first.
  auto deep_cursor = [&](const people::Principal& who, cases::CaseQuery q) {
    for (int i = 0; i < 20; ++i) {
      auto page = Must(cases.Search(who, q), "page");
      if (page.next_cursor.empty()) break;
      q.cursor = page.next_cursor;
    }
    return q.cursor;
  };
  const std::string deep = deep_cursor(clerk, {.limit = 50});
  const std::vector<Kind> kinds = {
      {"by_number", [&] { return cases::CaseQuery{.number = numbers[rng() % numbers.size()]}; },
       &root},
      {"by_applicant",
       [&] { return cases::CaseQuery{.applicant = applicants[rng() % applicants.size()]}; }, &root},
      {"by_matter", [&] { return cases::CaseQuery{.matter = "11431128MB17038839200113007000001"}; },
       &root},
      {"region_newest_first", [&] { return cases::CaseQuery{.limit = 50}; }, &clerk},
      {"region_deep_page", [&] { return cases::CaseQuery{.limit = 50, .cursor = deep}; }, &clerk},
      {"state_submitted_region",
       [&] { return cases::CaseQuery{.state = cases::CaseState::kSubmitted, .limit = 50}; },
       &clerk},
      {"approver_inbox_under_review",
       [&] { return cases::CaseQuery{.state = cases::CaseState::kUnderReview, .limit = 50}; },
       &approver},
      {"overdue_region", [&] { return cases::CaseQuery{.overdue = true, .limit = 50}; }, &clerk},
      {"dates_one_week",
       [&] {
         return cases::CaseQuery{
             .from = today.AddDays(-200), .to = today.AddDays(-193), .limit = 50};
       },
       &clerk},
      {"department_region",
       [&] { return cases::CaseQuery{.department = "431128-rsj", .limit = 50}; }, &clerk},
  };
  for (const Kind& k : kinds) {
    std::vector<double> wall, cpu;
    size_t rows = 0;
    for (int i = 0; i < queries; ++i) {
      const cases::CaseQuery q = k.query();
      const auto t0 = SteadyClock::now();
      const double c0 = ThreadCpuMicros();
      auto page = Must(cases.Search(*k.who, q), k.name);
      cpu.push_back((ThreadCpuMicros() - c0) / 1000.0);
      wall.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
      rows += page.items.size();
    }
    fmt::print(
        "{{\"query\":\"{}\",\"backend\":\"{}\",\"cases\":{},\"n\":{},\"rows_per_query\":{:.1f},"
        "\"p50_ms\":{:.3f},\"p99_ms\":{:.3f},\"max_ms\":{:.3f},\"cpu_p50_ms\":{:.3f},"
        "\"cpu_p99_ms\":{:.3f}}}\n",
        k.name, store::BackendName(a->db().backend()), std::max<long long>(stored, want), queries,
        static_cast<double>(rows) / queries, Percentile(wall, 0.5), Percentile(wall, 0.99),
        Percentile(wall, 1.0), Percentile(cpu, 0.5), Percentile(cpu, 0.99));
  }
  return 0;
}
