#include "base/region.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "base/embedded.h"

namespace tongban {

extern const EmbeddedFile kRegionData[];
extern const size_t kRegionData_count;

namespace {

using ::testing::HasSubstr;

TEST(Region, Province) {
  auto r = LookupRegion("430000");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->name, "湖南省");
  EXPECT_EQ(r->level, RegionLevel::kProvince);
  EXPECT_EQ(r->parent_code, "");
  EXPECT_EQ(r->full_name, "湖南省");
}

TEST(Region, CityCountyTownVillage) {
  auto city = LookupRegion("431100");
  ASSERT_TRUE(city.ok());
  EXPECT_EQ(city->name, "永州市");
  EXPECT_EQ(city->level, RegionLevel::kCity);
  EXPECT_EQ(city->parent_code, "430000");

  auto county = LookupRegion("431128");
  ASSERT_TRUE(county.ok());
  EXPECT_EQ(county->name, "新田县");
  EXPECT_EQ(county->level, RegionLevel::kCounty);
  EXPECT_EQ(county->parent_code, "431100");
  EXPECT_EQ(county->full_name, "湖南省永州市新田县");

  auto town = LookupRegion("431128101");
  ASSERT_TRUE(town.ok());
  EXPECT_EQ(town->name, "金陵镇");
  EXPECT_EQ(town->level, RegionLevel::kTown);
  EXPECT_EQ(town->parent_code, "431128");
  EXPECT_EQ(RegionLevelName(town->level), "town");

  auto village = LookupRegion("431128101010");
  ASSERT_TRUE(village.ok());
  EXPECT_EQ(village->name, "下户居委会");
  EXPECT_EQ(village->level, RegionLevel::kVillage);
  EXPECT_EQ(village->parent_code, "431128101");
  EXPECT_EQ(village->full_name, "湖南省永州市新田县金陵镇下户居委会");
}

TEST(Region, TwelveDigitFormsOfHigherLevels) {
  auto town = LookupRegion("431128101000");
  ASSERT_TRUE(town.ok());
  EXPECT_EQ(town->code, "431128101");
  auto county = LookupRegion("431128000000");
  ASSERT_TRUE(county.ok());
  EXPECT_EQ(county->code, "431128");
  auto county9 = LookupRegion("431128000");
  ASSERT_TRUE(county9.ok());
  EXPECT_EQ(county9->code, "431128");
}

TEST(Region, AllDemoLocalitiesHaveVillages) {
  for (std::string_view county : {"431128", "430181", "430423", "430204", "430603"}) {
    auto towns = ListChildRegions(county);
    ASSERT_TRUE(towns.ok()) << county;
    ASSERT_FALSE(towns->empty()) << county;
    auto villages = ListChildRegions(towns->front().code);
    ASSERT_TRUE(villages.ok());
    EXPECT_FALSE(villages->empty()) << towns->front().code;
  }
}

TEST(Region, PlaceholdersAreLeftOutOfFullNames) {
  auto r = LookupRegion("110105");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->parent_code, "110100");  // 市辖区
  EXPECT_EQ(r->full_name, "北京市朝阳区");
  auto xiantao = LookupRegion("429004");  // 省直辖县级行政区划
  ASSERT_TRUE(xiantao.ok());
  EXPECT_EQ(xiantao->full_name, "湖北省仙桃市");
}

TEST(Region, CityWithoutCountiesHoldsItsTowns) {
  auto town = LookupRegion("441900003");
  ASSERT_TRUE(town.ok());
  EXPECT_EQ(town->parent_code, "441900");
  EXPECT_EQ(town->full_name, "广东省东莞市东城街道");
}

TEST(Region, Children) {
  auto provinces = ListChildRegions("");
  ASSERT_TRUE(provinces.ok());
  EXPECT_EQ(provinces->size(), 34u);  // 31 + 台湾省, 香港, 澳门
  EXPECT_EQ(provinces->front().code, "110000");
  auto hunan = ListChildRegions("430000");
  ASSERT_TRUE(hunan.ok());
  EXPECT_EQ(hunan->size(), 14u);
  auto yongzhou = ListChildRegions("431100");
  ASSERT_TRUE(yongzhou.ok());
  EXPECT_EQ(yongzhou->size(), 13u);
  EXPECT_TRUE(std::is_sorted(yongzhou->begin(), yongzhou->end(),
                             [](const auto& a, const auto& b) { return a.code < b.code; }));
  auto xintian = ListChildRegions("431128");
  ASSERT_TRUE(xintian.ok());
  EXPECT_EQ(xintian->size(), 13u);
  auto jinling = ListChildRegions("431128101");
  ASSERT_TRUE(jinling.ok());
  EXPECT_EQ(jinling->size(), 14u);
  EXPECT_EQ(ListChildRegions("432930").error().code(), ErrorCode::kNotFound);
}

TEST(Region, AbolishedAndUnknownCodes) {
  auto r = LookupRegion("432930");  // 零陵地区, abolished 1995
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message(), "region code 432930 is not in the current list");
  EXPECT_EQ(LookupRegion("990000").error().code(), ErrorCode::kNotFound);
}

TEST(Region, BadShapes) {
  auto bad = [](std::string_view code) {
    auto r = LookupRegion(code);
    EXPECT_FALSE(r.ok()) << code;
    if (r.ok()) return std::string();
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    return r.error().message();
  };
  EXPECT_EQ(bad("4311"), "region code: must have 6, 9 or 12 digits, got 4 characters");
  EXPECT_EQ(bad("43112A"), "region code: character at position 6 is not a digit");
  EXPECT_EQ(bad("000000"), "region code: province 00 does not exist");
  EXPECT_THAT(bad("431128700"), HasSubstr("town number 700 is outside GB/T 10114's 001-599"));
  EXPECT_THAT(bad("431128101700"), HasSubstr("village number 700 is outside 001-599"));
  EXPECT_THAT(bad("431128000010"), HasSubstr("needs a town number"));
  EXPECT_THAT(bad("110001"), HasSubstr("county number under city 00"));
}

TEST(Region, ProvinceCodes) {
  EXPECT_TRUE(IsValidProvinceCode("43"));
  EXPECT_TRUE(IsValidProvinceCode("430000"));
  EXPECT_TRUE(IsValidProvinceCode("81"));
  EXPECT_TRUE(IsValidProvinceCode("71"));
  EXPECT_FALSE(IsValidProvinceCode("99"));
  EXPECT_FALSE(IsValidProvinceCode("83"));  // only residence permits use 83
  EXPECT_FALSE(IsValidProvinceCode("431100"));
  EXPECT_FALSE(IsValidProvinceCode("4"));
  EXPECT_FALSE(IsValidProvinceCode("4a"));
}

TEST(Region, EveryEmbeddedLineIsIndexed) {
  size_t lines = 0;
  for (size_t f = 0; f < kRegionData_count; ++f) {
    std::string_view text = kRegionData[f].contents;
    for (size_t start = 0; start < text.size();) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      if (end > start && text[start] != '#') ++lines;
      start = end + 1;
    }
  }
  EXPECT_GT(lines, 45000u);
  EXPECT_EQ(EmbeddedRegionCount(), lines);
}

TEST(Region, ConcurrentFirstUseBuildsOneIndex) {
  std::vector<std::thread> threads;
  std::atomic<int> found{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      if (LookupRegion("430603").ok()) ++found;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(found.load(), 4);
}

}  // namespace
}  // namespace tongban
