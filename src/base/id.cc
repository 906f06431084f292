#include "base/id.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>
#include <random>

namespace tongban {
namespace {

constexpr uint64_t kRandBMask = (uint64_t{1} << 62) - 1;
constexpr int64_t kMaxUnixMs = (int64_t{1} << 48) - 1;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error InvalidId(std::string_view field, std::string why) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{} is not a valid id", field),
               {{std::string(field), std::move(why)}});
}

}  // namespace

Result<Id> Id::Parse(std::string_view text, std::string_view field) {
  if (text.size() != 36) {
    return InvalidId(field, fmt::format("must be 36 characters (a UUID), not {}", text.size()));
  }
  Bytes b{};
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return InvalidId(field, fmt::format("expected '-' at position {}", i));
      continue;
    }
    const int hi = HexValue(text[i]);
    const int lo = i + 1 < text.size() ? HexValue(text[i + 1]) : -1;
    if (hi < 0 || lo < 0) {
      return InvalidId(field,
                       fmt::format("not a hexadecimal digit at position {}", hi < 0 ? i : i + 1));
    }
    b[n++] = static_cast<uint8_t>(hi << 4 | lo);
    ++i;
  }
  if ((b[6] >> 4) != 7) {
    return InvalidId(field, fmt::format("UUID version {} is not 7", b[6] >> 4));
  }
  if ((b[8] >> 6) != 2) return InvalidId(field, "UUID variant is not RFC 9562");
  return Id(b);
}

std::string Id::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[bytes_[i] >> 4]);
    s.push_back(kHex[bytes_[i] & 15]);
  }
  return s;
}

int64_t Id::unix_ms() const {
  int64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = ms << 8 | bytes_[i];
  return ms;
}

std::ostream& operator<<(std::ostream& out, const Id& id) { return out << id.ToString(); }

IdGenerator::IdGenerator() {
  std::random_device os;
  rng_state_ = uint64_t{os()} << 32 | os();
}

uint64_t IdGenerator::Random() {
  // splitmix64: fast, full-period; the seed comes from the OS (or a test).
  uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Id IdGenerator::Next(const Clock& clock) {
  int64_t now_ms =
      std::chrono::floor<std::chrono::milliseconds>(clock.Now()).time_since_epoch().count();
  now_ms = std::clamp<int64_t>(now_ms, 0, kMaxUnixMs);
  std::lock_guard lock(mu_);
  if (now_ms > last_ms_) {
    last_ms_ = now_ms;
    // The top bit of rand_a starts clear, leaving room to count up within the millisecond.
    rand_a_ = Random() & 0x7FF;
    rand_b_ = Random() & kRandBMask;
  } else {
    rand_b_ += 1 + (Random() & 0xFFFFFFFF);
    if (rand_b_ > kRandBMask) {
      rand_b_ &= kRandBMask;
      if (++rand_a_ > 0xFFF) {
        // The random part is exhausted: borrow the next millisecond (RFC 9562 §6.2).
        ++last_ms_;
        rand_a_ = Random() & 0x7FF;
        rand_b_ = Random() & kRandBMask;
      }
    }
  }
  Id::Bytes b{};
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(last_ms_ >> (8 * (5 - i)));
  b[6] = static_cast<uint8_t>(0x70 | (rand_a_ >> 8));
  b[7] = static_cast<uint8_t>(rand_a_);
  b[8] = static_cast<uint8_t>(0x80 | (rand_b_ >> 56));
  for (int i = 9; i < 16; ++i) b[i] = static_cast<uint8_t>(rand_b_ >> (8 * (15 - i)));
  return Id(b);
}

std::string NewId(const Clock& clock) {
  static IdGenerator generator;
  return generator.Next(clock).ToString();
}

}  // namespace tongban
