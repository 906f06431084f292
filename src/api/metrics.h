// Request metrics in the Prometheus text exposition format: counts by route and status class,
// and a latency histogram per route. Lock-free on the request path.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace tongban::api {

class Metrics {
 public:
  // Records one request. `route` is the registered pattern, not the concrete path, so the
  // number of series stays bounded.
  void Record(const std::string& method, const std::string& route, int status, double seconds);
  // Adds a gauge computed when scraped (e.g. database pool size).
  void SetGauge(const std::string& name, const std::string& help, double value);
  std::string Render() const;

 private:
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,  0.1,    0.5,   1.0};
  struct Series {
    std::array<std::atomic<uint64_t>, 6> by_class{};  // 1xx..5xx, [0] unused
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_micros{0};
  };
  Series& Get(const std::string& key);

  mutable std::mutex mu_;  // guards the maps' shape, not the counters
  std::map<std::string, std::unique_ptr<Series>> series_;
  std::map<std::string, std::pair<std::string, double>> gauges_;
};

}  // namespace tongban::api
