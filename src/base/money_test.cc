#include "base/money.h"

#include <gtest/gtest.h>

#include <limits>

namespace tongban {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST(Money, ParsesYuanExactlyIntoFen) {
  struct Case {
    const char* text;
    int64_t fen;
  } cases[] = {{"12.34", 1234},
               {"12", 1200},
               {"12.3", 1230},
               {"0.05", 5},
               {"0", 0},
               {"-0.50", -50},
               {"-0", 0},
               {"007.10", 710},
               {"92233720368547758.07", kMax},
               {"-92233720368547758.08", kMin}};
  for (const Case& c : cases) {
    auto m = Money::Parse(c.text);
    ASSERT_TRUE(m.ok()) << c.text << ": " << m.error().ToString();
    EXPECT_EQ(m->fen(), c.fen) << c.text;
  }
}

TEST(Money, RefusesRoundingSignsSeparatorsAndOverflow) {
  for (const char* text : {"12.345", "0.001", ".5", "5.", "", "-", "+1", "1,000", " 1", "1 ", "1e3",
                           "12.3a", "１２", "--1", "1.2.3", "¥12"}) {
    auto m = Money::Parse(text, "fee");
    ASSERT_FALSE(m.ok()) << text;
    EXPECT_EQ(m.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(m.error().fields().at(0).field, "fee");
  }
  EXPECT_NE(Money::Parse("12.345").error().fields()[0].message.find("more than 2 decimals"),
            std::string::npos);
  for (const char* text : {"92233720368547758.08", "-92233720368547758.09", "99999999999999999999",
                           "100000000000000000"}) {
    auto m = Money::Parse(text);
    ASSERT_FALSE(m.ok()) << text;
    EXPECT_NE(m.error().message().find("out of range"), std::string::npos) << text;
  }
}

TEST(Money, FormatsAsYuanAndWithTheSymbol) {
  EXPECT_EQ(Money::FromFen(1234).ToString(), "12.34");
  EXPECT_EQ(Money::FromFen(1234).ToYuanString(), "12.34 元");
  EXPECT_EQ(Money::FromFen(1234).ToSymbolString(), "¥12.34");
  EXPECT_EQ(Money::FromFen(5).ToString(), "0.05");
  EXPECT_EQ(Money::FromFen(0).ToYuanString(), "0.00 元");
  EXPECT_EQ(Money::FromFen(-5).ToString(), "-0.05");
  EXPECT_EQ(Money::FromFen(-1230).ToSymbolString(), "-¥12.30");
  EXPECT_EQ(Money::FromFen(kMin).ToString(), "-92233720368547758.08");
  // What is printed parses back to the same amount.
  for (int64_t fen : {int64_t{0}, int64_t{1}, int64_t{-99}, int64_t{123456789}, kMax, kMin}) {
    EXPECT_EQ(Money::Parse(Money::FromFen(fen).ToString())->fen(), fen);
  }
}

TEST(Money, ArithmeticIsExactAndRefusesOverflow) {
  const Money a = *Money::Parse("0.10"), b = *Money::Parse("0.20");
  EXPECT_EQ(a.Add(b)->ToString(), "0.30");  // no 0.30000000000000004
  EXPECT_EQ(a.Subtract(b)->fen(), -10);
  EXPECT_EQ(Money::FromFen(1000).Multiply(3)->fen(), 3000);
  EXPECT_FALSE(Money::FromFen(kMax).Add(Money::FromFen(1)).ok());
  EXPECT_FALSE(Money::FromFen(kMin).Subtract(Money::FromFen(1)).ok());
  EXPECT_FALSE(Money::FromFen(kMin).Multiply(-1).ok());
  auto over = Money::FromFen(kMax / 2 + 1).Multiply(2, "total");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().fields().at(0).field, "total");
  EXPECT_LT(a, b);
  EXPECT_EQ(Money(), Money::FromFen(0));
}

}  // namespace
}  // namespace tongban
