// The eligibility rule of issue 3 evaluated column-wise (src/feel/columnar.h) over the shared
// benchmark population (../shared/bench) held in memory as typed columns: rows/s on 1 and 2
// threads; then the what-if of issue 4: the rule with the income limit raised from 10,000 to
// 12,000 compiled anew and counted against the baseline rule, per county (region:6), with the
// persons entering and leaving, on 2 threads. Prints JSON lines shaped like the peers' output
// (run_peers.sh; bench/whatif_duckdb.mjs for DuckDB's what-if), so they can be put side by
// side. Usage: columnar_bench POPULATION.csv [repetitions=5]; "seconds" is the median wall
// time of the repetitions, loading excluded as for the peers.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "feel/columnar.h"
#include "feel/columnar_csv.h"

namespace {

namespace feel = tongban::feel;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kRule =
    "age >= 16 and disability_level in [1, 2] and starts with(region, \"431128\") and "
    "income < 10000 and not(receiving)";

// The what-if scenarios: a baseline rule and the same rule with one threshold changed. The
// first is the eligibility rule (one county's persons); the second the same conditions over
// the whole province, so that every county has persons entering.
struct Scenario {
  const char* name;
  const char* baseline;
  const char* changed;
};
constexpr Scenario kScenarios[] = {
    {"county rule",
     "age >= 16 and disability_level in [1, 2] and starts with(region, \"431128\") and "
     "income < 10000 and not(receiving)",
     "age >= 16 and disability_level in [1, 2] and starts with(region, \"431128\") and "
     "income < 12000 and not(receiving)"},
    {"province rule",
     "age >= 16 and disability_level in [1, 2] and income < 10000 and not(receiving)",
     "age >= 16 and disability_level in [1, 2] and income < 12000 and not(receiving)"},
};

double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double Median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: columnar_bench POPULATION.csv [repetitions=5]\n");
    return 2;
  }
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  const auto load_start = Clock::now();
  std::ifstream in(argv[1], std::ios::binary);
  auto read = feel::ReadCsv(in, {.columns = {{"id", feel::ColumnType::kNumber},
                                             {"age", feel::ColumnType::kNumber},
                                             {"disability_level", feel::ColumnType::kNumber},
                                             {"region", feel::ColumnType::kString},
                                             {"income", feel::ColumnType::kNumber},
                                             {"receiving", feel::ColumnType::kBoolean}}});
  if (!read.ok()) {
    std::fprintf(stderr, "%s\n", read.error().ToString().c_str());
    return 1;
  }
  if (read->bad_rows > 0) std::fprintf(stderr, "%zu bad rows left out\n", read->bad_rows);
  const feel::Register& reg = read->reg;
  const double load_s = Seconds(load_start);
  for (const feel::Column& c : reg.columns()) {
    std::fprintf(stderr, "%s: %d byte(s) per row, %zu dictionary entries, nulls: %s\n",
                 c.spec.name.c_str(), c.width, c.dictionary.size(), c.valid.empty() ? "no" : "yes");
  }
  auto rule = feel::CompileColumnar(kRule, reg);
  if (!rule.ok()) {
    std::fprintf(stderr, "%s\n", rule.error().message().c_str());
    return 1;
  }
  if (!rule->fallback_reason().empty()) {
    std::fprintf(stderr, "fallback: %s\n", rule->fallback_reason().c_str());
  }
  for (int threads : {1, 2}) {
    std::vector<double> secs;
    size_t matches = 0;
    for (int r = 0; r < reps; ++r) {
      const auto t0 = Clock::now();
      const std::vector<uint32_t> rows = rule->Select(threads);
      secs.push_back(Seconds(t0));
      matches = rows.size();
    }
    const double s = Median(secs);
    std::sort(secs.begin(), secs.end());
    fmt::print(
        "{{\"peer\":\"tongban\",\"what\":\"columnar eligibility rule, {} thread(s)\","
        "\"rows\":{},\"seconds\":{:.6f},\"per_s\":{:.0f},\"matches\":{},\"threads\":{},"
        "\"load_seconds\":{:.1f},\"min_seconds\":{:.6f},\"max_seconds\":{:.6f}}}\n",
        threads, reg.rows(), s, static_cast<double>(reg.rows()) / s, matches, threads, load_s,
        secs.front(), secs.back());
  }

  // The what-if: the grouping is prepared once per register (a table over the region
  // dictionary); each repetition compiles the changed rule and counts it against the baseline
  // per county with the delta, as a policy officer's edit would.
  const auto g0 = Clock::now();
  auto county = feel::Grouping::ByPrefix(reg, "region", 6);
  const double grouping_s = Seconds(g0);
  if (!county.ok()) {
    std::fprintf(stderr, "%s\n", county.error().ToString().c_str());
    return 1;
  }
  for (const Scenario& sc : kScenarios) {
    auto baseline = feel::CompileColumnar(sc.baseline, reg);
    if (!baseline.ok()) return 1;
    std::vector<double> compile_s;
    std::vector<double> count_s;
    std::vector<double> total_s;
    feel::MatchCounts last;
    for (int r = 0; r < reps; ++r) {
      const auto t0 = Clock::now();
      auto changed = feel::CompileColumnar(sc.changed, reg);
      if (!changed.ok()) return 1;
      compile_s.push_back(Seconds(t0));
      const auto t1 = Clock::now();
      auto counts = changed->Count({.baseline = &*baseline, .grouping = &*county, .threads = 2});
      if (!counts.ok()) return 1;
      count_s.push_back(Seconds(t1));
      total_s.push_back(Seconds(t0));
      if (!changed->fallback_reason().empty()) {
        std::fprintf(stderr, "fallback: %s\n", changed->fallback_reason().c_str());
      }
      last = std::move(*counts);
    }
    const double s = Median(total_s);
    fmt::print(
        "{{\"peer\":\"tongban\",\"what\":\"what-if {}: compile + count per county + delta, "
        "2 threads\",\"rows\":{},\"seconds\":{:.6f},\"per_s\":{:.0f},\"matches\":{},"
        "\"baseline\":{},\"entering\":{},\"leaving\":{},\"groups\":{},\"threads\":2,"
        "\"compile_seconds\":{:.6f},\"count_seconds\":{:.6f},\"grouping_seconds\":{:.3f},"
        "\"min_seconds\":{:.6f},\"max_seconds\":{:.6f}}}\n",
        sc.name, reg.rows(), s, static_cast<double>(reg.rows()) / s, last.total.matches,
        last.total.baseline, last.total.entering, last.total.leaving, last.groups.size(),
        Median(compile_s), Median(count_s), grouping_s,
        *std::min_element(total_s.begin(), total_s.end()),
        *std::max_element(total_s.begin(), total_s.end()));
    // A check a script can compare with DuckDB's: the first groups.
    for (size_t g = 0; g < std::min<size_t>(3, last.groups.size()); ++g) {
      const feel::MatchCounts::Group& x = last.groups[g];
      std::fprintf(stderr, "  %s %s: %llu matches, %llu baseline, +%llu -%llu\n", sc.name,
                   x.key.value_or("null").c_str(), static_cast<unsigned long long>(x.matches),
                   static_cast<unsigned long long>(x.baseline),
                   static_cast<unsigned long long>(x.entering),
                   static_cast<unsigned long long>(x.leaving));
    }
  }
  return 0;
}
