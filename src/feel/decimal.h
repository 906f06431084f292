// FEEL numbers: IEEE 754 decimal128 (34 significant digits, round half to even), as the DMN
// specification requires, over Intel's decimal floating-point library (libintelrdfpmath, BID
// encoding). Values are always finite: any operation whose result would be NaN or infinite
// yields std::nullopt, which FEEL turns into null.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tongban::feel {

// How Round picks between the two neighbours at the requested scale (DMN 1.5 §10.3.4.4).
enum class RoundingMode {
  kHalfEven,  // 2.5 -> 2, 3.5 -> 4 (`decimal`, `round half even`)
  kHalfUp,    // away from zero at the half: 2.5 -> 3, -2.5 -> -3 (`round half up`)
  kHalfDown,  // towards zero at the half: 2.5 -> 2, -2.5 -> -2 (`round half down`)
  kUp,        // away from zero: 5.1 -> 6, -5.1 -> -6 (`round up`)
  kDown,      // towards zero: 5.9 -> 5, -5.9 -> -5 (`round down`)
};

class Decimal {
 public:
  // Zero.
  Decimal() = default;

  // FEEL/JSON number text: `-?digits[.digits][(e|E)[+-]digits]`, also `.5` and `5.`; no
  // surrounding spaces, no `+` sign, no `NaN`/`Infinity`. Rounds to 34 digits. nullopt for
  // anything else or a value out of decimal128's range.
  static std::optional<Decimal> Parse(std::string_view text);
  static Decimal FromInt64(int64_t value);
  // The nearest decimal128 to `value` (shortest round-trip text); nullopt for NaN/infinity.
  static std::optional<Decimal> FromDouble(double value);

  // Plain notation, never an exponent, no trailing fractional zeros, no negative zero:
  // 1.10 -> "1.1", 1E+3 -> "1000", -0 -> "0", 1E-5 -> "0.00001".
  std::string ToString() const;

  // Arithmetic, rounded to 34 digits. nullopt on overflow.
  std::optional<Decimal> Add(const Decimal& other) const;
  std::optional<Decimal> Subtract(const Decimal& other) const;
  std::optional<Decimal> Multiply(const Decimal& other) const;
  // nullopt for division by zero (FEEL: null) or overflow.
  std::optional<Decimal> Divide(const Decimal& divisor) const;

  // Numeric comparison: 1.0 equals 1.
  std::strong_ordering Compare(const Decimal& other) const;
  bool operator==(const Decimal& other) const { return std::is_eq(Compare(other)); }
  std::strong_ordering operator<=>(const Decimal& other) const { return Compare(other); }

  bool IsZero() const;
  bool IsNegative() const;  // strictly below zero
  bool IsInteger() const;
  // The value when it is an integer within int64's range, else nullopt.
  std::optional<int64_t> ToInt64() const;
  // The nearest double (for the few places that need one, e.g. a duration multiplier).
  double ToDouble() const;

  // Rounding to `scale` digits after the point (a negative scale rounds to tens, hundreds…).
  // Scale must be within [-6111, 6176]; outside it the result is nullopt.
  std::optional<Decimal> Floor(int32_t scale = 0) const;
  std::optional<Decimal> Ceiling(int32_t scale = 0) const;
  std::optional<Decimal> Round(int32_t scale, RoundingMode mode) const;

  Decimal Abs() const;
  Decimal Negate() const;
  // FEEL `modulo(dividend, divisor)`: dividend - divisor * floor(dividend / divisor); the
  // result has the divisor's sign. modulo(-12, 5) = 3, modulo(10.1, 4.5) = 1.1. nullopt for a
  // zero divisor.
  std::optional<Decimal> Modulo(const Decimal& divisor) const;
  std::optional<Decimal> Sqrt() const;  // nullopt for a negative value
  std::optional<Decimal> Ln() const;    // nullopt for a value <= 0
  std::optional<Decimal> Exp() const;   // nullopt on overflow
  // FEEL `**`: an integer exponent is computed exactly by repeated multiplication (2 ** -2 =
  // 0.25, 0 ** 0 = 1); any other exponent goes through decimal128 pow. nullopt for 0 ** -1,
  // a negative base with a fractional exponent, or overflow.
  std::optional<Decimal> Pow(const Decimal& exponent) const;

  // Equal for numerically equal values (1.0 and 1 hash alike).
  size_t Hash() const;

 private:
  // The decimal128 bits (all zero bits is a valid zero), kept opaque so that the library's headers
  // stay inside decimal.cc.
  uint64_t lo_ = 0;
  uint64_t hi_ = 0;
  friend struct DecimalBits;
};

}  // namespace tongban::feel

template <>
struct std::hash<tongban::feel::Decimal> {
  size_t operator()(const tongban::feel::Decimal& d) const { return d.Hash(); }
};
