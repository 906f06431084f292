// The eligibility rule of issue 3 evaluated column-wise (src/feel/columnar.h) over the shared
// benchmark population (../shared/bench) held in memory as typed columns: rows/s on 1 and 2
// threads. Prints JSON lines shaped like the peers' output (run_peers.sh), so the two can be
// put side by side. Usage: columnar_bench POPULATION.csv [repetitions=5]; "seconds" is the
// wall time of one Select (median of the repetitions), loading excluded as for the peers.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "feel/columnar.h"

namespace {

namespace feel = tongban::feel;

constexpr std::string_view kRule =
    "age >= 16 and disability_level in [1, 2] and starts with(region, \"431128\") and "
    "income < 10000 and not(receiving)";

feel::Register Load(const std::string& path) {
  feel::RegisterBuilder b({{"age", feel::ColumnType::kNumber},
                           {"disability_level", feel::ColumnType::kNumber},
                           {"region", feel::ColumnType::kString},
                           {"income", feel::ColumnType::kNumber},
                           {"receiving", feel::ColumnType::kBoolean}});
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header: id,age,disability_level,region,income,receiving
  std::vector<std::string_view> f;
  while (std::getline(in, line)) {
    f.clear();
    size_t start = 0;
    for (size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == ',') {
        f.push_back(std::string_view(line).substr(start, i - start));
        start = i + 1;
      }
    }
    if (f.size() != 6) continue;
    b.AddRow();
    for (size_t c : {1, 2, 4}) {
      int64_t v = 0;
      if (!f[c].empty() &&
          std::from_chars(f[c].data(), f[c].data() + f[c].size(), v).ec == std::errc{}) {
        b.SetNumber(c == 4 ? 3 : c - 1, v);
      }
    }
    if (!f[3].empty()) b.SetString(2, f[3]);
    if (!f[5].empty()) b.SetBoolean(4, f[5] == "true");
  }
  return std::move(b).Build();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: columnar_bench POPULATION.csv [repetitions=5]\n");
    return 2;
  }
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  const auto load_start = std::chrono::steady_clock::now();
  const feel::Register reg = Load(argv[1]);
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count();
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
      const auto t0 = std::chrono::steady_clock::now();
      const std::vector<uint32_t> rows = rule->Select(threads);
      secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      matches = rows.size();
    }
    std::sort(secs.begin(), secs.end());
    const double s = secs[secs.size() / 2];
    fmt::print(
        "{{\"peer\":\"tongban\",\"what\":\"columnar eligibility rule, {} thread(s)\","
        "\"rows\":{},\"seconds\":{:.6f},\"per_s\":{:.0f},\"matches\":{},\"threads\":{},"
        "\"load_seconds\":{:.1f},\"min_seconds\":{:.6f},\"max_seconds\":{:.6f}}}\n",
        threads, reg.rows(), s, static_cast<double>(reg.rows()) / s, matches, threads, load_s,
        secs.front(), secs.back());
  }
  return 0;
}
