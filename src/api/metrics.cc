#include "api/metrics.h"

#include <fmt/format.h>

namespace tongban::api {

Metrics::Series& Metrics::Get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto& s = series_[key];
  if (!s) s = std::make_unique<Series>();
  return *s;
}

void Metrics::Record(const std::string& method, const std::string& route, int status,
                     double seconds) {
  Series& s = Get(method + " " + route);
  const int cls = status / 100;
  if (cls >= 1 && cls <= 5) s.by_class[cls].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  s.buckets[b].fetch_add(1, std::memory_order_relaxed);
  s.count.fetch_add(1, std::memory_order_relaxed);
  s.sum_micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Metrics::SetGauge(const std::string& name, const std::string& help, double value) {
  std::lock_guard lock(mu_);
  gauges_[name] = {help, value};
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP tongban_http_requests_total HTTP requests by route and status class.\n";
  out += "# TYPE tongban_http_requests_total counter\n";
  auto labels = [](const std::string& key) {
    const size_t sp = key.find(' ');
    return fmt::format("method=\"{}\",route=\"{}\"", key.substr(0, sp), key.substr(sp + 1));
  };
  for (const auto& [key, s] : series_) {
    for (int c = 1; c <= 5; ++c) {
      const uint64_t n = s->by_class[c].load(std::memory_order_relaxed);
      if (n)
        out += fmt::format("tongban_http_requests_total{{{},status=\"{}xx\"}} {}\n", labels(key), c,
                           n);
    }
  }
  out += "# HELP tongban_http_request_duration_seconds HTTP request latency.\n";
  out += "# TYPE tongban_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : series_) {
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += s->buckets[b].load(std::memory_order_relaxed);
      const std::string le = b < kBuckets.size() ? fmt::format("{}", kBuckets[b]) : "+Inf";
      out += fmt::format("tongban_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                         labels(key), le, cumulative);
    }
    out += fmt::format("tongban_http_request_duration_seconds_sum{{{}}} {}\n", labels(key),
                       s->sum_micros.load(std::memory_order_relaxed) / 1e6);
    out += fmt::format("tongban_http_request_duration_seconds_count{{{}}} {}\n", labels(key),
                       s->count.load(std::memory_order_relaxed));
  }
  for (const auto& [name, g] : gauges_) {
    out +=
        fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, g.first, name, name, g.second);
  }
  return out;
}

}  // namespace tongban::api
