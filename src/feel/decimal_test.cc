#include "feel/decimal.h"

#include <gtest/gtest.h>

namespace tongban::feel {
namespace {

Decimal D(std::string_view text) {
  std::optional<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Decimal());
}

TEST(DecimalTest, ParsesAndPrintsPlainNotation) {
  EXPECT_EQ(D("1.10").ToString(), "1.1");
  EXPECT_EQ(D("1E+3").ToString(), "1000");
  EXPECT_EQ(D("-0").ToString(), "0");
  EXPECT_EQ(D(".5").ToString(), "0.5");
  EXPECT_EQ(D("-.5").ToString(), "-0.5");
  EXPECT_EQ(D("1e-5").ToString(), "0.00001");
  EXPECT_EQ(D("123.4500").ToString(), "123.45");
  EXPECT_EQ(D("100").ToString(), "100");
  EXPECT_EQ(D("0.000").ToString(), "0");
  EXPECT_EQ(D("5.").ToString(), "5");
}

TEST(DecimalTest, RejectsOtherText) {
  for (std::string_view bad : {"", "-", ".", "+1", " 1", "1 ", "1e", "1e+", "NaN", "Infinity",
                               "1..2", "0x10", "1,5", "e5", "1e99999"}) {
    EXPECT_FALSE(Decimal::Parse(bad).has_value()) << bad;
  }
}

TEST(DecimalTest, ArithmeticIsDecimal) {
  EXPECT_EQ(*D("0.1").Add(D("0.2")), D("0.3"));
  EXPECT_EQ(D("0.1").Add(D("0.2"))->ToString(), "0.3");
  EXPECT_EQ(D("1").Divide(D("3"))->ToString(), "0.3333333333333333333333333333333333");
  EXPECT_EQ(D("2").Divide(D("3"))->ToString(), "0.6666666666666666666666666666666667");
  EXPECT_FALSE(D("1").Divide(D("0")).has_value());
  EXPECT_EQ(D("10").Subtract(D("0.01"))->ToString(), "9.99");
  EXPECT_EQ(D("1.5").Multiply(D("-2"))->ToString(), "-3");
  EXPECT_EQ(D("123456789012345678901234567890").Multiply(D("10"))->ToString(),
            "1234567890123456789012345678900");
  EXPECT_FALSE(D("1e6000").Multiply(D("1e6000")).has_value());
}

TEST(DecimalTest, ComparesNumerically) {
  EXPECT_EQ(D("1.0"), D("1"));
  EXPECT_EQ(D("1.0").Hash(), D("1").Hash());
  EXPECT_EQ(D("2.50").Hash(), D("2.5").Hash());
  EXPECT_LT(D("-1"), D("0.5"));
  EXPECT_GT(D("1e3"), D("999.9"));
  EXPECT_EQ(D("-0"), D("0"));
}

TEST(DecimalTest, IntegersAndDoubles) {
  EXPECT_TRUE(D("3.000").IsInteger());
  EXPECT_FALSE(D("3.1").IsInteger());
  EXPECT_EQ(D("-42").ToInt64(), -42);
  EXPECT_EQ(D("9223372036854775807").ToInt64(), INT64_MAX);
  EXPECT_FALSE(D("9223372036854775808").ToInt64().has_value());
  EXPECT_FALSE(D("1.5").ToInt64().has_value());
  EXPECT_EQ(Decimal::FromInt64(INT64_MIN).ToString(), "-9223372036854775808");
  EXPECT_DOUBLE_EQ(D("0.25").ToDouble(), 0.25);
  EXPECT_EQ(Decimal::FromDouble(0.1)->ToString(), "0.1");
  EXPECT_FALSE(Decimal::FromDouble(1.0 / 0.0).has_value());
}

TEST(DecimalTest, RoundingModesAsTheSpecShows) {
  struct Case {
    const char* n;
    int scale;
    RoundingMode mode;
    const char* want;
  };
  const Case cases[] = {
      // DMN 1.5 §10.3.4.4 examples.
      {"5.5", 0, RoundingMode::kUp, "6"},
      {"-5.5", 0, RoundingMode::kUp, "-6"},
      {"1.121", 2, RoundingMode::kUp, "1.13"},
      {"-1.126", 2, RoundingMode::kUp, "-1.13"},
      {"5.5", 0, RoundingMode::kDown, "5"},
      {"-5.5", 0, RoundingMode::kDown, "-5"},
      {"1.121", 2, RoundingMode::kDown, "1.12"},
      {"-1.126", 2, RoundingMode::kDown, "-1.12"},
      {"5.5", 0, RoundingMode::kHalfUp, "6"},
      {"-5.5", 0, RoundingMode::kHalfUp, "-6"},
      {"1.121", 2, RoundingMode::kHalfUp, "1.12"},
      {"-1.126", 2, RoundingMode::kHalfUp, "-1.13"},
      {"5.5", 0, RoundingMode::kHalfDown, "5"},
      {"-5.5", 0, RoundingMode::kHalfDown, "-5"},
      {"1.121", 2, RoundingMode::kHalfDown, "1.12"},
      {"-1.126", 2, RoundingMode::kHalfDown, "-1.13"},
      {"1.125", 2, RoundingMode::kHalfDown, "1.12"},
      // decimal(): half even.
      {"1/3", 2, RoundingMode::kHalfEven, "0.33"},
      {"1.5", 0, RoundingMode::kHalfEven, "2"},
      {"2.5", 0, RoundingMode::kHalfEven, "2"},
      {"-2.5", 0, RoundingMode::kHalfEven, "-2"},
      {"1.125", 2, RoundingMode::kHalfEven, "1.12"},
      {"1234.5", -2, RoundingMode::kHalfEven, "1200"},
  };
  for (const Case& c : cases) {
    Decimal n = std::string_view(c.n) == "1/3" ? *D("1").Divide(D("3")) : D(c.n);
    std::optional<Decimal> r = n.Round(c.scale, c.mode);
    ASSERT_TRUE(r.has_value()) << c.n;
    EXPECT_EQ(r->ToString(), c.want) << c.n << " scale " << c.scale;
  }
  EXPECT_EQ(D("1.5").Floor()->ToString(), "1");
  EXPECT_EQ(D("-1.5").Floor()->ToString(), "-2");
  EXPECT_EQ(D("-1.56").Floor(1)->ToString(), "-1.6");
  EXPECT_EQ(D("1.5").Ceiling()->ToString(), "2");
  EXPECT_EQ(D("-1.5").Ceiling()->ToString(), "-1");
  EXPECT_EQ(D("-1.56").Ceiling(1)->ToString(), "-1.5");
  EXPECT_EQ(D("0").Floor(3)->ToString(), "0");
  EXPECT_FALSE(D("1").Round(100000, RoundingMode::kHalfEven).has_value());
}

TEST(DecimalTest, ModuloHasTheDivisorsSign) {
  EXPECT_EQ(D("12").Modulo(D("5"))->ToString(), "2");
  EXPECT_EQ(D("-12").Modulo(D("5"))->ToString(), "3");
  EXPECT_EQ(D("12").Modulo(D("-5"))->ToString(), "-3");
  EXPECT_EQ(D("-12").Modulo(D("-5"))->ToString(), "-2");
  EXPECT_EQ(D("10.1").Modulo(D("4.5"))->ToString(), "1.1");
  EXPECT_EQ(D("-10.1").Modulo(D("4.5"))->ToString(), "3.4");
  EXPECT_EQ(D("10.1").Modulo(D("-4.5"))->ToString(), "-3.4");
  EXPECT_EQ(D("10").Modulo(D("5"))->ToString(), "0");
  EXPECT_FALSE(D("1").Modulo(D("0")).has_value());
}

TEST(DecimalTest, Functions) {
  EXPECT_EQ(D("16").Sqrt()->ToString(), "4");
  EXPECT_EQ(D("2").Sqrt()->ToString(), "1.414213562373095048801688724209698");
  EXPECT_FALSE(D("-1").Sqrt().has_value());
  EXPECT_EQ(D("1").Ln()->ToString(), "0");
  EXPECT_EQ(D("10").Ln()->ToString(), "2.302585092994045684017991454684364");
  EXPECT_FALSE(D("0").Ln().has_value());
  EXPECT_FALSE(D("-1").Ln().has_value());
  EXPECT_EQ(D("0").Exp()->ToString(), "1");
  EXPECT_EQ(D("1").Exp()->ToString(), "2.718281828459045235360287471352662");
  EXPECT_FALSE(D("100000").Exp().has_value());
  EXPECT_EQ(D("-3").Abs().ToString(), "3");
  EXPECT_EQ(D("3").Negate().ToString(), "-3");
}

TEST(DecimalTest, Power) {
  EXPECT_EQ(D("2").Pow(D("-2"))->ToString(), "0.25");
  EXPECT_EQ(D("2").Pow(D("10"))->ToString(), "1024");
  EXPECT_EQ(D("0").Pow(D("0"))->ToString(), "1");
  EXPECT_EQ(D("-2").Pow(D("3"))->ToString(), "-8");
  EXPECT_EQ(D("1.1").Pow(D("2"))->ToString(), "1.21");
  EXPECT_EQ(D("4").Pow(D("0.5"))->ToString(), "2");
  EXPECT_FALSE(D("0").Pow(D("-1")).has_value());
  EXPECT_FALSE(D("-8").Pow(D("0.5")).has_value());
  EXPECT_FALSE(D("10").Pow(D("100000")).has_value());
  EXPECT_EQ(D("10").Pow(D("-100000"))->ToString(), "0");
  EXPECT_EQ(D("1").Pow(D("9223372036854775807"))->ToString(), "1");
}

}  // namespace
}  // namespace tongban::feel
