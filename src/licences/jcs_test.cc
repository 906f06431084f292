#include "licences/jcs.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>

namespace tongban::licences {
namespace {

std::string FromBits(uint64_t bits) { return SerializeNumber(std::bit_cast<double>(bits)); }

// RFC 8785 Appendix B: IEEE 754 values and their ECMAScript serialisation.
TEST(Jcs, NumbersOfAppendixB) {
  EXPECT_EQ(FromBits(0x0000000000000000), "0");
  EXPECT_EQ(FromBits(0x8000000000000000), "0");
  EXPECT_EQ(FromBits(0x0000000000000001), "5e-324");
  EXPECT_EQ(FromBits(0x8000000000000001), "-5e-324");
  EXPECT_EQ(FromBits(0x7fefffffffffffff), "1.7976931348623157e+308");
  EXPECT_EQ(FromBits(0xffefffffffffffff), "-1.7976931348623157e+308");
  EXPECT_EQ(FromBits(0x4340000000000000), "9007199254740992");
  EXPECT_EQ(FromBits(0xc340000000000000), "-9007199254740992");
  EXPECT_EQ(FromBits(0x4430000000000000), "295147905179352830000");
  EXPECT_EQ(FromBits(0x44b52d02c7e14af5), "9.999999999999997e+22");
  EXPECT_EQ(FromBits(0x44b52d02c7e14af6), "1e+23");
  EXPECT_EQ(FromBits(0x44b52d02c7e14af7), "1.0000000000000001e+23");
  EXPECT_EQ(FromBits(0x444b1ae4d6e2ef4e), "999999999999999700000");
  EXPECT_EQ(FromBits(0x444b1ae4d6e2ef4f), "999999999999999900000");
  EXPECT_EQ(FromBits(0x444b1ae4d6e2ef50), "1e+21");
  EXPECT_EQ(FromBits(0x3eb0c6f7a0b5ed8c), "9.999999999999997e-7");
  EXPECT_EQ(FromBits(0x3eb0c6f7a0b5ed8d), "0.000001");
  EXPECT_EQ(FromBits(0x41b3de4355555553), "333333333.3333332");
  EXPECT_EQ(FromBits(0x41b3de4355555554), "333333333.33333325");
  EXPECT_EQ(FromBits(0x41b3de4355555555), "333333333.3333333");
  EXPECT_EQ(FromBits(0x41b3de4355555556), "333333333.3333334");
  EXPECT_EQ(FromBits(0x41b3de4355555557), "333333333.33333343");
  EXPECT_EQ(FromBits(0xbecbf647612f3696), "-0.0000033333333333333333");
  EXPECT_EQ(FromBits(0x43143ff3c1cb0959), "1424953923781206.2");
}

TEST(Jcs, NonFiniteNumbersAreRefused) {
  EXPECT_FALSE(Canonicalize(nlohmann::json(std::numeric_limits<double>::quiet_NaN())).ok());
  EXPECT_FALSE(Canonicalize(nlohmann::json(std::numeric_limits<double>::infinity())).ok());
}

// RFC 8785 §3.2.2: the sample input and its canonical form.
TEST(Jcs, SampleOfSection322) {
  const auto input = nlohmann::json::parse(R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })");
  EXPECT_EQ(Canonicalize(input).value(),
            R"({"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],)"
            R"("string":"€$\u000f\nA'B\"\\\\\"/"})");
}

// RFC 8785 §3.2.3: members sorted by UTF-16 code units (the emoji's surrogates sort before
// U+FB33, unlike its UTF-8 bytes or code point would).
TEST(Jcs, SortingOfSection323) {
  const auto input = nlohmann::json::parse(R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })");
  EXPECT_EQ(Canonicalize(input).value(),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
            "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\","
            "\"😀\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
}

TEST(Jcs, NestedValuesAndIntegers) {
  const auto input =
      nlohmann::json::parse(R"({"b":[1,{"z":true,"a":-0.0}],"a":"营业执照","n":100})");
  EXPECT_EQ(Canonicalize(input).value(), R"({"a":"营业执照","b":[1,{"a":0,"z":true}],"n":100})");
  nlohmann::json bad = "\xff";
  EXPECT_FALSE(Canonicalize(bad).ok());
}

}  // namespace
}  // namespace tongban::licences
