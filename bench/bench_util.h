// Helpers the benchmark programs share: stop on an error with what failed, CPU clocks, and
// percentiles. (Older programs still carry their own copies; new ones include this.)
#pragma once

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban::bench {

// The value, or exits printing `what` and the error: a benchmark has no way to go on.
template <typename T>
T Must(Result<T> r, std::string_view what) {
  if (!r.ok()) {
    fmt::print(stderr, "{}: {}\n", what, r.error().ToString());
    std::exit(1);
  }
  return std::move(r).value();
}
inline void Must(const Status& s, std::string_view what) {
  if (!s.ok()) {
    fmt::print(stderr, "{}: {}\n", what, s.error().ToString());
    std::exit(1);
  }
}

// CPU time of the whole process (every thread), s.
inline double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// CPU time of the calling thread, µs.
inline double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// The p-quantile (0..1) of `v` (sorted in place); 0 when empty.
inline double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace tongban::bench
