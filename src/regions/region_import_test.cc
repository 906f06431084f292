#include "regions/region_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "store/testing.h"

namespace tongban::regions {
namespace {

using ::testing::HasSubstr;

// Two villages of a town that ships without villages (长沙市芙蓉区文艺路街道), and a new town
// with its own village, listed child first to show that order does not matter.
constexpr std::string_view kFile =
    "# villages\n"
    "430102001001\t测试一社区居委会\n"
    "430102001002\t测试二社区居委会\r\n"
    "430102599201\t新村村委会\n"
    "430102599\t新设乡\n";

std::string FieldsOf(const Error& e) {
  std::string out;
  for (const auto& f : e.fields()) out += f.field + ": " + f.message + "\n";
  return out;
}

TEST(RegionFile, ParsesAndResolvesParents) {
  auto r = ParseRegionFile(kFile);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].code, "430102001001");
  EXPECT_EQ((*r)[0].parent_code, "430102001");
  EXPECT_EQ((*r)[0].level, RegionLevel::kVillage);
  EXPECT_EQ((*r)[1].name, "测试二社区居委会");  // CRLF tolerated
  EXPECT_EQ((*r)[2].parent_code, "430102599");  // a town of the same file
  EXPECT_EQ((*r)[3].parent_code, "430102");
}

TEST(RegionFile, ListsEveryBadLine) {
  auto r = ParseRegionFile(
      "430102001001\t好\n"
      "43010200100X\t坏\n"
      "430102001003\n"
      "430102001001\t重复\n"
      "430102001004\t\n"
      "430102001005\tbad\x01name\n"
      "430102001006\t\xff\xfe\n"
      "990102001001\t无上级\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "the region file has 7 invalid lines");
  const std::string fields = FieldsOf(r.error());
  EXPECT_THAT(fields, HasSubstr("line 2: region code: character at position 12 is not a digit"));
  EXPECT_THAT(fields, HasSubstr("line 3: expected CODE<TAB>NAME"));
  EXPECT_THAT(fields, HasSubstr("line 4: region code 430102001001 already appears on line 1"));
  EXPECT_THAT(fields, HasSubstr("line 5: the name must be non-empty"));
  EXPECT_THAT(fields, HasSubstr("line 6: the name must be non-empty"));
  EXPECT_THAT(fields, HasSubstr("line 7: the name must be non-empty"));
  EXPECT_THAT(fields, HasSubstr("line 8: no region above 990102001001 is known"));
}

TEST(RegionFile, EmptyFileIsRefused) { EXPECT_FALSE(ParseRegionFile("# nothing\n").ok()); }

class RegionStore : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    ASSERT_TRUE(db_);
    auto set = Migrations();
    ASSERT_TRUE(set.ok()) << set.error().ToString();
    const store::MigrationSet* sets[] = {&*set};
    auto migrated = db_->Migrate(sets);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
  }
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
};

TEST_P(RegionStore, ImportsAndLooksUpBeyondTheEmbeddedList) {
  if (!db_) return;
  auto repo = RegionRepository::Create(*db_);
  ASSERT_TRUE(repo.ok()) << repo.error().ToString();
  EXPECT_EQ(repo->Lookup("430102001001").error().code(), ErrorCode::kNotFound);

  auto regions = ParseRegionFile(kFile);
  ASSERT_TRUE(regions.ok());
  auto n = repo->Import(*regions);
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_EQ(*n, 4u);
  EXPECT_EQ(*repo->ImportedCount(), 4u);

  auto village = repo->Lookup("430102001001");
  ASSERT_TRUE(village.ok()) << village.error().ToString();
  EXPECT_EQ(village->name, "测试一社区居委会");
  EXPECT_EQ(village->level, RegionLevel::kVillage);
  EXPECT_EQ(village->parent_code, "430102001");
  EXPECT_EQ(village->full_name, "湖南省长沙市芙蓉区文艺路街道测试一社区居委会");
  auto nested = repo->Lookup("430102599201");
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(nested->full_name, "湖南省长沙市芙蓉区新设乡新村村委会");
  // The embedded list still answers first.
  EXPECT_EQ(repo->Lookup("431128")->name, "新田县");

  // Importing again replaces names and adds nothing twice.
  auto renamed = ParseRegionFile("430102001001\t改名居委会\n");
  ASSERT_TRUE(renamed.ok());
  ASSERT_TRUE(repo->Import(*renamed).ok());
  EXPECT_EQ(*repo->ImportedCount(), 4u);
  EXPECT_EQ(repo->Lookup("430102001001")->name, "改名居委会");
}

TEST_P(RegionStore, LargeImportIsOneTransaction) {
  if (!db_) return;
  auto repo = RegionRepository::Create(*db_);
  ASSERT_TRUE(repo.ok());
  std::string file;
  for (int i = 1; i <= 599; ++i) file += fmt::format("430102001{:03}\t村{}\n", i, i);
  for (int i = 1; i <= 599; ++i) file += fmt::format("430102002{:03}\t村{}\n", i, i);
  auto regions = ParseRegionFile(file);
  ASSERT_TRUE(regions.ok()) << regions.error().ToString();
  auto n = repo->Import(*regions);
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_EQ(*n, 1198u);
  EXPECT_EQ(*repo->ImportedCount(), 1198u);
  EXPECT_EQ(repo->Lookup("430102002599")->name, "村599");
}

INSTANTIATE_TEST_SUITE_P(Backends, RegionStore, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::regions
