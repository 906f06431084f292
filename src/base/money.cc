#include "base/money.h"

#include <fmt/format.h>

#include <ostream>

namespace tongban {
namespace {

Error InvalidAmount(std::string_view field, std::string why) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{} is not a valid amount", field),
               {{std::string(field), std::move(why)}});
}

Error Overflow(std::string_view field) {
  return Error(ErrorCode::kInvalidArgument, fmt::format("{} is out of range", field),
               {{std::string(field), "the amount exceeds ±92233720368547758.07 元"}});
}

// `prefix` then the magnitude of `fen` as yuan with two decimals: "-¥" + "12.34".
std::string Format(int64_t fen, std::string_view prefix) {
  const uint64_t magnitude =
      fen < 0 ? uint64_t{0} - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  return fmt::format("{}{}.{:02}", prefix, magnitude / 100, magnitude % 100);
}

}  // namespace

Result<Money> Money::Parse(std::string_view text, std::string_view field) {
  const std::string_view original = text;
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view decimals =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  auto all_digits = [](std::string_view s) {
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(decimals) ||
      (dot != std::string_view::npos && decimals.empty())) {
    return InvalidAmount(field,
                         fmt::format("'{}' is not an amount in yuan such as 12.34", original));
  }
  if (decimals.size() > 2) {
    return InvalidAmount(field, fmt::format("'{}' has more than 2 decimals (fen)", original));
  }
  // The magnitude may reach 2^63 only for a negative amount (INT64_MIN fen).
  const uint64_t max = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  uint64_t fen = 0;
  for (char c : whole) {
    if (fen > (max - static_cast<uint64_t>(c - '0')) / 10) return Overflow(field);
    fen = fen * 10 + static_cast<uint64_t>(c - '0');
  }
  const uint64_t cents =
      decimals.empty() ? 0
                       : static_cast<uint64_t>(decimals[0] - '0') * 10 +
                             (decimals.size() == 2 ? static_cast<uint64_t>(decimals[1] - '0') : 0);
  if (fen > (max - cents) / 100) return Overflow(field);
  fen = fen * 100 + cents;
  return Money(negative ? static_cast<int64_t>(uint64_t{0} - fen) : static_cast<int64_t>(fen));
}

std::string Money::ToString() const { return Format(fen_, fen_ < 0 ? "-" : ""); }

std::string Money::ToYuanString() const { return ToString() + " 元"; }

std::string Money::ToSymbolString() const { return Format(fen_, fen_ < 0 ? "-¥" : "¥"); }

Result<Money> Money::Add(Money other, std::string_view field) const {
  int64_t sum = 0;
  if (__builtin_add_overflow(fen_, other.fen_, &sum)) return Overflow(field);
  return Money(sum);
}

Result<Money> Money::Subtract(Money other, std::string_view field) const {
  int64_t difference = 0;
  if (__builtin_sub_overflow(fen_, other.fen_, &difference)) return Overflow(field);
  return Money(difference);
}

Result<Money> Money::Multiply(int64_t factor, std::string_view field) const {
  int64_t product = 0;
  if (__builtin_mul_overflow(fen_, factor, &product)) return Overflow(field);
  return Money(product);
}

std::ostream& operator<<(std::ostream& out, Money m) { return out << m.ToYuanString(); }

}  // namespace tongban
