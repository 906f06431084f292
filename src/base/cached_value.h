// One value read from the database and kept in memory, shared read-only, while its source has
// not changed: the source counts its committed changes (a generation, moved on after each commit
// by the writes of this process), and a kept value loaded at another count is read again. A
// change another process makes over the same database does not move the count: the value is
// also read again once older than a bound, which is how long such a change may go unseen.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

#include "base/clock.h"
#include "base/result.h"

namespace tongban {

template <typename T>
class CachedValue {
 public:
  // `max_age` 0 turns the cache off (every Get loads).
  explicit CachedValue(std::chrono::microseconds max_age) : max_age_(max_age) {}

  // The kept value when it was loaded at `generation` (the source's count, read before this
  // call) and is younger than the bound by `clock`; else `load()`'s (a Result<T>), kept with
  // `generation`. A load that raced a change is kept with the count read before it, so the
  // next call, which reads the moved-on count, loads again.
  template <typename Load>
  Result<std::shared_ptr<const T>> Get(const Clock& clock, uint64_t generation, Load&& load) {
    const Timestamp now = clock.Now();
    {
      std::lock_guard lock(mu_);
      if (value_ && generation_ == generation && now >= loaded_at_ && now - loaded_at_ < max_age_) {
        return value_;
      }
    }
    Result<T> loaded = std::forward<Load>(load)();
    if (!loaded.ok()) return std::move(loaded).error();
    auto value = std::make_shared<const T>(std::move(loaded).value());
    if (max_age_.count() > 0) {
      std::lock_guard lock(mu_);
      value_ = value;
      generation_ = generation;
      loaded_at_ = now;
    }
    return value;
  }

 private:
  const std::chrono::microseconds max_age_;
  std::mutex mu_;
  std::shared_ptr<const T> value_;
  uint64_t generation_ = 0;
  Timestamp loaded_at_;
};

}  // namespace tongban
