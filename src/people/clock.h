// The time source of the people module: milliseconds since the Unix epoch (UTC), injected so
// that tests run on a fake clock (lockouts, code and token expiry, grant validity). It is a plain
// std::function so the module does not depend on any other clock type; the composition root
// passes whatever the installation uses.
#pragma once

#include <cstdint>
#include <functional>

namespace tongban::people {

using NowMs = std::function<int64_t()>;

// The system clock (std::chrono::system_clock) in milliseconds since the epoch.
NowMs SystemClock();

inline constexpr int64_t kSecondMs = 1000;
inline constexpr int64_t kMinuteMs = 60 * kSecondMs;
inline constexpr int64_t kHourMs = 60 * kMinuteMs;
inline constexpr int64_t kDayMs = 24 * kHourMs;

}  // namespace tongban::people
