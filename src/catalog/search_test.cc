// Chinese search over matters: segmentation (unit) and the service over the demo catalog on
// SQLite and PostgreSQL (everyday phrasing, two-character words, one character, ASCII, no hit,
// filters, keyset pagination, the query plan).
#include "catalog/search.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "catalog/service.h"
#include "catalog/testing.h"
#include "regions/region_import.h"
#include "store/testing.h"

namespace tongban::catalog {
namespace {

using store::Backend;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::TestFile;

TEST(QueryTerms, DropsStopWordsAndMakesBigrams) {
  EXPECT_THAT(QueryTerms("我要开餐馆"), ElementsAre("开餐", "餐馆"));
  EXPECT_THAT(QueryTerms("公共场所卫生"), ElementsAre("公共", "共场", "场所", "所卫", "卫生"));
  EXPECT_THAT(QueryTerms("怎么办理低保？"), ElementsAre("低保"));
  EXPECT_THAT(QueryTerms("证"), ElementsAre("证"));
  EXPECT_THAT(QueryTerms("Hygiene 000141005000"), ElementsAre("hygiene", "000141005000"));
  // A run cut by a stop character stays two runs: 我 between them is not bridged.
  EXPECT_THAT(QueryTerms("低保我的户口"), ElementsAre("低保", "户口"));
  // Only stop words: the query is taken as written rather than dropped.
  EXPECT_THAT(QueryTerms("怎么办"), ElementsAre("怎么", "么办"));
  EXPECT_THAT(QueryTerms("，。!"), IsEmpty());
  EXPECT_EQ(QueryTerms("一二三四五六七八九十", 3).size(), 3u);
}

TEST(IndexTerms, WeighsNameOverKeywordOverDescription) {
  ImplementationItem item;
  item.code = "X1";
  item.keywords = {"餐馆"};
  item.aliases = {"卫生许可证"};
  item.result_licence_type = "许可证书";
  Scenario scenario;
  scenario.name = "新办";
  item.scenarios.push_back(scenario);
  BasicItem basic;
  basic.code = "B1";
  basic.name = "公共场所卫生许可";
  const auto terms = IndexTerms(item, basic);
  EXPECT_EQ(terms.at("卫生"), 3);  // in the name and in an alias: the name wins
  EXPECT_EQ(terms.at("餐馆"), 2);
  EXPECT_EQ(terms.at("可证"), 2);
  EXPECT_EQ(terms.at("证书"), 1);
  EXPECT_EQ(terms.at("新办"), 1);
  EXPECT_EQ(terms.at("公"), 3);  // single characters too, for one-character queries
  EXPECT_EQ(terms.at("x1"), 3);  // codes as lower-case words
  EXPECT_FALSE(terms.contains("生许可"));
}

class SearchServiceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    auto regions = regions::Migrations();
    auto set = CatalogMigrations();
    ASSERT_TRUE(regions.ok() && set.ok());
    const store::MigrationSet* sets[] = {&*regions, &*set};
    auto migrated = db_->Migrate(sets);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    auto s = CatalogService::Create(*db_, {.clock = &clock_});
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    service_ = std::move(s).value();
    auto imported = service_->ImportYaml(
        TestFile("catalog.yaml"),
        {.actor = "admin", .publish = true, .effective_from = *Date::Parse("2025-01-01")});
    ASSERT_TRUE(imported.ok()) << imported.error().ToString();
  }

  // The names of the hits of one search (first page of up to 100).
  std::vector<std::string> Names(std::string_view q, MatterFilter filter = {}) {
    auto page = service_->SearchMatters(q, filter, {.limit = 100});
    EXPECT_TRUE(page.ok()) << page.error().ToString();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& r : page->items) out.push_back(r.matter.name);
    }
    return out;
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2025-05-10"))};
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<CatalogService> service_;
};

TEST_P(SearchServiceTest, EverydayPhrasingFindsTheMatter) {
  auto restaurant = Names("我要开餐馆");
  ASSERT_GE(restaurant.size(), 2u);
  EXPECT_EQ(restaurant[0], "食品经营许可");
  EXPECT_EQ(restaurant[1], "食品经营许可");

  // Every bigram of the query is in the names of the licence (three counties) and of the
  // inspection (one): four hits with the best score, ties ordered by name in byte order
  // (监 U+76D1 before 许 U+8BB8).
  auto hygiene = Names("公共场所卫生");
  ASSERT_GE(hygiene.size(), 4u);
  EXPECT_THAT(std::vector<std::string>(hygiene.begin(), hygiene.begin() + 4),
              ElementsAre("公共场所卫生监督检查", "公共场所卫生许可", "公共场所卫生许可",
                          "公共场所卫生许可"));

  auto how = Names("怎么办理公共场所卫生许可证");
  ASSERT_FALSE(how.empty());
  EXPECT_EQ(how[0], "公共场所卫生许可");
}

TEST_P(SearchServiceTest, TwoCharacterWordsOneCharacterAsciiAndNoHit) {
  auto dibao = Names("低保");
  ASSERT_FALSE(dibao.empty());
  EXPECT_THAT(dibao[0], HasSubstr("最低生活保障"));

  auto hukou = Names("户口");
  ASSERT_FALSE(hukou.empty());
  for (const auto& n : hukou) EXPECT_FALSE(n.empty());

  // One character: the unigram index.
  auto water = Names("水");
  EXPECT_THAT(water, ::testing::Contains("自来水报装"));
  EXPECT_THAT(water, ::testing::Contains("城镇污水排入排水管网许可"));

  // ASCII: the basic code, as a word.
  EXPECT_THAT(Names("000141005000"), ElementsAre("食品经营许可", "食品经营许可"));

  EXPECT_THAT(Names("宇宙飞船"), IsEmpty());
}

TEST_P(SearchServiceTest, FiltersApply) {
  auto page = service_->SearchMatters("我要开餐馆", {.region = "430204"}, {.limit = 10});
  ASSERT_TRUE(page.ok()) << page.error().ToString();
  ASSERT_FALSE(page->items.empty());
  for (const auto& r : page->items) EXPECT_EQ(r.matter.region_code, "430204");
  EXPECT_EQ(page->items[0].matter.name, "食品经营许可");

  auto benefit = service_->SearchMatters("补贴", {.kind = Kind::kBenefit}, {.limit = 100});
  ASSERT_TRUE(benefit.ok());
  ASSERT_FALSE(benefit->items.empty());
  for (const auto& r : benefit->items) EXPECT_EQ(r.matter.kind, Kind::kBenefit);
}

TEST_P(SearchServiceTest, KeysetPaginationWalksTheRanking) {
  auto all = service_->SearchMatters("许可", {}, {.limit = 100});
  ASSERT_TRUE(all.ok());
  ASSERT_GT(all->items.size(), 5u);
  for (size_t i = 1; i < all->items.size(); ++i) {
    EXPECT_GE(all->items[i - 1].score, all->items[i].score);
  }
  std::vector<std::string> paged;
  std::string cursor;
  int pages = 0;
  do {
    auto page = service_->SearchMatters("许可", {}, {.limit = 2, .cursor = cursor});
    ASSERT_TRUE(page.ok()) << page.error().ToString();
    for (const auto& r : page->items) paged.push_back(r.matter.code);
    cursor = page->next_cursor;
    ASSERT_LT(++pages, 100);
  } while (!cursor.empty());
  std::vector<std::string> expected;
  for (const auto& r : all->items) expected.push_back(r.matter.code);
  EXPECT_EQ(paged, expected);
}

TEST_P(SearchServiceTest, BadQueriesNameTheirField) {
  auto blank = service_->SearchMatters("  ，", {}, {.limit = 10});
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(blank.error().fields().size(), 1u);
  EXPECT_EQ(blank.error().fields()[0].field, "q");

  auto bad = service_->SearchMatters("低保", {.region = "12"}, {.limit = 0, .cursor = "x!"});
  ASSERT_FALSE(bad.ok());
  std::set<std::string> fields;
  for (const auto& f : bad.error().fields()) fields.insert(f.field);
  EXPECT_EQ(fields, (std::set<std::string>{"limit", "cursor", "region"}));
}

TEST_P(SearchServiceTest, NewVersionsAreIndexedAndOldOnesLeaveTheResults) {
  // Republish the first food licence with an extra alias: the search sees the new version only.
  auto matter = service_->GetMatter("11431128MB170582X2000141005000001");
  ASSERT_TRUE(matter.ok()) << matter.error().ToString();
  ImplementationItem item = matter->item;
  item.aliases.push_back("奶茶铺");
  auto draft = service_->CreateDraft(item, matter->version.revision, "admin");
  ASSERT_TRUE(draft.ok()) << draft.error().ToString();
  EXPECT_THAT(Names("奶茶铺"), IsEmpty());  // a draft is not in force
  auto approved = service_->Approve(item.code, draft->version.revision, "admin");
  ASSERT_TRUE(approved.ok());
  auto published =
      service_->Publish(item.code, *Date::Parse("2025-05-10"), approved->version.revision, "admin");
  ASSERT_TRUE(published.ok()) << published.error().ToString();
  EXPECT_THAT(Names("奶茶铺"), ElementsAre("食品经营许可"));
  EXPECT_EQ(Names("我要开餐馆").size(), Names("餐馆").size());
}

TEST_P(SearchServiceTest, TheSearchUsesTheTermIndex) {
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "plans are checked on SQLite";
  auto plan = service_->ExplainSearch("我要开餐馆", {});
  ASSERT_TRUE(plan.ok()) << plan.error().ToString();
  std::string text;
  for (const auto& line : *plan) text += line + "\n";
  EXPECT_THAT(text, HasSubstr("SEARCH t USING"));
  EXPECT_THAT(text, HasSubstr("(term=?"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("SCAN t")));
}

INSTANTIATE_TEST_SUITE_P(Backends, SearchServiceTest,
                         ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::catalog
