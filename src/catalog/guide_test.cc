// The guide (智能导办) over the demo catalog's guides: a question tree (食品经营许可, 公共场所卫生
// 许可) and a decision table (残疾人两项补贴), the checks an import makes, and the checklist.
#include "catalog/guide.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalog/testing.h"
#include "catalog/yaml_io.h"

namespace tongban::catalog {
namespace {

using testing::Describe;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Paths;
using testing::TestFile;

constexpr char kFood[] = "11431128MB170582X2000141005000001";
constexpr char kHygiene[] = "11431128MB17009738000172003000001";
constexpr char kSubsidy[] = "11431128MB17048517050103021000001";

class GuideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FieldErrors errors;
    file_ = ParseCatalogYaml(TestFile("catalog.yaml"), errors);
    ASSERT_TRUE(errors.empty()) << Describe(errors.fields());
  }

  const ImplementationItem& Item(std::string_view code) {
    for (const auto& it : file_.implementation_items) {
      if (it.code == code) return it;
    }
    ADD_FAILURE() << "no item " << code;
    return file_.implementation_items.front();
  }

  // The question id asked next, or "scenario:<code>" once one is selected.
  std::string Next(std::string_view code, const GuideAnswers& answers) {
    auto step = RunGuide(Item(code), answers);
    if (!step.ok()) return "error:" + std::string(::tongban::Describe(step.error().code()).name);
    if (step->scenario) return "scenario:" + step->scenario->code;
    return step->question ? step->question->id : "nothing";
  }

  CatalogFile file_;
};

TEST_F(GuideTest, AQuestionTreeSelectsTheScenario) {
  EXPECT_EQ(Next(kFood, {}), "purpose");
  EXPECT_EQ(Next(kFood, {{"purpose", "first"}}), "operator_type");
  EXPECT_EQ(Next(kFood, {{"purpose", "first"}, {"operator_type", "restaurant"}}), "scenario:new");
  EXPECT_EQ(Next(kFood, {{"purpose", "change"}}), "scenario:change");
  EXPECT_EQ(Next(kFood, {{"purpose", "expiring"}}), "scenario:renewal");
  EXPECT_EQ(Next(kFood, {{"purpose", "closing"}}), "scenario:cancellation");
  // An answer the path no longer reaches (the applicant went back) is ignored.
  EXPECT_EQ(Next(kFood, {{"purpose", "change"}, {"operator_type", "shop"}}), "scenario:change");

  EXPECT_EQ(Next(kHygiene, {{"purpose", "lost"}}), "still_valid");
  EXPECT_EQ(Next(kHygiene, {{"purpose", "lost"}, {"still_valid", "yes"}}), "scenario:reissue");
  EXPECT_EQ(Next(kHygiene, {{"purpose", "lost"}, {"still_valid", "no"}}), "scenario:new");

  auto step = RunGuide(Item(kFood), {{"purpose", "first"}, {"operator_type", "canteen"}});
  ASSERT_TRUE(step.ok());
  ASSERT_EQ(step->answered.size(), 2u);
  EXPECT_EQ(step->answered[0].label, "第一次开店（餐馆、小吃店、食品店、单位食堂）");
  EXPECT_EQ(step->answered[1].value, "canteen");
  EXPECT_FALSE(step->question);
  EXPECT_EQ(step->scenario->materials.size(), 7u);
  EXPECT_EQ(step->scenario->form.front().name, "operator_type");
}

TEST_F(GuideTest, ADecisionTableSelectsTheScenarioOnceEveryQuestionIsAnswered) {
  EXPECT_EQ(Next(kSubsidy, {}), "purpose");
  EXPECT_EQ(Next(kSubsidy, {{"purpose", "apply"}}), "has_card");
  EXPECT_EQ(Next(kSubsidy, {{"purpose", "apply"}, {"has_card", "yes"}}), "scenario:apply");
  EXPECT_EQ(Next(kSubsidy, {{"purpose", "change"}, {"has_card", "yes"}}), "scenario:change");
  EXPECT_EQ(Next(kSubsidy, {{"purpose", "stop"}, {"has_card", "no"}}), "scenario:stop");
  // No rule for applying without a disability card: the applicant is sent to a window.
  auto refused = RunGuide(Item(kSubsidy), {{"purpose", "apply"}, {"has_card", "no"}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kRefused);
  EXPECT_THAT(refused.error().message(), HasSubstr("no scenario"));
}

TEST_F(GuideTest, AnAnswerNotOfferedNamesItsQuestion) {
  auto bad = RunGuide(Item(kFood), {{"purpose", "first"}, {"operator_type", "bar"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(Paths(bad.error().fields()), ElementsAre("answers/operator_type"));
  EXPECT_THAT(bad.error().fields()[0].message, HasSubstr("restaurant, shop, canteen"));
}

TEST_F(GuideTest, WithoutAGuideOneScenarioIsTheAnswerAndSeveralAreNot) {
  ImplementationItem item = Item(kFood);
  item.guide.reset();
  EXPECT_EQ(RunGuide(item, {}).error().code(), ErrorCode::kNotFound);
  item.scenarios.resize(1);
  EXPECT_EQ(RunGuide(item, {})->scenario->code, "new");
}

TEST_F(GuideTest, ChecksRefuseBrokenGuidesWithTheirPaths) {
  const ImplementationItem& food = Item(kFood);
  EXPECT_TRUE(CheckGuide(*food.guide, food.scenarios, "g").empty());
  EXPECT_TRUE(CheckGuide(*Item(kSubsidy).guide, Item(kSubsidy).scenarios, "g").empty());

  Guide g = *food.guide;
  g.questions[0].options[1].scenario = "nope";       // no such scenario
  g.questions[0].options[2].next = "operator_type";  // both next and scenario
  g.questions[1].options[0].scenario.clear();        // neither
  g.questions[1].options[1].value = "restaurant";    // offered twice
  g.questions.push_back({.id = "orphan", .text = "?", .options = {{"a", "A", "", "new"}}});
  auto problems = CheckGuide(g, food.scenarios, "g");
  EXPECT_THAT(Paths(problems),
              ElementsAre("g/questions/0/options/1/scenario", "g/questions/0/options/2",
                          "g/questions/1/options/0", "g/questions/1/options/1/value"));

  Guide cycle = *food.guide;
  cycle.questions[1].options[0] = {"back", "回到上一步", "purpose", ""};
  cycle.questions.push_back({.id = "orphan", .text = "?", .options = {{"a", "A", "", "new"}}});
  EXPECT_THAT(Paths(CheckGuide(cycle, food.scenarios, "g")),
              ElementsAre("g/questions", "g/questions/2/id"));

  Guide table = *Item(kSubsidy).guide;
  table.decision_table = "decision: x\nrules: 7\n";
  table.questions[0].options[0].scenario = "apply";
  auto table_problems = CheckGuide(table, Item(kSubsidy).scenarios, "g");
  ASSERT_GE(table_problems.size(), 2u);
  EXPECT_EQ(table_problems[0].field, "g/questions/0/options/0");
  EXPECT_THAT(table_problems[1].field, HasSubstr("g/decision_table"));
}

TEST_F(GuideTest, TheGuideSurvivesTheStoredText) {
  for (const char* code : {kFood, kHygiene, kSubsidy}) {
    auto again = ParseItemYaml(EmitItemYaml(Item(code)));
    ASSERT_TRUE(again.ok()) << again.error().ToString();
    EXPECT_EQ(*again, Item(code)) << code;
  }
}

TEST_F(GuideTest, TheChecklistListsMaterialsWithTheirSources) {
  Matter m;
  m.item = Item(kFood);
  m.basic.name = "食品经营许可";
  m.department.name = "新田县市场监督管理局";
  auto step = RunGuide(m.item, {{"purpose", "first"}, {"operator_type", "restaurant"}});
  ASSERT_TRUE(step.ok());
  const std::string text = ChecklistText(m, *step);
  EXPECT_THAT(text, HasSubstr("办理情形：新办"));
  EXPECT_THAT(text, HasSubstr("您开的是哪一类？ 餐馆、饭店、小吃店（餐饮服务经营者）"));
  EXPECT_THAT(text, HasSubstr("2. 营业执照  [必要] 来源：调用（电子证照：营业执照）  核心材料"));
  EXPECT_THAT(text, HasSubstr("[情形必要（by_agent = true）] 来源：申请人提交"));
  EXPECT_THAT(text, HasSubstr("来源：告知承诺"));
  EXPECT_THAT(text, HasSubstr("主体业态（必填）"));
  m.basic.name = "<script>";
  const std::string html = ChecklistHtml(m, *step);
  EXPECT_THAT(html, HasSubstr("<title>&lt;script&gt; 一次性告知单</title>"));
  EXPECT_THAT(html, HasSubstr("<td>营业执照</td><td>必要</td><td>调用（电子证照：营业执照）</td>"));
}

}  // namespace
}  // namespace tongban::catalog
