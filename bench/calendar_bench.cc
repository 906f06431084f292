// Working-day arithmetic: calls per second of AddWorkingDays and WorkingDaysBetween (goal: at
// least 10 M/s each, docs PERFORMANCE.md), inside the loaded years and beyond them, one and two
// threads, and a day-by-day loop over IsWorkingDay as the naive peer.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "base/calendar.h"

namespace tongban {
namespace {

struct Input {
  Date from;
  Date to;
  int64_t n;
};

// 4096 seeded inputs, so that every run measures the same calls and the branch predictor cannot
// learn a single one.
std::vector<Input> Inputs(std::string_view first, std::string_view last, int64_t max_n,
                          int64_t max_span) {
  std::mt19937_64 rng(20250124);
  std::uniform_int_distribution<int64_t> day(Date::Parse(first)->days(), Date::Parse(last)->days());
  std::uniform_int_distribution<int64_t> n(1, max_n);
  std::uniform_int_distribution<int64_t> span(-max_span, max_span);
  std::vector<Input> in(4096);
  for (Input& i : in) {
    i.from = Date::FromDays(day(rng));
    i.to = i.from.AddDays(span(rng));
    i.n = n(rng);
  }
  return in;
}

const Calendar& National() {
  static const auto* calendar = Calendar::WithEmbeddedSchedules().release();
  return *calendar;
}

void BM_AddWorkingDays(benchmark::State& state, std::vector<Input> in) {
  const Calendar& cal = National();
  size_t i = 0;
  for (auto _ : state) {
    const Input& x = in[i++ & 4095];
    auto r = cal.AddWorkingDays(x.from, x.n);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_WorkingDaysBetween(benchmark::State& state, std::vector<Input> in) {
  const Calendar& cal = National();
  size_t i = 0;
  for (auto _ : state) {
    const Input& x = in[i++ & 4095];
    auto r = cal.WorkingDaysBetween(x.from, x.to);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// The naive peer: count day by day with IsWorkingDay, what an implementation without prefix
// tables does.
void BM_NaiveAddWorkingDays(benchmark::State& state, std::vector<Input> in) {
  const Calendar& cal = National();
  size_t i = 0;
  for (auto _ : state) {
    const Input& x = in[i++ & 4095];
    Date d = x.from;
    for (int64_t counted = 0; counted < x.n;) {
      d = d.AddDays(1);
      if (cal.IsWorkingDay(d).working) ++counted;
    }
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}

// Typical limits (1-60 working days) from dates in the loaded years 2024-2026.
const auto kLoaded = Inputs("2024-01-01", "2026-11-30", 60, 90);
// Beyond the loaded years (weekend-only closed form) and long limits across them.
const auto kOutside = Inputs("2030-01-01", "2040-12-31", 60, 90);
const auto kLong = Inputs("2020-01-01", "2030-12-31", 10000, 5000);

BENCHMARK_CAPTURE(BM_AddWorkingDays, loaded_years, kLoaded);
BENCHMARK_CAPTURE(BM_AddWorkingDays, loaded_years, kLoaded)->Threads(2);
BENCHMARK_CAPTURE(BM_AddWorkingDays, outside_loaded_years, kOutside);
BENCHMARK_CAPTURE(BM_AddWorkingDays, n_up_to_10000, kLong);
BENCHMARK_CAPTURE(BM_WorkingDaysBetween, loaded_years, kLoaded);
BENCHMARK_CAPTURE(BM_WorkingDaysBetween, loaded_years, kLoaded)->Threads(2);
BENCHMARK_CAPTURE(BM_WorkingDaysBetween, outside_loaded_years, kOutside);
BENCHMARK_CAPTURE(BM_WorkingDaysBetween, span_up_to_5000, kLong);
BENCHMARK_CAPTURE(BM_NaiveAddWorkingDays, loaded_years, kLoaded);

}  // namespace
}  // namespace tongban

BENCHMARK_MAIN();
