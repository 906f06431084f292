// Throughput of the code validators: one call per iteration, cycling through a few real inputs
// so branch predictors do not learn a single value.
#include <benchmark/benchmark.h>

#include <array>
#include <chrono>
#include <string_view>

#include "base/id_number.h"
#include "base/licence_id.h"
#include "base/region.h"
#include "base/uscc.h"

namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 4> kIdNumbers = {"11010519491231002X", "431128199001010037",
                                                        "432930196003050019", "110105200002290021"};
constexpr std::array<std::string_view, 4> kUsccs = {"91350100M000100Y43", "11100000000013338W",
                                                    "11430000006122244L", "92431128000000019Q"};
constexpr std::array<std::string_view, 4> kRegionCodes = {"431128", "430181", "431128101",
                                                          "431128101010"};
constexpr std::array<std::string_view, 2> kLicenceIds = {
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0"};

template <size_t N>
std::string_view Next(const std::array<std::string_view, N>& values, size_t& i) {
  return values[i++ % N];
}

void BM_ParseIdNumber(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    auto r = tongban::ParseIdNumber(Next(kIdNumbers, i), 2025y / June / 1);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseIdNumber);

void BM_ParseUscc(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    auto r = tongban::ParseUscc(Next(kUsccs, i));
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseUscc);

void BM_LookupRegion(benchmark::State& state) {
  (void)tongban::LookupRegion("430000");  // the index is built once, outside the timing
  size_t i = 0;
  for (auto _ : state) {
    auto r = tongban::LookupRegion(Next(kRegionCodes, i));
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupRegion);

void BM_ParseLicenceId(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    auto r = tongban::ParseLicenceId(Next(kLicenceIds, i));
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseLicenceId);

}  // namespace
