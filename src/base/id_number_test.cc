#include "base/id_number.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tongban {
namespace {

using namespace std::chrono;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr year_month_day kToday = 2025y / June / 1;

std::string ErrorOf(std::string_view id) {
  auto r = ParseIdNumber(id, kToday);
  EXPECT_FALSE(r.ok()) << id << " was accepted";
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  return r.error().message();
}

TEST(IdNumber, KnownGoodNumber) {
  auto r = ParseIdNumber("11010519491231002X", kToday);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->normalized, "11010519491231002X");
  EXPECT_EQ(r->birth_date, 1949y / December / 31);
  EXPECT_EQ(r->sex, Sex::kFemale);
  EXPECT_EQ(SexName(r->sex), "female");
  EXPECT_EQ(r->region_code, "110105");
  EXPECT_EQ(r->region_name, "北京市朝阳区");
  EXPECT_FALSE(r->converted_from_15_digits);
  EXPECT_THAT(r->warnings, IsEmpty());
}

TEST(IdNumber, LowerCaseXIsNormalized) {
  auto r = ParseIdNumber("11010519491231002x", kToday);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->normalized, "11010519491231002X");
}

TEST(IdNumber, MaleAndTheDemoCounty) {
  auto r = ParseIdNumber("431128199001010037", kToday);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->sex, Sex::kMale);
  EXPECT_EQ(r->region_name, "湖南省永州市新田县");
}

TEST(IdNumber, CheckCharacter) {
  EXPECT_EQ(IdNumberCheckCharacter("11010519491231002"), 'X');
  EXPECT_EQ(IdNumberCheckCharacter("43112819900101003"), '7');
  EXPECT_EQ(IdNumberCheckCharacter("1101051949123100"), '\0');
  EXPECT_EQ(IdNumberCheckCharacter("1101051949123100A"), '\0');
}

TEST(IdNumber, FifteenDigitsAreConverted) {
  auto r = ParseIdNumber("110105491231002", kToday);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->normalized, "11010519491231002X");
  EXPECT_TRUE(r->converted_from_15_digits);
  EXPECT_EQ(r->birth_date, 1949y / December / 31);
  EXPECT_THAT(ErrorOf("11010549123100X"), HasSubstr("position 15 ('X') is not a digit"));
}

TEST(IdNumber, WrongLength) {
  EXPECT_EQ(ErrorOf("11010519491231002"),
            "ID number: must have 18 characters (or 15 digits), got 17");
  EXPECT_EQ(ErrorOf(""), "ID number: must have 18 characters (or 15 digits), got 0");
  EXPECT_EQ(ErrorOf("11010519491231002X1"),
            "ID number: must have 18 characters (or 15 digits), got 19");
}

TEST(IdNumber, BadCharacterIsNamedByPosition) {
  EXPECT_EQ(ErrorOf("1101A519491231002X"),
            "ID number: character at position 5 ('A') is not a digit");
  EXPECT_EQ(ErrorOf("11010519491231002Y"),
            "ID number: character at position 18 ('Y') must be a digit or X");
  // A full-width digit counts as one character and is named, not echoed.
  EXPECT_EQ(ErrorOf("110105194912310０2X"),
            "ID number: character at position 16 (a non-ASCII character) is not a digit");
  EXPECT_THAT(ErrorOf(std::string("1101051949123100\0X", 18)), HasSubstr("control character"));
}

TEST(IdNumber, BadCheckCharacter) {
  EXPECT_EQ(ErrorOf("110105194912310021"), "ID number: check character expected X, got 1");
  EXPECT_EQ(ErrorOf("431128199001010030"), "ID number: check character expected 7, got 0");
}

TEST(IdNumber, BirthDateMustBeReal) {
  EXPECT_EQ(ErrorOf("110105194913310021"),
            "ID number: birth date 19491331: month 13 does not exist");
  EXPECT_EQ(ErrorOf("110105194902290029"),
            "ID number: birth date 19490229: day 29 does not exist, 1949-02 has 28 days (1949 is "
            "not a leap year)");
  EXPECT_THAT(ErrorOf("110105194912320025"), HasSubstr("day 32 does not exist, 1949-12 has 31"));
  EXPECT_THAT(ErrorOf("431128184901010014"), HasSubstr("birth year 1849 is before 1850"));
  // 2000 is a leap year (divisible by 400).
  auto leap = ParseIdNumber("110105200002290021", kToday);
  ASSERT_TRUE(leap.ok()) << leap.error().ToString();
  EXPECT_EQ(leap->birth_date, 2000y / February / 29);
}

TEST(IdNumber, BirthDateNotInTheFuture) {
  EXPECT_EQ(ErrorOf("110105203001010028"), "ID number: birth date 2030-01-01 is in the future");
  // The same number is fine once that day has come: "today" is the caller's.
  EXPECT_TRUE(ParseIdNumber("110105203001010028", 2030y / January / 1).ok());
}

TEST(IdNumber, UnknownProvinceIsRefused) {
  EXPECT_EQ(ErrorOf("990105194912310023"), "ID number: unknown province 99");
}

TEST(IdNumber, AbolishedCountyIsAWarningNotAnError) {
  // 零陵地区 新田县 before 1995: 432930. Older residents of Xintian still carry it.
  auto r = ParseIdNumber("432930196003050019", kToday);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->region_code, "432930");
  EXPECT_EQ(r->region_name, "");
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_THAT(r->warnings[0], HasSubstr("region code 432930 is not in the current GB/T 2260"));
}

TEST(IdNumber, ResidencePermitsOfHongKongMacaoTaiwan) {
  auto hk = ParseIdNumber("810000198001010014", kToday);
  ASSERT_TRUE(hk.ok()) << hk.error().ToString();
  EXPECT_EQ(hk->region_name, "香港特别行政区");
  EXPECT_THAT(hk->warnings, IsEmpty());
  auto tw = ParseIdNumber("830000198001010026", kToday);
  ASSERT_TRUE(tw.ok()) << tw.error().ToString();
  EXPECT_EQ(tw->region_name, "台湾居民居住证");
  EXPECT_THAT(tw->warnings, IsEmpty());
}

TEST(IdNumber, SystemClockOverloadAcceptsAPastDate) {
  EXPECT_TRUE(ParseIdNumber("11010519491231002X").ok());
  EXPECT_FALSE(ParseIdNumber("110105299901010022").ok());  // 2999 is in the future for a while
}

}  // namespace
}  // namespace tongban
