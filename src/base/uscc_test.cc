#include "base/uscc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tongban {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ErrorOf(std::string_view code) {
  auto r = ParseUscc(code);
  EXPECT_FALSE(r.ok()) << code << " was accepted";
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  return r.error().message();
}

TEST(Uscc, KnownGoodCode) {
  auto r = ParseUscc("91350100M000100Y43");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->normalized, "91350100M000100Y43");
  EXPECT_EQ(r->department, '9');
  EXPECT_EQ(r->department_name, "工商");
  EXPECT_EQ(r->type, '1');
  EXPECT_EQ(r->type_name, "企业");
  EXPECT_EQ(r->region_code, "350100");
  EXPECT_EQ(r->region_name, "福建省福州市");
  EXPECT_EQ(r->organization_code, "M000100Y4");
  EXPECT_THAT(r->warnings, IsEmpty());
}

TEST(Uscc, CentralOrgansUse100000) {
  auto r = ParseUscc("11100000000013338W");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->department_name, "机构编制");
  EXPECT_EQ(r->type_name, "机关");
  EXPECT_EQ(r->region_name, "中央");
}

TEST(Uscc, LowerCaseIsNormalized) {
  auto r = ParseUscc("91350100m000100y43");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->normalized, "91350100M000100Y43");
}

TEST(Uscc, CheckCharacters) {
  EXPECT_EQ(UsccCheckCharacter("91350100M000100Y4"), '3');
  EXPECT_EQ(UsccCheckCharacter("91350100M000100I4"), '\0');
  EXPECT_EQ(OrganizationCodeCheckCharacter("M000100Y"), '4');
  EXPECT_EQ(OrganizationCodeCheckCharacter("00000001"), '9');
  EXPECT_EQ(OrganizationCodeCheckCharacter("0000000"), '\0');
}

TEST(Uscc, WrongLength) {
  EXPECT_EQ(ErrorOf("91350100M000100Y4"), "USCC: must have 18 characters, got 17");
  EXPECT_EQ(ErrorOf(""), "USCC: must have 18 characters, got 0");
}

TEST(Uscc, CharactersOutsideTheAlphabet) {
  EXPECT_EQ(ErrorOf("91350100M00O100Y43"),
            "USCC: character at position 12 ('O') is not in the USCC alphabet (I, O, Z, S and V "
            "are never used)");
  EXPECT_EQ(ErrorOf("91350100M000100Y4-"),
            "USCC: character at position 18 ('-') is not in the USCC alphabet");
  EXPECT_EQ(ErrorOf("9135010０M000100Y43"),
            "USCC: character at position 8 (a non-ASCII character) is not in the USCC alphabet");
}

TEST(Uscc, DepartmentAndTypeMustBeAPairOfTheTable) {
  EXPECT_EQ(ErrorOf("94350100M000100Y4R"),
            "USCC: institution type 4 (position 2) does not exist for department 9 工商; its "
            "types are 1, 2, 3");
  EXPECT_THAT(ErrorOf("B1350100M000100Y43"), HasSubstr("registration department B (position 1)"));
  // Pairs of the 2016 amendment.
  auto foreign_press = ParseUscc("69430000123456788C");
  ASSERT_TRUE(foreign_press.ok()) << foreign_press.error().ToString();
  EXPECT_EQ(foreign_press->department_name, "旅游");
  EXPECT_EQ(foreign_press->type_name, "其他");
  EXPECT_THAT(ErrorOf("73430000123456788X"), HasSubstr("its types are 1, 2, 9"));
  auto y = ParseUscc("Y1430000MA4L00011Q");
  ASSERT_TRUE(y.ok()) << y.error().ToString();
  EXPECT_EQ(y->department_name, "其他");
}

TEST(Uscc, RegionPositions) {
  EXPECT_EQ(ErrorOf("91990100M000100Y4U"),
            "USCC: region code 990100 (positions 3-8) has unknown province 99");
  EXPECT_EQ(ErrorOf("913501A0M000100Y43"),
            "USCC: character at position 7 ('A') is not a digit; positions 3-8 are a region code");
  // 杭州市下城区 was merged in 2021; organisations registered there keep their code.
  auto merged = ParseUscc("91330103M000100Y46");
  ASSERT_TRUE(merged.ok()) << merged.error().ToString();
  ASSERT_EQ(merged->warnings.size(), 1u);
  EXPECT_THAT(merged->warnings[0], HasSubstr("region code 330103 (positions 3-8) is not in"));
}

TEST(Uscc, OrganizationCodeCheck) {
  EXPECT_EQ(ErrorOf("91350100M000100Y53"),
            "USCC: organisation code M000100Y5 (positions 9-17): check character expected 4, "
            "got 5");
}

TEST(Uscc, CheckCharacterMustHold) {
  EXPECT_EQ(ErrorOf("91350100M000100Y44"), "USCC: check character expected 3, got 4");
}

TEST(Uscc, MakeCompletesBothChecks) {
  auto made = MakeUscc("9243112800000001");
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  EXPECT_EQ(*made, "92431128000000019Q");
  EXPECT_EQ(*MakeUscc("91350100M000100Y"), "91350100M000100Y43");
  EXPECT_FALSE(MakeUscc("9435010000000001").ok());
  EXPECT_FALSE(MakeUscc("94").ok());
}

}  // namespace
}  // namespace tongban
