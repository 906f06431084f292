#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "dmn/model.h"
#include "dmn/tck_file.h"
#include "dmn/tck_values.h"
#include "dmn/xml_reader.h"
#include "dmn/yaml_table.h"

namespace tongban::dmn {
namespace {

using feel::Value;

std::filesystem::path TckDir() {
  const char* shared = std::getenv("TONGBAN_SHARED_DIR");
  return std::filesystem::path(shared != nullptr ? shared : "../shared") / "tck/dmn/TestCases";
}

constexpr std::string_view kDmn13Table = R"(<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
    xmlns:feel="https://www.omg.org/spec/DMN/20191111/FEEL/"
    xmlns:other="http://example.org/other"
    id="d1" name="补贴" namespace="http://example.org/subsidy">
  <import name="people" namespace="http://example.org/other"
      importType="https://www.omg.org/spec/DMN/20191111/MODEL/"/>
  <itemDefinition name="tLevel" id="t1">
    <typeRef>feel:string</typeRef>
    <allowedValues><text>"A","B"</text></allowedValues>
  </itemDefinition>
  <inputData id="i1" name="年龄"><variable name="年龄" typeRef="feel:number"/></inputData>
  <inputData id="i2" name="Applicant"><variable name="Applicant" typeRef="other:tPerson"/></inputData>
  <decision id="dec1" name="Subsidy Level">
    <variable name="Subsidy Level" typeRef="tLevel"/>
    <informationRequirement><requiredInput href="#i1"/></informationRequirement>
    <informationRequirement><requiredInput href="http://example.org/subsidy#i2"/></informationRequirement>
    <knowledgeRequirement><requiredKnowledge href="http://example.org/other#bkm9"/></knowledgeRequirement>
    <decisionTable hitPolicy="COLLECT" aggregation="COUNT" id="dt1">
      <input id="in1" label="Age"><inputExpression typeRef="number"><text>年龄</text></inputExpression>
        <inputValues><text>[0..150]</text></inputValues></input>
      <output id="out1" name="level" typeRef="string">
        <outputValues><text>"A","B"</text></outputValues>
        <defaultOutputEntry><text>"B"</text></defaultOutputEntry></output>
      <rule id="r1"><inputEntry><text>&gt;= 60</text></inputEntry><outputEntry><text>"A"</text></outputEntry></rule>
      <rule id="r2"><inputEntry><text>-</text></inputEntry><outputEntry><text><![CDATA["B"]]></text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>)";

TEST(DmnXmlReaderTest, ReadsADecisionTableModel) {
  auto defs = ParseDmnXml(kDmn13Table, "subsidy.dmn");
  ASSERT_TRUE(defs.ok()) << defs.error().ToString();
  EXPECT_EQ(defs->version, DmnVersion::k13);
  EXPECT_EQ(defs->namespace_uri, "http://example.org/subsidy");
  ASSERT_EQ(defs->imports.size(), 1u);
  EXPECT_EQ(defs->imports[0].name, "people");
  ASSERT_EQ(defs->item_definitions.size(), 1u);
  EXPECT_EQ(defs->item_definitions[0].type_ref, "string");
  EXPECT_EQ(defs->item_definitions[0].allowed_values, "\"A\",\"B\"");
  ASSERT_EQ(defs->input_data.size(), 2u);
  EXPECT_EQ(defs->input_data[0].name, "年龄");
  EXPECT_EQ(defs->input_data[0].type_ref, "number");
  EXPECT_EQ(defs->input_data[1].type_ref, "people.tPerson");
  ASSERT_EQ(defs->decisions.size(), 1u);
  const Decision& d = defs->decisions[0];
  EXPECT_EQ(d.type_ref, "tLevel");
  ASSERT_EQ(d.required_inputs.size(), 2u);
  EXPECT_EQ(d.required_inputs[0], (Reference{"", "i1"}));
  EXPECT_EQ(d.required_inputs[1], (Reference{"", "i2"}));  // own namespace
  ASSERT_EQ(d.required_knowledge.size(), 1u);
  EXPECT_EQ(d.required_knowledge[0], (Reference{"http://example.org/other", "bkm9"}));
  ASSERT_NE(d.logic, nullptr);
  const auto* table = std::get_if<DecisionTable>(&d.logic->body);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->hit_policy, HitPolicy::kCollect);
  EXPECT_EQ(table->aggregation, Aggregation::kCount);
  ASSERT_EQ(table->inputs.size(), 1u);
  EXPECT_EQ(table->inputs[0].expression, "年龄");
  EXPECT_EQ(table->inputs[0].input_values, "[0..150]");
  EXPECT_EQ(table->outputs[0].default_output, "\"B\"");
  ASSERT_EQ(table->rules.size(), 2u);
  EXPECT_EQ(table->rules[0].input_entries[0], ">= 60");
  EXPECT_EQ(table->rules[1].output_entries[0], "\"B\"");  // CDATA
}

TEST(DmnXmlReaderTest, ErrorsNameTheElement) {
  std::string bad(kDmn13Table);
  bad.replace(bad.find("COLLECT"), 7, "SOMETIMES");
  auto defs = ParseDmnXml(bad, "subsidy.dmn");
  ASSERT_FALSE(defs.ok());
  EXPECT_NE(defs.error().message().find("decision 'Subsidy Level' (dec1)"), std::string::npos)
      << defs.error().message();
  EXPECT_NE(defs.error().message().find("SOMETIMES"), std::string::npos);

  std::string short_rule(kDmn13Table);
  short_rule.replace(short_rule.find("<inputEntry><text>-</text></inputEntry>"),
                     std::string_view("<inputEntry><text>-</text></inputEntry>").size(), "");
  defs = ParseDmnXml(short_rule, "subsidy.dmn");
  ASSERT_FALSE(defs.ok());
  EXPECT_NE(defs.error().message().find("rule 2 has 0 input"), std::string::npos)
      << defs.error().message();

  EXPECT_FALSE(ParseDmnXml("<definitions", "x.dmn").ok());
  EXPECT_FALSE(ParseDmnXml("<definitions xmlns=\"http://example.org\"/>", "x.dmn").ok());
}

TEST(DmnXmlReaderTest, ReadsDmn11AndPrefixedElements) {
  constexpr std::string_view kDmn11 = R"(<?xml version="1.0"?>
<semantic:definitions xmlns:semantic="http://www.omg.org/spec/DMN/20151101/dmn.xsd"
    xmlns:feel="http://www.omg.org/spec/FEEL/20140401" namespace="urn:x" name="m" id="m">
  <semantic:businessKnowledgeModel id="b" name="Add">
    <semantic:encapsulatedLogic>
      <semantic:formalParameter name="a" typeRef="feel:number"/>
      <semantic:formalParameter name="b" typeRef="feel:number"/>
      <semantic:literalExpression><semantic:text>a + b</semantic:text></semantic:literalExpression>
    </semantic:encapsulatedLogic>
  </semantic:businessKnowledgeModel>
  <semantic:decision id="d" name="Sum">
    <semantic:knowledgeRequirement><semantic:requiredKnowledge href="#b"/></semantic:knowledgeRequirement>
    <semantic:invocation>
      <semantic:literalExpression><semantic:text>Add</semantic:text></semantic:literalExpression>
      <semantic:binding><semantic:parameter name="a"/>
        <semantic:literalExpression><semantic:text>1</semantic:text></semantic:literalExpression>
      </semantic:binding>
      <semantic:binding><semantic:parameter name="b"/></semantic:binding>
    </semantic:invocation>
  </semantic:decision>
  <other:thing xmlns:other="urn:other"><semantic:decision id="ignored" name="no"/></other:thing>
</semantic:definitions>)";
  auto defs = ParseDmnXml(kDmn11, "m.dmn");
  ASSERT_TRUE(defs.ok()) << defs.error().ToString();
  EXPECT_EQ(defs->version, DmnVersion::k11);
  ASSERT_EQ(defs->knowledge_models.size(), 1u);
  const auto& bkm = defs->knowledge_models[0];
  ASSERT_TRUE(bkm.logic.has_value());
  ASSERT_EQ(bkm.logic->parameters.size(), 2u);
  EXPECT_EQ(bkm.logic->parameters[1].type_ref, "number");
  ASSERT_EQ(defs->decisions.size(), 1u);
  const auto* invocation = std::get_if<Invocation>(&defs->decisions[0].logic->body);
  ASSERT_NE(invocation, nullptr);
  ASSERT_EQ(invocation->bindings.size(), 2u);
  EXPECT_EQ(invocation->bindings[0].parameter, "a");
  EXPECT_NE(invocation->bindings[0].value, nullptr);
  EXPECT_EQ(invocation->bindings[1].value, nullptr);
}

TEST(DmnXmlReaderTest, RefusesDeepNestingWithoutCrashing) {
  std::string contexts, items;
  for (int i = 0; i < 5000; ++i) {
    contexts += "<context><contextEntry><variable name=\"x\"/>";
    items += "<itemComponent name=\"c\">";
  }
  for (int i = 0; i < 5000; ++i) {
    contexts += "</contextEntry></context>";
    items += "</itemComponent>";
  }
  auto wrap = [](const std::string& body) {
    return R"(<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" namespace="urn:x">)" +
           body + "</definitions>";
  };
  auto deep_context =
      ParseDmnXml(wrap("<decision id=\"d\" name=\"D\">" + contexts + "</decision>"), "deep.dmn");
  ASSERT_FALSE(deep_context.ok());
  EXPECT_NE(deep_context.error().message().find("nested too deeply"), std::string::npos);
  auto deep_type =
      ParseDmnXml(wrap("<itemDefinition name=\"t\">" + items + "</itemDefinition>"), "deep.dmn");
  ASSERT_FALSE(deep_type.ok());
  EXPECT_NE(deep_type.error().message().find("nested too deeply"), std::string::npos);
}

// Every model of the conformance suite (levels 2 and 3) reads, with its imports.
TEST(DmnXmlReaderTest, ReadsEveryTckModel) {
  std::filesystem::path root = TckDir();
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "no TCK at " << root;
  int models = 0;
  for (const char* level : {"compliance-level-2", "compliance-level-3"}) {
    for (const auto& folder : std::filesystem::directory_iterator(root / level)) {
      for (const auto& file : std::filesystem::directory_iterator(folder.path())) {
        if (file.path().extension() != ".dmn") continue;
        auto set = LoadDmnFile(file.path().string());
        EXPECT_TRUE(set.ok()) << file.path() << ": " << set.error().ToString();
        ++models;
      }
    }
  }
  EXPECT_GT(models, 140);
}

TEST(DmnXmlReaderTest, LoadsImportsByNamespace) {
  std::filesystem::path folder = TckDir() / "compliance-level-3/0089-nested-inputdata-imports";
  if (!std::filesystem::exists(folder)) GTEST_SKIP();
  auto set = LoadDmnFile((folder / "0089-nested-inputdata-imports.dmn").string());
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  EXPECT_EQ(set->models.size(), 4u);  // the model, Model B, Model B2, and Model A they import
  EXPECT_NE(set->FindByNamespace(
                "http://www.trisotech.com/definitions/_ae5b3c17-1ac3-4e1d-b4f9-2cf861aec6d9"),
            nullptr);
}

TEST(TckFileTest, ReadsValuesOfEveryShape) {
  constexpr std::string_view kFile = R"(<?xml version="1.0"?>
<testCases xmlns="http://www.omg.org/spec/DMN/20160719/testcase"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <modelName>m.dmn</modelName>
  <testCase id="001">
    <inputNode name="Age"><value xsi:type="xsd:decimal">18.50</value></inputNode>
    <inputNode name="Person">
      <component name="name"><value xsi:type="xsd:string">张三</value></component>
      <component name="tags"><list><item><value xsi:type="xsd:string">a</value></item>
        <item><value xsi:nil="true"/></item></list></component>
    </inputNode>
    <inputNode name="Nothing"><value xsi:nil="true"/></inputNode>
    <resultNode name="Out" type="decision"><expected><value xsi:type="xsd:date">2026-02-15</value></expected></resultNode>
    <resultNode name="Bad" errorResult="true"><expected><value xsi:nil="true"/></expected></resultNode>
  </testCase>
  <testCase invocableName="svc" type="decisionService"/>
</testCases>)";
  auto file = ParseTckFile(kFile, "t.xml");
  ASSERT_TRUE(file.ok()) << file.error().ToString();
  EXPECT_EQ(file->model_name, "m.dmn");
  ASSERT_EQ(file->cases.size(), 2u);
  const TckCase& c = file->cases[0];
  ASSERT_EQ(c.inputs.size(), 3u);
  EXPECT_EQ(c.inputs[0].value.kind, TckValue::Kind::kSimple);
  EXPECT_EQ(c.inputs[0].value.xsi_type, "decimal");
  EXPECT_EQ(c.inputs[0].value.text, "18.50");
  const TckValue& person = c.inputs[1].value;
  ASSERT_EQ(person.kind, TckValue::Kind::kComponents);
  ASSERT_EQ(person.components.size(), 2u);
  EXPECT_EQ(person.component_names[0], "name");
  EXPECT_EQ(person.components[0].text, "张三");
  ASSERT_EQ(person.components[1].kind, TckValue::Kind::kList);
  ASSERT_EQ(person.components[1].items.size(), 2u);
  EXPECT_EQ(person.components[1].items[1].kind, TckValue::Kind::kNil);
  EXPECT_EQ(c.inputs[2].value.kind, TckValue::Kind::kNil);
  ASSERT_EQ(c.results.size(), 2u);
  EXPECT_EQ(c.results[0].expected.xsi_type, "date");
  EXPECT_FALSE(c.results[0].error_result);
  EXPECT_TRUE(c.results[1].error_result);
  EXPECT_EQ(file->cases[1].id, "002");
  EXPECT_EQ(file->cases[1].kind, TckCaseKind::kDecisionService);
  EXPECT_EQ(file->cases[1].invocable_name, "svc");
  EXPECT_FALSE(ParseTckFile("<notTestCases/>", "t.xml").ok());
}

TckValue Simple(std::string type, std::string text) {
  TckValue v;
  v.kind = TckValue::Kind::kSimple;
  v.xsi_type = std::move(type);
  v.text = std::move(text);
  return v;
}

TEST(TckValuesTest, ConvertsAndCompares) {
  auto number = [](std::string text) { return *ToFeelValue(Simple("decimal", std::move(text))); };
  std::string why;
  EXPECT_TRUE(TckMatches(number("1.10"), number("1.1"), &why));
  // Shortened expectations: rounded to the expected's 8 digits, or 1e-12 relative.
  EXPECT_TRUE(
      TckMatches(number("54.59815003314423907811026120286088"), number("54.59815003"), &why));
  EXPECT_TRUE(
      TckMatches(number("562.7073593732659271562143285576407"), number("562.707359373292"), &why));
  EXPECT_FALSE(TckMatches(number("1.45"), number("1.5"), &why));
  why.clear();
  EXPECT_FALSE(TckMatches(number("54.598151"), number("54.59815003"), &why));
  EXPECT_NE(why.find("expected 54.59815003"), std::string::npos) << why;

  auto d = ToFeelValue(Simple("date", "2026-02-15"));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->is(feel::Kind::kDate));
  EXPECT_FALSE(TckMatches(Value::String("2026-02-15"), *d, &why));
  EXPECT_FALSE(ToFeelValue(Simple("date", "2026-02-30")).ok());

  TckValue person;
  person.kind = TckValue::Kind::kComponents;
  person.component_names = {"name", "age"};
  person.components = {Simple("string", "a"), TckValue()};
  auto context = ToFeelValue(person);
  ASSERT_TRUE(context.ok());
  EXPECT_TRUE(TckMatches(*context, *context, &why));
  EXPECT_FALSE(TckMatches(Value::Context({{"name", Value::String("a")}}), *context, &why));
}

TEST(YamlTableTest, ReadsACompactTable) {
  constexpr std::string_view kTable = R"(
decision: 补贴等级
hit_policy: COLLECT SUM
data:
  - {name: 年龄, type: number}
  - {name: 残疾等级, type: number}
inputs:
  - {expression: 年龄, values: "[0..150]"}
  - {expression: 残疾等级}
outputs:
  - {name: amount, type: number, default: "0"}
rules:
  - [">= 60", "-", "100"]
  - ["-", "[1..2]", "200"]
)";
  auto defs = ParseDecisionTableYaml(kTable, "t.yaml");
  ASSERT_TRUE(defs.ok()) << defs.error().ToString();
  ASSERT_EQ(defs->decisions.size(), 1u);
  EXPECT_EQ(defs->decisions[0].name, "补贴等级");
  ASSERT_EQ(defs->input_data.size(), 2u);
  const auto* table = std::get_if<DecisionTable>(&defs->decisions[0].logic->body);
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->hit_policy, HitPolicy::kCollect);
  EXPECT_EQ(table->aggregation, Aggregation::kSum);
  ASSERT_EQ(table->rules.size(), 2u);
  EXPECT_EQ(table->rules[1].input_entries[1], "[1..2]");
  EXPECT_EQ(table->rules[1].output_entries[0], "200");
  EXPECT_EQ(table->outputs[0].default_output, "0");
}

TEST(YamlTableTest, ListsEveryProblem) {
  constexpr std::string_view kTable = R"(
hit_policy: SOMETIMES
colour: red
inputs:
  - {expression: age}
outputs:
  - {name: x}
rules:
  - [">= 60"]
  - ">= 60"
)";
  auto defs = ParseDecisionTableYaml(kTable, "t.yaml");
  ASSERT_FALSE(defs.ok());
  std::vector<std::string> fields;
  for (const auto& f : defs.error().fields()) fields.push_back(f.field);
  EXPECT_EQ(fields,
            (std::vector<std::string>{"decision", "hit_policy", "rules/0", "rules/1", "colour"}));
  EXPECT_FALSE(ParseDecisionTableYaml("[unclosed", "t.yaml").ok());
}

TEST(YamlTableTest, HitPolicyNotations) {
  EXPECT_EQ(ParseHitPolicy("C#")->second, Aggregation::kCount);
  EXPECT_EQ(ParseHitPolicy("RULE ORDER")->first, HitPolicy::kRuleOrder);
  EXPECT_EQ(ParseHitPolicy("COLLECT MAX")->second, Aggregation::kMax);
  EXPECT_FALSE(ParseHitPolicy("FIRST SUM").ok());
  EXPECT_FALSE(ParseHitPolicy("").ok());
}

}  // namespace
}  // namespace tongban::dmn
