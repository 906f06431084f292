#include "dmn/evaluator.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "dmn/xml_reader.h"
#include "dmn/yaml_table.h"
#include "feel/feel.h"

namespace tongban::dmn {
namespace {

using feel::Value;

std::shared_ptr<const DecisionModel> Build(Definitions defs) {
  ModelSet set;
  set.models.push_back(std::make_shared<const Definitions>(std::move(defs)));
  auto model = DecisionModel::Build(std::move(set));
  EXPECT_TRUE(model.ok());
  for (const std::string& p : (*model)->problems()) ADD_FAILURE() << "problem: " << p;
  return *model;
}

std::shared_ptr<const DecisionModel> BuildXml(std::string_view body) {
  std::string xml = std::string(R"(<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/"
      namespace="urn:test" name="test" id="test">)") +
                    std::string(body) + "</definitions>";
  auto defs = ParseDmnXml(xml, "test.dmn");
  EXPECT_TRUE(defs.ok()) << defs.error().ToString();
  return Build(std::move(*defs));
}

Value Num(int64_t n) { return Value::Number(n); }
Value Str(std::string s) { return Value::String(std::move(s)); }

std::string Eval(const DecisionModel& model, std::string_view decision,
                 std::vector<InputValue> inputs) {
  auto outcome = model.EvaluateDecision(decision, inputs);
  if (!outcome.ok()) return "error: " + outcome.error().message();
  return outcome->value.ToString();
}

// A table over input `n` with the given hit policy: rules `>= 1` → 10, `>= 2` → 20, `>= 3` →
// 10 (output values "20", "10": 20 has priority).
std::string Table(std::string_view hit_policy, std::string_view extra_attributes = "") {
  return fmt::format(R"(
  <inputData id="n" name="n"><variable name="n" typeRef="number"/></inputData>
  <decision id="d" name="Result">
    <informationRequirement><requiredInput href="#n"/></informationRequirement>
    <decisionTable hitPolicy="{}" {}>
      <input><inputExpression typeRef="number"><text>n</text></inputExpression></input>
      <output typeRef="number"><outputValues><text>20, 10</text></outputValues></output>
      <rule><inputEntry><text>&gt;= 1</text></inputEntry><outputEntry><text>10</text></outputEntry></rule>
      <rule><inputEntry><text>&gt;= 2</text></inputEntry><outputEntry><text>20</text></outputEntry></rule>
      <rule><inputEntry><text>&gt;= 3</text></inputEntry><outputEntry><text>10</text></outputEntry></rule>
    </decisionTable>
  </decision>)",
                     hit_policy, extra_attributes);
}

TEST(DecisionTableTest, HitPolicies) {
  std::vector<InputValue> three = {{"", "n", Num(3)}};
  std::vector<InputValue> one = {{"", "n", Num(1)}};
  std::vector<InputValue> zero = {{"", "n", Num(0)}};

  auto unique = BuildXml(Table("UNIQUE"));
  EXPECT_EQ(Eval(*unique, "Result", one), "10");
  EXPECT_EQ(Eval(*unique, "Result", three), "null");  // three rules match
  EXPECT_EQ(Eval(*unique, "Result", zero), "null");   // none match, no default

  auto first = BuildXml(Table("FIRST"));
  EXPECT_EQ(Eval(*first, "Result", three), "10");

  auto priority = BuildXml(Table("PRIORITY"));
  EXPECT_EQ(Eval(*priority, "Result", three), "20");

  auto any = BuildXml(Table("ANY"));
  EXPECT_EQ(Eval(*any, "Result", one), "10");
  EXPECT_EQ(Eval(*any, "Result", three), "null");  // 10 and 20 differ

  EXPECT_EQ(Eval(*BuildXml(Table("RULE ORDER")), "Result", three), "[10, 20, 10]");
  EXPECT_EQ(Eval(*BuildXml(Table("OUTPUT ORDER")), "Result", three), "[20, 10, 10]");
  EXPECT_EQ(Eval(*BuildXml(Table("COLLECT")), "Result", three), "[10, 20, 10]");
  EXPECT_EQ(Eval(*BuildXml(Table("COLLECT", "aggregation=\"SUM\"")), "Result", three), "40");
  EXPECT_EQ(Eval(*BuildXml(Table("COLLECT", "aggregation=\"MIN\"")), "Result", three), "10");
  EXPECT_EQ(Eval(*BuildXml(Table("COLLECT", "aggregation=\"MAX\"")), "Result", three), "20");
  EXPECT_EQ(Eval(*BuildXml(Table("COLLECT", "aggregation=\"COUNT\"")), "Result", three), "3");
}

TEST(DecisionTableTest, MultipleOutputsDefaultsAndValueChecks) {
  auto model = BuildXml(R"(
  <inputData id="age" name="Applicant Age"><variable name="Applicant Age" typeRef="number"/></inputData>
  <decision id="d" name="Eligibility">
    <informationRequirement><requiredInput href="#age"/></informationRequirement>
    <decisionTable hitPolicy="UNIQUE">
      <input label="Age"><inputExpression typeRef="number"><text>Applicant Age</text></inputExpression>
        <inputValues><text>[0..150]</text></inputValues></input>
      <output name="status" typeRef="string"><outputValues><text>"yes","no"</text></outputValues>
        <defaultOutputEntry><text>"no"</text></defaultOutputEntry></output>
      <output name="rate" typeRef="number"/>
      <rule><inputEntry><text>&gt;= 18</text></inputEntry>
        <outputEntry><text>"yes"</text></outputEntry><outputEntry><text>0.5</text></outputEntry></rule>
      <rule><inputEntry><text>[16..18)</text></inputEntry>
        <outputEntry><text>"maybe"</text></outputEntry><outputEntry><text>1</text></outputEntry></rule>
    </decisionTable>
  </decision>)");
  EXPECT_EQ(Eval(*model, "Eligibility", {{"", "Applicant Age", Num(30)}}),
            "{status: \"yes\", rate: 0.5}");
  EXPECT_EQ(Eval(*model, "Eligibility", {{"", "Applicant Age", Num(10)}}),
            "{status: \"no\", rate: null}");
  // An input outside its input values, an output outside its output values: null.
  EXPECT_EQ(Eval(*model, "Eligibility", {{"", "Applicant Age", Num(200)}}), "null");
  EXPECT_EQ(Eval(*model, "Eligibility", {{"", "Applicant Age", Num(17)}}), "null");
  auto outcome = model->EvaluateDecision("Eligibility",
                                         std::vector<InputValue>{{"", "Applicant Age", Num(200)}});
  ASSERT_TRUE(outcome.ok());
  ASSERT_FALSE(outcome->warnings.empty());
  EXPECT_NE(outcome->warnings[0].find("input values"), std::string::npos) << outcome->warnings[0];
  EXPECT_FALSE(model->EvaluateDecision("No Such Decision", {}).ok());
  auto explained = model->EvaluateDecision(
      "Eligibility", std::vector<InputValue>{{"", "Applicant Age", Num(30)}}, {.explain = true});
  ASSERT_TRUE(explained.ok());
  ASSERT_EQ(explained->explanation.size(), 2u);
  EXPECT_EQ(explained->explanation[0],
            "decision 'Eligibility', decision table: Age = 30; rules matched: 1");
  EXPECT_EQ(explained->explanation[1], "decision 'Eligibility' = {status: \"yes\", rate: 0.5}");
}

TEST(DrgTest, DecisionsBkmsServicesAndTypes) {
  auto model = BuildXml(R"(
  <itemDefinition name="tLevel"><typeRef>string</typeRef>
    <allowedValues><text>"low","high"</text></allowedValues></itemDefinition>
  <itemDefinition name="tNumbers" isCollection="true"><typeRef>number</typeRef></itemDefinition>
  <inputData id="income" name="Income"><variable name="Income" typeRef="number"/></inputData>
  <businessKnowledgeModel id="bkm" name="Tax Of">
    <encapsulatedLogic>
      <formalParameter name="amount" typeRef="number"/>
      <literalExpression><text>amount * 0.1</text></literalExpression>
    </encapsulatedLogic>
  </businessKnowledgeModel>
  <decision id="tax" name="Tax">
    <informationRequirement><requiredInput href="#income"/></informationRequirement>
    <knowledgeRequirement><requiredKnowledge href="#bkm"/></knowledgeRequirement>
    <invocation>
      <literalExpression><text>Tax Of</text></literalExpression>
      <binding><parameter name="amount"/><literalExpression><text>Income</text></literalExpression></binding>
    </invocation>
  </decision>
  <decision id="level" name="Level">
    <variable name="Level" typeRef="tLevel"/>
    <informationRequirement><requiredDecision href="#tax"/></informationRequirement>
    <literalExpression><text>if Tax > 100 then "high" else "low"</text></literalExpression>
  </decision>
  <decision id="bad" name="Bad Level">
    <variable name="Bad Level" typeRef="tLevel"/>
    <literalExpression><text>"medium"</text></literalExpression>
  </decision>
  <decision id="single" name="Single">
    <variable name="Single" typeRef="number"/>
    <literalExpression><text>[42]</text></literalExpression>
  </decision>
  <decision id="many" name="Many">
    <variable name="Many" typeRef="tNumbers"/>
    <literalExpression><text>7</text></literalExpression>
  </decision>
  <decision id="ctx" name="Summary">
    <informationRequirement><requiredDecision href="#tax"/></informationRequirement>
    <informationRequirement><requiredDecision href="#level"/></informationRequirement>
    <context>
      <contextEntry><variable name="double tax"/><literalExpression><text>Tax * 2</text></literalExpression></contextEntry>
      <contextEntry><literalExpression><text>double tax + 1</text></literalExpression></contextEntry>
    </context>
  </decision>
  <decisionService id="svc" name="Tax Service">
    <outputDecision href="#level"/>
    <inputDecision href="#tax"/>
  </decisionService>)");
  std::vector<InputValue> rich = {{"", "Income", Num(5000)}};
  EXPECT_EQ(Eval(*model, "Tax", rich), "500");
  EXPECT_EQ(Eval(*model, "Level", rich), "high");
  EXPECT_EQ(Eval(*model, "Level", {{"", "Income", Num(10)}}), "low");
  EXPECT_EQ(Eval(*model, "Summary", rich), "1001");
  EXPECT_EQ(Eval(*model, "Bad Level", {}), "null");  // not an allowed value
  EXPECT_EQ(Eval(*model, "Single", {}), "42");       // singleton list → element
  EXPECT_EQ(Eval(*model, "Many", {}), "[7]");        // element → singleton list
  // A wrongly typed input becomes null (and so does what depends on it).
  EXPECT_EQ(Eval(*model, "Tax", {{"", "Income", Str("lots")}}), "null");

  auto service =
      model->InvokeDecisionService("Tax Service", std::vector<InputValue>{{"", "Tax", Num(1)}});
  ASSERT_TRUE(service.ok()) << service.error().ToString();
  EXPECT_EQ(service->value.ToString(), "low");
  auto bkm =
      model->InvokeKnowledgeModel("Tax Of", std::vector<InputValue>{{"", "amount", Num(30)}});
  ASSERT_TRUE(bkm.ok());
  EXPECT_EQ(bkm->value.ToString(), "3");
  EXPECT_FALSE(
      model->InvokeKnowledgeModel("Tax Of", std::vector<InputValue>{{"", "x", Num(1)}}).ok());
}

TEST(DrgTest, BoxedExpressionsOfDmn15) {
  auto model = BuildXml(R"(
  <decision id="a" name="Conditional">
    <conditional>
      <if><literalExpression><text>1 &lt; 2</text></literalExpression></if>
      <then><literalExpression><text>"then"</text></literalExpression></then>
      <else><literalExpression><text>"else"</text></literalExpression></else>
    </conditional>
  </decision>
  <decision id="b" name="Doubled">
    <for iteratorVariable="x">
      <in><literalExpression><text>[1, 2, 3]</text></literalExpression></in>
      <return><literalExpression><text>x * 2</text></literalExpression></return>
    </for>
  </decision>
  <decision id="c" name="Big">
    <filter>
      <in><literalExpression><text>[1, 5, 10]</text></literalExpression></in>
      <match><literalExpression><text>item &gt; 2</text></literalExpression></match>
    </filter>
  </decision>
  <decision id="d" name="Every">
    <every iteratorVariable="x">
      <in><literalExpression><text>[1, 5, 10]</text></literalExpression></in>
      <satisfies><literalExpression><text>x &gt; 2</text></literalExpression></satisfies>
    </every>
  </decision>
  <decision id="e" name="Rows">
    <relation>
      <column name="name"/><column name="age"/>
      <row><literalExpression><text>"a"</text></literalExpression><literalExpression><text>1</text></literalExpression></row>
    </relation>
  </decision>
  <decision id="f" name="Applied">
    <context>
      <contextEntry><variable name="add"/>
        <functionDefinition><formalParameter name="p"/><formalParameter name="q"/>
          <literalExpression><text>p + q</text></literalExpression></functionDefinition></contextEntry>
      <contextEntry><literalExpression><text>add(2, 3)</text></literalExpression></contextEntry>
    </context>
  </decision>
  <decision id="g" name="Listed">
    <list><literalExpression><text>1</text></literalExpression><literalExpression><text>"x"</text></literalExpression></list>
  </decision>)");
  EXPECT_EQ(Eval(*model, "Conditional", {}), "then");
  EXPECT_EQ(Eval(*model, "Doubled", {}), "[2, 4, 6]");
  EXPECT_EQ(Eval(*model, "Big", {}), "[5, 10]");
  EXPECT_EQ(Eval(*model, "Every", {}), "false");
  EXPECT_EQ(Eval(*model, "Rows", {}), "[{name: \"a\", age: 1}]");
  EXPECT_EQ(Eval(*model, "Applied", {}), "5");
  EXPECT_EQ(Eval(*model, "Listed", {}), "[1, \"x\"]");
}

TEST(DrgTest, TextsThatDoNotCompileAreProblemsAndNull) {
  std::string xml = R"(<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/"
      namespace="urn:test" name="t">
    <decision id="a" name="Broken"><literalExpression><text>1 +* 2</text></literalExpression></decision>
    <decision id="b" name="Fine"><literalExpression><text>1 + 2</text></literalExpression></decision>
  </definitions>)";
  auto defs = ParseDmnXml(xml, "t.dmn");
  ASSERT_TRUE(defs.ok());
  ModelSet set;
  set.models.push_back(std::make_shared<const Definitions>(std::move(*defs)));
  auto model = DecisionModel::Build(std::move(set));
  ASSERT_TRUE(model.ok());
  ASSERT_EQ((*model)->problems().size(), 1u);
  EXPECT_NE((*model)->problems()[0].find("decision 'Broken'"), std::string::npos);
  EXPECT_EQ(Eval(**model, "Broken", {}), "null");
  EXPECT_EQ(Eval(**model, "Fine", {}), "3");
}

TEST(YamlTableEvaluationTest, EvaluatesLikeXml) {
  auto defs = ParseDecisionTableYaml(R"(
decision: 补贴
hit_policy: COLLECT SUM
data:
  - {name: 年龄, type: number}
  - {name: 残疾等级, type: number}
inputs:
  - {expression: 年龄}
  - {expression: 残疾等级}
outputs:
  - {name: amount, type: number, default: "0"}
rules:
  - [">= 60", "-", "100"]
  - ["-", "[1..2]", "200"]
)",
                                     "t.yaml");
  ASSERT_TRUE(defs.ok()) << defs.error().ToString();
  auto model = Build(std::move(*defs));
  EXPECT_EQ(Eval(*model, "补贴", {{"", "年龄", Num(70)}, {"", "残疾等级", Num(1)}}), "300");
  EXPECT_EQ(Eval(*model, "补贴", {{"", "年龄", Num(20)}, {"", "残疾等级", Num(1)}}), "200");
  EXPECT_EQ(Eval(*model, "补贴", {{"", "年龄", Num(20)}, {"", "残疾等级", Num(3)}}), "0");
}

}  // namespace
}  // namespace tongban::dmn
