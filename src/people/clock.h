// Time in the people module: milliseconds since the Unix epoch (UTC), what its tables store. The
// source is the platform's injectable base::Clock (base/clock.h), so tests run on a FakeClock
// (lockouts, code and token expiry, grant validity) and never sleep.
#pragma once

#include <chrono>
#include <cstdint>

#include "base/clock.h"

namespace tongban::people {

// Milliseconds since the epoch on `clock` (sub-millisecond parts dropped).
inline int64_t EpochMs(const Clock& clock) {
  return std::chrono::floor<std::chrono::milliseconds>(clock.Now()).time_since_epoch().count();
}

// The instant `ms` milliseconds after the epoch, for setting a FakeClock.
inline Timestamp FromEpochMs(int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }

inline constexpr int64_t kSecondMs = 1000;
inline constexpr int64_t kMinuteMs = 60 * kSecondMs;
inline constexpr int64_t kHourMs = 60 * kMinuteMs;
inline constexpr int64_t kDayMs = 24 * kHourMs;

}  // namespace tongban::people
