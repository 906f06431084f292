// Forms that fill themselves: prefill expressions over person, entity and licence(type), the
// source of each value, and the validations at fill and at submission time.
#include "registers/forms.h"

#include <gtest/gtest.h>

#include "registers/testing.h"

namespace tongban::registers {
namespace {

using nlohmann::json;

catalog::FormField Field(std::string name, std::string prefill, std::string validation = "",
                         std::string message = "", bool required = false) {
  catalog::FormField f;
  f.name = std::move(name);
  f.label = f.name;
  f.required = required;
  f.prefill = std::move(prefill);
  f.validation = std::move(validation);
  f.validation_message = std::move(message);
  return f;
}

FormSubject Subject() {
  FormSubject s;
  Person p;
  p.id_number = testing::MakeIdNumber("431128", "19800215", 123);
  p.name = "张三";
  p.birth_date = *Date::Parse("1980-02-15");
  p.household_region = "431128001001";
  p.address = "新田县龙泉镇1号";
  p.phone = "13812345678";
  s.person = p;
  Entity e;
  e.uscc = "91431128MA4L0A019K";
  e.name = "新田县富硒农产品有限公司";
  e.legal_representative = "张三";
  s.entity = e;
  s.licences["营业执照"] = {{"id", "L1"}, {"name", "新田县富硒农产品有限公司"}, {"capital", 500}};
  return s;
}

TEST(FormFiller, FillsEachFieldAndNamesItsSource) {
  auto filler = FormFiller::Compile({
      Field("applicant_name", "person.name"),
      Field("id_number", "person.id_number"),
      Field("age", "person.age", "[18..150]", "申请人须年满18周岁"),
      Field("venue_address", "person.address"),
      Field("company", "licence(\"营业执照\").name"),
      Field("legal_rep", "entity.legal_representative"),
      Field("hygiene_licence", "licence(\"公共场所卫生许可证\").id"),
      Field("area_m2", ""),
  });
  ASSERT_TRUE(filler.ok()) << filler.error().ToString();
  auto fields = filler->Fill(Subject(), *Date::Parse("2026-11-26"));
  ASSERT_EQ(fields.size(), 8u);
  EXPECT_EQ(fields[0].value, "张三");
  EXPECT_EQ(fields[0].source, "person");
  EXPECT_EQ(fields[1].value, testing::MakeIdNumber("431128", "19800215", 123));
  EXPECT_EQ(fields[1].value.get<std::string>().size(), 18u);
  EXPECT_EQ(fields[2].value, 46);
  EXPECT_EQ(fields[2].problem, "");
  EXPECT_EQ(fields[3].value, "新田县龙泉镇1号");
  EXPECT_EQ(fields[4].value, "新田县富硒农产品有限公司");
  EXPECT_EQ(fields[4].source, "licence:营业执照");
  EXPECT_EQ(fields[5].value, "张三");
  EXPECT_EQ(fields[5].source, "entity");
  // No such licence held: nothing pre-filled, the applicant completes it.
  EXPECT_TRUE(fields[6].value.is_null());
  EXPECT_EQ(fields[6].source, "");
  EXPECT_TRUE(fields[7].value.is_null());
  EXPECT_EQ(fields[7].source, "");
}

TEST(FormFiller, WithoutRecordsNothingIsFilled) {
  auto filler = FormFiller::Compile(
      {Field("applicant_name", "person.name"), Field("company", "licence(\"营业执照\").name")});
  ASSERT_TRUE(filler.ok());
  auto fields = filler->Fill(FormSubject{}, *Date::Parse("2026-11-26"));
  EXPECT_TRUE(fields[0].value.is_null());
  EXPECT_TRUE(fields[1].value.is_null());
}

// 是否委托他人办理 from who is applying: an enterprise's agent (true), its legal representative
// or a citizen for themselves (false); unknown (a clerk filling the form) leaves it open.
TEST(FormFiller, ByAgentComesFromWhoIsApplying) {
  auto filler = FormFiller::Compile({Field("by_agent", "applicant.by_agent"),
                                     Field("licence_no", "licence(\"营业执照\").id"),
                                     Field("uscc", "entity.uscc")});
  ASSERT_TRUE(filler.ok()) << filler.error().ToString();
  FormSubject subject = Subject();
  subject.by_agent = true;
  auto fields = filler->Fill(subject, *Date::Parse("2026-11-26"));
  EXPECT_EQ(fields[0].value, true);
  EXPECT_EQ(fields[0].source, "applicant");
  EXPECT_EQ(fields[1].value, "L1");
  EXPECT_EQ(fields[1].source, "licence:营业执照");
  EXPECT_EQ(fields[2].value, "91431128MA4L0A019K");
  EXPECT_EQ(fields[2].source, "entity");
  subject.by_agent = false;
  EXPECT_EQ(filler->Fill(subject, *Date::Parse("2026-11-26"))[0].value, false);
  subject.by_agent.reset();
  fields = filler->Fill(subject, *Date::Parse("2026-11-26"));
  EXPECT_TRUE(fields[0].value.is_null());
  EXPECT_EQ(fields[0].source, "");
}

TEST(FormFiller, APrefilledValueFailingItsValidationCarriesTheMessage) {
  auto filler = FormFiller::Compile({Field("age", "person.age", ">= 60", "须年满60周岁")});
  ASSERT_TRUE(filler.ok());
  auto fields = filler->Fill(Subject(), *Date::Parse("2026-11-26"));
  EXPECT_EQ(fields[0].value, 46);
  EXPECT_EQ(fields[0].problem, "须年满60周岁");
}

TEST(FormFiller, ValidatesSubmittedValuesNamingEachBadField) {
  auto filler = FormFiller::Compile({
      Field("area_m2", "", "> 0", "营业面积须大于0", true),
      Field("staff_count", "", "[1..1000]", "从业人员数须在1至1000之间", true),
      Field("venue_kind", "", "\"宾馆\",\"旅店\"", "场所类别不在许可范围", false),
      Field("note", "", "", "", true),
  });
  ASSERT_TRUE(filler.ok());
  FieldErrors good;
  filler->Validate(
      json{{"area_m2", 120.5}, {"staff_count", 8}, {"venue_kind", "宾馆"}, {"note", "x"}}, good);
  EXPECT_TRUE(good.empty());
  FieldErrors bad;
  filler->Validate(json{{"area_m2", 0}, {"staff_count", 5000}, {"venue_kind", "网吧"}}, bad);
  ASSERT_EQ(bad.fields().size(), 4u);
  EXPECT_EQ(bad.fields()[0].field, "area_m2");
  EXPECT_EQ(bad.fields()[0].message, "营业面积须大于0");
  EXPECT_EQ(bad.fields()[1].field, "staff_count");
  EXPECT_EQ(bad.fields()[2].message, "场所类别不在许可范围");
  EXPECT_EQ(bad.fields()[3].field, "note");
  EXPECT_EQ(bad.fields()[3].message, "is required");
}

TEST(FormFiller, TheSubmissionHookChecksTextValuesByFieldType) {
  auto area = Field("area_m2", "", "> 0", "营业面积须大于0");
  area.type = catalog::FieldType::kDecimal;
  auto opened = Field("opened", "", "<= date(\"2026-11-26\")", "开业日期不能晚于今天");
  opened.type = catalog::FieldType::kDate;
  FieldErrors good;
  CheckFormValidations({area, opened}, {{"area_m2", "12.5"}, {"opened", "2020-01-01"}}, good);
  EXPECT_TRUE(good.empty());
  FieldErrors bad;
  CheckFormValidations({area, opened}, {{"area_m2", "-1"}, {"opened", "2030-01-01"}}, bad);
  ASSERT_EQ(bad.fields().size(), 2u);
  EXPECT_EQ(bad.fields()[0].field, "form/area_m2");
  EXPECT_EQ(bad.fields()[1].message, "开业日期不能晚于今天");
}

TEST(FormFiller, RefusesFeelThatDoesNotCompileNamingTheField) {
  auto filler = FormFiller::Compile({Field("a", "person.name"), Field("b", "person.(")});
  ASSERT_FALSE(filler.ok());
  EXPECT_EQ(filler.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(filler.error().fields().size(), 1u);
  EXPECT_EQ(filler.error().fields()[0].field, "form/1/prefill");
}

}  // namespace
}  // namespace tongban::registers
