// A matching run end to end (issue 8) over the shared benchmark population (../shared/bench):
// the policy's eligibility rule column-wise on 2 threads, the difference against a grant roll
// of 1,000,000 persons (eligible-not-receiving, and receiving-but-no-longer-eligible), and the
// eligible-not-receiving list written durably (a file written, fsync'ed and renamed into
// place, as a run's result must survive a crash). A second line adds each listed person's
// explanation (the interpreter's trace, for the listed rows only) to the file.
//
// The grant roll is made once before timing, deterministically: 90 % of the eligible persons
// (by id hash) and enough others to make 1,000,000 rows, held sorted by person id as a loaded
// roll would be. Prints JSON lines shaped like the peers' output (run_peers.sh).
// Usage: benefit_bench POPULATION.csv OUT_DIR [repetitions=5]; "seconds" is the median wall
// time of the repetitions, loading the CSV excluded as for the peers.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "benefits/what_if_core.h"
#include "feel/columnar.h"
#include "feel/columnar_csv.h"
#include "feel/feel.h"

namespace {

namespace feel = tongban::feel;
using Clock = std::chrono::steady_clock;

// The benchmark population's rule without `not(receiving)`: who receives is the grant roll's
// business, which the run computes.
constexpr std::string_view kRule =
    "age >= 16 and disability_level in [1, 2] and starts with(region, \"4311\") and "
    "income < 10000";
constexpr size_t kRollSize = 1'000'000;

double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double Median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

// Writes `text` to `path` durably: a temporary file, fsync, rename, fsync of the directory.
bool WriteDurably(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return false;
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return false;
  const int dir = ::open(std::filesystem::path(path).parent_path().c_str(), O_RDONLY);
  if (dir < 0) return false;
  const bool ok = ::fsync(dir) == 0;
  ::close(dir);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: benefit_bench POPULATION.csv OUT_DIR [repetitions=5]\n");
    return 2;
  }
  const std::string out_dir = argv[2];
  const int reps = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
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
  const feel::Register& reg = read->reg;
  const double load_s = Seconds(load_start);
  const int id_col = reg.Find("id");
  const int region_col = reg.Find("region");
  auto rule = feel::CompileColumnar(kRule, reg);
  if (!rule.ok()) {
    std::fprintf(stderr, "%s\n", rule.error().message().c_str());
    return 1;
  }
  feel::Scope scope;
  for (const auto& c : reg.columns()) scope.Declare(c.spec.name);
  auto explain = feel::Compile(kRule, scope);
  if (!explain.ok()) return 1;

  // The grant roll: person ids, sorted.
  std::vector<int64_t> roll;
  {
    const std::vector<uint32_t> eligible = rule->Select(2);
    for (uint32_t r : eligible) {
      if (Mix(static_cast<uint64_t>(r)) % 10 < 9 && roll.size() < kRollSize) {
        roll.push_back(reg.columns()[id_col].Get(r));
      }
    }
    std::vector<uint8_t> is_eligible(reg.rows(), 0);
    for (uint32_t r : eligible) is_eligible[r] = 1;
    for (size_t r = 0; r < reg.rows() && roll.size() < kRollSize; r += 7) {
      if (is_eligible[r] == 0) roll.push_back(reg.columns()[id_col].Get(r));
    }
    std::sort(roll.begin(), roll.end());
    roll.erase(std::unique(roll.begin(), roll.end()), roll.end());
    std::fprintf(stderr, "population %zu, eligible %zu, grant roll %zu, load %.1f s\n", reg.rows(),
                 eligible.size(), roll.size(), load_s);
  }

  for (bool explanations : {false, true}) {
    std::vector<double> match_s, diff_s, write_s, total_s;
    size_t eligible_n = 0, missing_n = 0, leaving_n = 0, bytes = 0;
    for (int rep = 0; rep < reps; ++rep) {
      const auto t0 = Clock::now();
      const std::vector<uint32_t> eligible = rule->Select(2);
      match_s.push_back(Seconds(t0));
      // One merge of two id-sorted lists: the register's rows are in id order.
      const auto t1 = Clock::now();
      std::vector<uint32_t> missing;
      size_t leaving = 0;
      size_t g = 0;
      const feel::Column& ids = reg.columns()[id_col];
      for (uint32_t r : eligible) {
        const int64_t id = ids.Get(r);
        while (g < roll.size() && roll[g] < id) {
          ++leaving;  // on the roll, not eligible
          ++g;
        }
        if (g < roll.size() && roll[g] == id) {
          ++g;
        } else {
          missing.push_back(r);
        }
      }
      leaving += roll.size() - g;
      diff_s.push_back(Seconds(t1));
      const auto t2 = Clock::now();
      std::string text = explanations ? "id,region,explanation\n" : "id,region\n";
      text.reserve(missing.size() * (explanations ? 400 : 24));
      feel::Bindings b(scope);
      for (uint32_t r : missing) {
        fmt::format_to(std::back_inserter(text), "{},{}", ids.Get(r),
                       reg.Cell(region_col, r).string());
        if (explanations) {
          for (size_t c = 0; c < reg.columns().size(); ++c) {
            b.Set(static_cast<int>(c), reg.Cell(c, r));
          }
          const feel::Evaluation e = explain->Evaluate(b, {.trace = true});
          text += ",\"";
          for (const auto& s : e.trace) {
            if (s.depth != 1) continue;  // the rule's conditions, each with its value
            fmt::format_to(std::back_inserter(text), "{} = {}; ", s.text, s.value.ToString());
          }
          text += '"';
        }
        text += '\n';
      }
      if (!WriteDurably(out_dir + "/eligible_not_receiving.csv", text)) {
        std::fprintf(stderr, "cannot write to %s\n", out_dir.c_str());
        return 1;
      }
      write_s.push_back(Seconds(t2));
      total_s.push_back(Seconds(t0));
      eligible_n = eligible.size();
      missing_n = missing.size();
      leaving_n = leaving;
      bytes = text.size();
    }
    const double s = Median(total_s);
    fmt::print(
        "{{\"peer\":\"tongban\",\"what\":\"matching run: rule + difference against the grant roll "
        "+ eligible-not-receiving written durably{}\",\"rows\":{},\"seconds\":{:.6f},"
        "\"per_s\":{:.0f},\"matches\":{},\"eligible_not_receiving\":{},\"no_longer_eligible\":{},"
        "\"grant_roll\":{},\"match_seconds\":{:.6f},\"difference_seconds\":{:.6f},"
        "\"write_seconds\":{:.6f},\"bytes_written\":{},\"threads\":2}}\n",
        explanations ? ", with explanations" : "", reg.rows(), s,
        static_cast<double>(reg.rows()) / s, eligible_n, missing_n, leaving_n, roll.size(),
        Median(match_s), Median(diff_s), Median(write_s), bytes);
    std::fflush(stdout);
  }

  // The what-if of a draft through the service's computation (benefits::ComputeWhatIf, what
  // Benefits::WhatIfDraft runs over its cached register and grouping): the income limit raised
  // from 10,000 to 12,000 and the level-1 amount from 100 to 120 yuan, counted and costed per
  // county, for the county's rule and for the province (the same rule without the county).
  auto county = feel::Grouping::ByPrefix(reg, "region", 6);
  if (!county.ok()) return 1;
  const std::string amount_now = "if disability_level = 1 then 10000 else 8000";
  const std::string amount_draft = "if disability_level = 1 then 12000 else 8000";
  for (bool province : {false, true}) {
    const std::string scope = province ? "" : " and starts with(region, \"431128\")";
    const std::string now =
        "age >= 16 and disability_level in [1, 2]" + scope + " and income < 10000";
    const std::string draft =
        "age >= 16 and disability_level in [1, 2]" + scope + " and income < 12000";
    std::vector<double> wall, cpu;
    tongban::benefits::WhatIfCounts total;
    size_t groups = 0;
    for (int rep = 0; rep < reps; ++rep) {
      total = {};
      const auto t0 = Clock::now();
      const double c0 = CpuSeconds();
      auto counts = tongban::benefits::ComputeWhatIf(
          reg, *county,
          {.now = now, .draft = draft, .amount_now = amount_now, .amount_draft = amount_draft}, 2,
          &total);
      cpu.push_back(CpuSeconds() - c0);
      wall.push_back(Seconds(t0));
      if (!counts.ok()) {
        std::fprintf(stderr, "%s\n", counts.error().ToString().c_str());
        return 1;
      }
      groups = counts->size();
    }
    fmt::print(
        "{{\"peer\":\"tongban\",\"what\":\"what-if of a draft ({}): counts, entering, leaving "
        "and cost per county\",\"rows\":{},\"seconds\":{:.6f},\"cpu_seconds\":{:.6f},"
        "\"now\":{},\"draft\":{},\"entering\":{},\"leaving\":{},\"cost_now_fen\":{},"
        "\"cost_draft_fen\":{},\"counties\":{},\"threads\":2}}\n",
        province ? "province" : "county", reg.rows(), Median(wall), Median(cpu), total.now,
        total.draft, total.entering, total.leaving, total.cost_now_fen, total.cost_draft_fen,
        groups);
    std::fflush(stdout);
  }
  return 0;
}
