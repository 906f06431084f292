#include "base/licence_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tongban {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kGood1 =
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U";
constexpr std::string_view kGood2 =
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0";

std::string ErrorOf(std::string_view id) {
  auto r = ParseLicenceId(id);
  EXPECT_FALSE(r.ok()) << id << " was accepted";
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  return r.error().message();
}

TEST(LicenceId, KnownGoodIdentifiers) {
  auto a = ParseLicenceId(kGood1);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->normalized, kGood1);
  EXPECT_EQ(a->type_code, "11100000000013338W011");
  EXPECT_EQ(a->type_authority_uscc, "11100000000013338W");
  EXPECT_EQ(a->type_number, "011");
  EXPECT_EQ(a->issuer_uscc, "11430000006122244L");
  EXPECT_EQ(a->serial, "20230000403");
  EXPECT_EQ(a->version, "001");
  EXPECT_EQ(a->check, 'U');
  EXPECT_THAT(a->warnings, IsEmpty());
  auto b = ParseLicenceId(kGood2);
  ASSERT_TRUE(b.ok()) << b.error().ToString();
  EXPECT_EQ(b->issuer_uscc, "11330105002500287C");
  EXPECT_EQ(b->check, '0');
}

TEST(LicenceId, Mod3736) {
  EXPECT_EQ(Mod3736CheckCharacter("11100000000013338W01111430000006122244L20230000403001"), 'U');
  EXPECT_EQ(Mod3736CheckCharacter("11100000000013338W00911330105002500287C2025052201002"), '0');
  EXPECT_EQ(Mod3736CheckCharacter(""), '\0');
  EXPECT_EQ(Mod3736CheckCharacter("a"), '\0');
}

TEST(LicenceId, WrongCheckCharacter) {
  std::string bad(kGood1);
  bad.back() = '7';
  EXPECT_EQ(ErrorOf(bad), "licence id: check character expected U, got 7");
  bad.back() = '-';
  EXPECT_EQ(ErrorOf(bad), "licence id: check must be one character 0-9 or A-Z");
}

TEST(LicenceId, Structure) {
  EXPECT_EQ(ErrorOf("1.2.156.3005.3.11100000000013338W011.11430000006122244L.20230000403.001.U"),
            "licence id: must start with 1.2.156.3005.2.");
  EXPECT_EQ(ErrorOf("1.2.156.3005.2"), "licence id: must start with 1.2.156.3005.2.");
  EXPECT_THAT(ErrorOf("1.2.156.3005.2.11100000000013338W011.11430000006122244L.001.U"),
              HasSubstr("5 parts (type.issuer.serial.version.check), got 4"));
  EXPECT_THAT(ErrorOf("1.2.156.3005.2.11100000000013338W01.11430000006122244L.1.001.U"),
              HasSubstr("type code must have 21 characters (a USCC and 3 digits), got 20"));
}

TEST(LicenceId, EmbeddedUsccsAreCheckedInFull) {
  // The issuer's organisation-code check broken (44L -> 45L), then its own check (44L -> 44M).
  EXPECT_EQ(ErrorOf("1.2.156.3005.2.11100000000013338W011.11430000006122245L.20230000403.001.U"),
            "licence id: issuer USCC: organisation code 006122245 (positions 9-17): check "
            "character expected 4, got 5");
  EXPECT_EQ(ErrorOf("1.2.156.3005.2.11100000000013338W011.11430000006122244M.20230000403.001.U"),
            "licence id: issuer USCC: check character expected L, got M");
  EXPECT_THAT(ErrorOf("1.2.156.3005.2.11100000000013338X011.11430000006122244L.20230000403.001.U"),
              HasSubstr("licence id: type code's USCC: check character expected W, got X"));
  EXPECT_THAT(ErrorOf("1.2.156.3005.2.11100000000013338W0A1.11430000006122244L.20230000403.001.U"),
              HasSubstr("type code's number: character at position 2 ('A') is not a digit"));
}

TEST(LicenceId, SerialAndVersion) {
  EXPECT_THAT(ErrorOf("1.2.156.3005.2.11100000000013338W011.11430000006122244L..001.U"),
              HasSubstr("serial must have 1 to 20 characters, got 0"));
  EXPECT_THAT(
      ErrorOf("1.2.156.3005.2.11100000000013338W011.11430000006122244L.123456789012345678901."
              "001.U"),
      HasSubstr("serial must have 1 to 20 characters, got 21"));
  EXPECT_THAT(ErrorOf("1.2.156.3005.2.11100000000013338W011.11430000006122244L.2023_1.001.U"),
              HasSubstr("serial: character at position 5 ('_') is not 0-9 or A-Z"));
  EXPECT_THAT(ErrorOf("1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.01.U"),
              HasSubstr("version must have 3 digits, got 2 characters"));
}

TEST(LicenceId, LowerCaseIsNormalized) {
  auto r =
      ParseLicenceId("1.2.156.3005.2.11100000000013338w011.11430000006122244l.20230000403.001.u");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->normalized, kGood1);
}

TEST(LicenceId, MakeComputesTheCheck) {
  auto made = MakeLicenceId({.type_code = "11100000000013338W011",
                             .issuer_uscc = "11430000006122244L",
                             .serial = "20230000403",
                             .version = "001"});
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  EXPECT_EQ(*made, kGood1);
  auto demo = MakeLicenceId({.type_code = "11100000000013338W011",
                             .issuer_uscc = "92431128000000019Q",
                             .serial = "XT2025A0001",
                             .version = "001"});
  ASSERT_TRUE(demo.ok()) << demo.error().ToString();
  EXPECT_TRUE(ParseLicenceId(*demo).ok());
  auto bad = MakeLicenceId({.type_code = "11100000000013338W011",
                            .issuer_uscc = "11430000006122244L",
                            .serial = "a.b",
                            .version = "001"});
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace tongban
