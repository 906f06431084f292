// Decimal over libintelrdfpmath's BID decimal128 with explicit rounding and flag arguments
// (DECIMAL_GLOBAL_ROUNDING=0, DECIMAL_GLOBAL_EXCEPTION_FLAGS=0), so it is thread-safe.
#include "feel/decimal.h"

// clang-format off
#include <bid_conf.h>
#include <bid_functions.h>
// clang-format on

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>

namespace tongban::feel {

struct DecimalBits {
  static BID_UINT128 Get(const Decimal& d) {
    BID_UINT128 x;
    x.w[0] = d.lo_;
    x.w[1] = d.hi_;
    return x;
  }
  static Decimal Make(BID_UINT128 x) {
    Decimal d;
    d.lo_ = x.w[0];
    d.hi_ = x.w[1];
    return d;
  }
};

namespace {

constexpr _IDEC_round kNearestEven = BID_ROUNDING_TO_NEAREST;

BID_UINT128 Bits(const Decimal& d) { return DecimalBits::Get(d); }

bool Finite(BID_UINT128 x) { return bid128_isFinite(x) != 0; }

// The result when finite, else nullopt (overflow, NaN from an invalid operation).
std::optional<Decimal> Checked(BID_UINT128 x) {
  if (!Finite(x)) return std::nullopt;
  return DecimalBits::Make(x);
}

BID_UINT128 FromInt(int64_t v) { return bid128_from_int64(v); }

// Whether `text` is FEEL/JSON number text: -?(digits[.digits*]|.digits)([eE][+-]?digits)?
bool IsNumberText(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  if (i < n && text[i] == '-') ++i;
  size_t int_digits = 0;
  while (i < n && text[i] >= '0' && text[i] <= '9') ++i, ++int_digits;
  size_t frac_digits = 0;
  if (i < n && text[i] == '.') {
    ++i;
    while (i < n && text[i] >= '0' && text[i] <= '9') ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < n && text[i] >= '0' && text[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == n;
}

// Coefficient digits and exponent of a finite value, from the library's "[+-]digitsE[+-]n".
struct Parts {
  bool negative = false;
  std::string digits;  // no leading zeros; "0" for zero
  int exponent = 0;
};

Parts Decompose(BID_UINT128 x) {
  std::array<char, 64> buf{};
  _IDEC_flags flags = 0;
  bid128_to_string(buf.data(), x, &flags);
  std::string_view s(buf.data());
  Parts p;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
    p.negative = s[i] == '-';
    ++i;
  }
  size_t e = s.find_first_of("Ee", i);
  std::string_view digits = s.substr(i, e == std::string_view::npos ? s.npos : e - i);
  if (e != std::string_view::npos) {
    std::string_view exp = s.substr(e + 1);
    if (!exp.empty() && exp[0] == '+') exp.remove_prefix(1);
    std::from_chars(exp.data(), exp.data() + exp.size(), p.exponent);
  }
  size_t nz = digits.find_first_not_of('0');
  p.digits = nz == std::string_view::npos ? "0" : std::string(digits.substr(nz));
  return p;
}

constexpr int32_t kMinScale = -6111;
constexpr int32_t kMaxScale = 6176;

}  // namespace

std::optional<Decimal> Decimal::Parse(std::string_view text) {
  if (!IsNumberText(text)) return std::nullopt;
  std::string buf(text);
  if (buf[0] == '.' || (buf[0] == '-' && buf.size() > 1 && buf[1] == '.')) {
    buf.insert(buf[0] == '-' ? 1 : 0, "0");
  }
  _IDEC_flags flags = 0;
  BID_UINT128 x = bid128_from_string(buf.data(), kNearestEven, &flags);
  return Checked(x);
}

Decimal Decimal::FromInt64(int64_t value) { return DecimalBits::Make(FromInt(value)); }

std::optional<Decimal> Decimal::FromDouble(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return Parse(std::string_view(buf.data(), end - buf.data()));
}

std::string Decimal::ToString() const {
  Parts p = Decompose(Bits(*this));
  if (p.digits == "0") return "0";
  std::string out = p.negative ? "-" : "";
  if (p.exponent >= 0) {
    out += p.digits;
    out.append(static_cast<size_t>(p.exponent), '0');
    return out;
  }
  // Strip trailing zeros that lie after the point.
  std::string digits = p.digits;
  int exponent = p.exponent;
  while (exponent < 0 && digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (exponent >= 0) return out + digits;
  const size_t frac = static_cast<size_t>(-exponent);
  if (digits.size() > frac) {
    out += digits.substr(0, digits.size() - frac);
    out += '.';
    out += digits.substr(digits.size() - frac);
  } else {
    out += "0.";
    out.append(frac - digits.size(), '0');
    out += digits;
  }
  return out;
}

std::optional<Decimal> Decimal::Add(const Decimal& other) const {
  _IDEC_flags flags = 0;
  return Checked(bid128_add(Bits(*this), Bits(other), kNearestEven, &flags));
}

std::optional<Decimal> Decimal::Subtract(const Decimal& other) const {
  _IDEC_flags flags = 0;
  return Checked(bid128_sub(Bits(*this), Bits(other), kNearestEven, &flags));
}

std::optional<Decimal> Decimal::Multiply(const Decimal& other) const {
  _IDEC_flags flags = 0;
  return Checked(bid128_mul(Bits(*this), Bits(other), kNearestEven, &flags));
}

std::optional<Decimal> Decimal::Divide(const Decimal& divisor) const {
  if (divisor.IsZero()) return std::nullopt;
  _IDEC_flags flags = 0;
  return Checked(bid128_div(Bits(*this), Bits(divisor), kNearestEven, &flags));
}

std::strong_ordering Decimal::Compare(const Decimal& other) const {
  _IDEC_flags flags = 0;
  if (bid128_quiet_equal(Bits(*this), Bits(other), &flags)) return std::strong_ordering::equal;
  if (bid128_quiet_less(Bits(*this), Bits(other), &flags)) return std::strong_ordering::less;
  return std::strong_ordering::greater;
}

bool Decimal::IsZero() const { return bid128_isZero(Bits(*this)) != 0; }

bool Decimal::IsNegative() const { return !IsZero() && bid128_isSigned(Bits(*this)) != 0; }

bool Decimal::IsInteger() const {
  _IDEC_flags flags = 0;
  BID_UINT128 t = bid128_round_integral_zero(Bits(*this), &flags);
  return bid128_quiet_equal(t, Bits(*this), &flags) != 0;
}

std::optional<int64_t> Decimal::ToInt64() const {
  if (!IsInteger()) return std::nullopt;
  _IDEC_flags flags = 0;
  int64_t v = bid128_to_int64_int(Bits(*this), &flags);
  if ((flags & BID_INVALID_EXCEPTION) != 0) return std::nullopt;
  return v;
}

double Decimal::ToDouble() const {
  _IDEC_flags flags = 0;
  return bid128_to_binary64(Bits(*this), kNearestEven, &flags);
}

namespace {

// Rounds x to an integer in `mode`.
BID_UINT128 RoundIntegral(BID_UINT128 x, RoundingMode mode) {
  _IDEC_flags flags = 0;
  switch (mode) {
    case RoundingMode::kHalfEven:
      return bid128_round_integral_nearest_even(x, &flags);
    case RoundingMode::kHalfUp:
      return bid128_round_integral_nearest_away(x, &flags);
    case RoundingMode::kHalfDown: {
      BID_UINT128 t = bid128_round_integral_zero(x, &flags);
      BID_UINT128 diff = bid128_abs(bid128_sub(x, t, kNearestEven, &flags));
      BID_UINT128 half = bid128_div(FromInt(1), FromInt(2), kNearestEven, &flags);
      if (bid128_quiet_equal(diff, half, &flags)) return t;
      return bid128_round_integral_nearest_even(x, &flags);
    }
    case RoundingMode::kUp:
      return bid128_isSigned(x) ? bid128_round_integral_negative(x, &flags)
                                : bid128_round_integral_positive(x, &flags);
    case RoundingMode::kDown:
      return bid128_round_integral_zero(x, &flags);
  }
  return x;
}

// Rounds at `scale` digits after the point: shift, round to an integer, shift back. The shifts
// change only the exponent, so they are exact within the exponent range.
std::optional<Decimal> RoundAtScale(BID_UINT128 x, int32_t scale,
                                    const std::function<BID_UINT128(BID_UINT128)>& round) {
  if (scale < kMinScale || scale > kMaxScale) return std::nullopt;
  if (bid128_isZero(x)) return DecimalBits::Make(FromInt(0));
  _IDEC_flags flags = 0;
  BID_UINT128 shifted = bid128_scalbn(x, scale, kNearestEven, &flags);
  // x * 10^scale overflowing means |x| >= 10^(6145 - scale): with 34 digits, x has none past
  // the scale's position, so it is its own rounding (`round up(5.5, 6176)` is 5.5).
  if (!Finite(shifted)) return Checked(x);
  BID_UINT128 rounded = round(shifted);
  BID_UINT128 back = bid128_scalbn(rounded, -scale, kNearestEven, &flags);
  return Checked(back);
}

}  // namespace

std::optional<Decimal> Decimal::Floor(int32_t scale) const {
  return RoundAtScale(Bits(*this), scale, [](BID_UINT128 x) {
    _IDEC_flags flags = 0;
    return bid128_round_integral_negative(x, &flags);
  });
}

std::optional<Decimal> Decimal::Ceiling(int32_t scale) const {
  return RoundAtScale(Bits(*this), scale, [](BID_UINT128 x) {
    _IDEC_flags flags = 0;
    return bid128_round_integral_positive(x, &flags);
  });
}

std::optional<Decimal> Decimal::Round(int32_t scale, RoundingMode mode) const {
  return RoundAtScale(Bits(*this), scale, [mode](BID_UINT128 x) { return RoundIntegral(x, mode); });
}

Decimal Decimal::Abs() const { return DecimalBits::Make(bid128_abs(Bits(*this))); }

Decimal Decimal::Negate() const {
  if (IsZero()) return Decimal();
  return DecimalBits::Make(bid128_negate(Bits(*this)));
}

std::optional<Decimal> Decimal::Modulo(const Decimal& divisor) const {
  if (divisor.IsZero()) return std::nullopt;
  _IDEC_flags flags = 0;
  // fmod is exact and has the dividend's sign; move it to the divisor's side.
  BID_UINT128 r = bid128_fmod(Bits(*this), Bits(divisor), &flags);
  if (!Finite(r)) return std::nullopt;
  if (!bid128_isZero(r) && (bid128_isSigned(r) != 0) != divisor.IsNegative()) {
    r = bid128_add(r, Bits(divisor), kNearestEven, &flags);
  }
  if (bid128_isZero(r)) return Decimal();
  return Checked(r);
}

std::optional<Decimal> Decimal::Sqrt() const {
  if (IsNegative()) return std::nullopt;
  _IDEC_flags flags = 0;
  return Checked(bid128_sqrt(Bits(*this), kNearestEven, &flags));
}

std::optional<Decimal> Decimal::Ln() const {
  if (IsNegative() || IsZero()) return std::nullopt;
  _IDEC_flags flags = 0;
  return Checked(bid128_log(Bits(*this), kNearestEven, &flags));
}

std::optional<Decimal> Decimal::Exp() const {
  _IDEC_flags flags = 0;
  return Checked(bid128_exp(Bits(*this), kNearestEven, &flags));
}

std::optional<Decimal> Decimal::Pow(const Decimal& exponent) const {
  if (std::optional<int64_t> n = exponent.ToInt64()) {
    if (*n == 0) return FromInt64(1);
    if (IsZero() && *n < 0) return std::nullopt;
    // Square-and-multiply over |n|; each product is rounded to 34 digits, so results that fit
    // are exact.
    uint64_t e = *n < 0 ? static_cast<uint64_t>(-(*n + 1)) + 1 : static_cast<uint64_t>(*n);
    _IDEC_flags flags = 0;
    BID_UINT128 base = Bits(*this);
    BID_UINT128 result = FromInt(1);
    while (e != 0) {
      if ((e & 1U) != 0) {
        result = bid128_mul(result, base, kNearestEven, &flags);
        if (!Finite(result)) break;
      }
      e >>= 1U;
      if (e != 0) {
        base = bid128_mul(base, base, kNearestEven, &flags);
        if (!Finite(base)) {
          result = base;
          break;
        }
      }
    }
    if (*n < 0) {
      if (!Finite(result)) return DecimalBits::Make(FromInt(0));  // 1 / huge underflows to 0
      result = bid128_div(FromInt(1), result, kNearestEven, &flags);
    }
    return Checked(result);
  }
  if (IsNegative()) return std::nullopt;
  _IDEC_flags flags = 0;
  return Checked(bid128_pow(Bits(*this), Bits(exponent), kNearestEven, &flags));
}

size_t Decimal::Hash() const {
  if (std::optional<int64_t> v = ToInt64()) return std::hash<int64_t>()(*v);
  return std::hash<std::string>()(ToString());
}

}  // namespace tongban::feel
