// Money as an exact integer number of fen (分, 0.01 元): fees, subsidies and benefits are counted
// and summed without floating point. Every operation that could overflow says so instead.
#pragma once

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tongban {

class Money {
 public:
  constexpr Money() = default;
  static constexpr Money FromFen(int64_t fen) { return Money(fen); }

  // Parses a yuan amount written with at most two decimals: "12", "12.3", "12.34", "-0.50".
  // Refuses a third decimal (never rounds), an empty whole or decimal part (".5", "5."), signs
  // other than a leading '-', separators, spaces, exponents, and amounts beyond the int64 range
  // of fen (±92,233,720,368,547,758.07 元). The error names `field`.
  static Result<Money> Parse(std::string_view text, std::string_view field = "amount");

  constexpr int64_t fen() const { return fen_; }

  // "12.34", "-0.05", "0.00": the form Parse reads back.
  std::string ToString() const;
  // "12.34 元", for documents and messages.
  std::string ToYuanString() const;
  // "¥12.34" ("-¥12.34" when negative), for prices on pages.
  std::string ToSymbolString() const;

  // Exact sums and products; an error (invalid_argument, naming `field`) instead of overflow.
  Result<Money> Add(Money other, std::string_view field = "amount") const;
  Result<Money> Subtract(Money other, std::string_view field = "amount") const;
  Result<Money> Multiply(int64_t factor, std::string_view field = "amount") const;

  constexpr auto operator<=>(const Money&) const = default;

 private:
  constexpr explicit Money(int64_t fen) : fen_(fen) {}

  int64_t fen_ = 0;
};

std::ostream& operator<<(std::ostream& out, Money m);

}  // namespace tongban
