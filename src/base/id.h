// Sortable ids: UUID version 7 (RFC 9562), 48 bits of Unix milliseconds then 74 random bits,
// written in the canonical text form "0192f3a4-5b6c-7d8e-9f01-23456789abcd". Ids made by one
// process are strictly increasing (RFC 9562 §6.2 method 2: within a millisecond the random part
// is increased by a random step), so sorting ids as text or bytes sorts them by creation.
// Ids are not secrets: never use one as a bearer token or a capability.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace tongban {

class Id {
 public:
  using Bytes = std::array<uint8_t, 16>;

  // The nil UUID (all zero); never produced by a generator.
  constexpr Id() = default;
  constexpr explicit Id(const Bytes& bytes) : bytes_(bytes) {}

  // Accepts the 36-character text form in either case; refuses anything that is not a version 7,
  // RFC 9562 variant UUID. The error names `field`.
  static Result<Id> Parse(std::string_view text, std::string_view field = "id");

  // Lower-case canonical form, 36 characters.
  std::string ToString() const;
  const Bytes& bytes() const { return bytes_; }
  // The creation time recorded in the id, in Unix milliseconds.
  int64_t unix_ms() const;
  Timestamp timestamp() const { return Timestamp(std::chrono::milliseconds(unix_ms())); }

  auto operator<=>(const Id&) const = default;

 private:
  Bytes bytes_{};
};

std::ostream& operator<<(std::ostream& out, const Id& id);

// Makes strictly increasing ids. Thread-safe. If the clock stands still or goes back, the last
// timestamp is kept and the random part keeps increasing; if that part would overflow (after
// ~2^40 ids in one millisecond), the timestamp is moved one millisecond ahead of the clock.
class IdGenerator {
 public:
  // Random bits from a generator seeded by the operating system.
  IdGenerator();
  // Deterministic random bits, for tests.
  explicit IdGenerator(uint64_t seed) : rng_state_(seed) {}

  Id Next(const Clock& clock);

 private:
  uint64_t Random();

  std::mutex mu_;
  uint64_t rng_state_;
  int64_t last_ms_ = -1;
  uint64_t rand_a_ = 0;  // 12 bits
  uint64_t rand_b_ = 0;  // 62 bits
};

// A new id in text form from the process-wide generator: strictly increasing across every caller
// in the process.
std::string NewId(const Clock& clock);

}  // namespace tongban
