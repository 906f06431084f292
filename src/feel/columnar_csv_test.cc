#include "feel/columnar_csv.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace tongban::feel {
namespace {

Result<CsvRegister> Read(const std::string& text, const std::string& columns = "") {
  std::istringstream in(text);
  Result<std::vector<ColumnSpec>> declared = ParseColumnSpecs(columns);
  EXPECT_TRUE(declared.ok()) << columns;
  return ReadCsv(in, {.columns = declared.ok() ? *declared : std::vector<ColumnSpec>{}});
}

TEST(ColumnarCsv, InfersTypesAndHoldsNullsAndQuotes) {
  Result<CsvRegister> r = Read(
      "id,age,income,birth,receiving,region,name\r\n"
      "1,30,12345.67,1990-01-31,false,431128001001,\"Li, \"\"Ming\"\"\"\r\n"
      "2,,100,,true,431127000001,\"\"\n"
      "3,-4,0.5,2000-02-29,,,\n",
      "region:string");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->bad_rows, 0u);
  const Register& reg = r->reg;
  ASSERT_EQ(reg.rows(), 3u);
  ASSERT_EQ(r->columns.size(), 7u);
  EXPECT_EQ(r->columns[1].type, ColumnType::kNumber);
  EXPECT_EQ(r->columns[2].type, ColumnType::kNumber);
  EXPECT_EQ(r->columns[2].scale, 2);
  EXPECT_EQ(r->columns[3].type, ColumnType::kDate);
  EXPECT_EQ(r->columns[4].type, ColumnType::kBoolean);
  EXPECT_EQ(r->columns[5].type, ColumnType::kString);  // declared: it looks like a number
  EXPECT_EQ(r->columns[6].type, ColumnType::kString);
  EXPECT_EQ(reg.Cell(2, 0), Value::Number(*Decimal::Parse("12345.67")));
  EXPECT_EQ(reg.Cell(2, 1), Value::Number(100));
  EXPECT_EQ(reg.Cell(2, 2), Value::Number(*Decimal::Parse("0.5")));
  EXPECT_TRUE(reg.Cell(1, 1).is_null());
  EXPECT_EQ(reg.Cell(3, 2), Value::FromDate(*Date::Parse("2000-02-29")));
  EXPECT_EQ(reg.Cell(6, 0), Value::String("Li, \"Ming\""));
  EXPECT_EQ(reg.Cell(6, 1), Value::String(""));  // quoted empty: the empty string
  EXPECT_TRUE(reg.Cell(6, 2).is_null());         // unquoted empty: null
  EXPECT_TRUE(reg.Cell(5, 2).is_null());
}

TEST(ColumnarCsv, BadRowsAreSkippedWithTheirLineNumbers) {
  Result<CsvRegister> r = Read(
      "age,income,birth\n"
      "30,10.5,1990-01-01\n"
      "31,10.555,1990-01-01\n"  // 3: finer than the declared scale
      "x,1,1990-01-01\n"        // 4: not a number
      "32,1\n"                  // 5: a field missing
      "33,1,1990-02-30\n"       // 6: no such date
      "34,\"1,1990-01-01\n"     // 7: unclosed quote
      "\n"
      "35,2,2001-01-01\n",
      "age:number,income:number(2),birth:date");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->reg.rows(), 2u);
  EXPECT_EQ(r->bad_rows, 5u);
  ASSERT_EQ(r->problems.size(), 5u);
  EXPECT_EQ(r->problems[0].line, 3u);
  EXPECT_EQ(r->problems[0].message,
            "column `income`: `10.555` is not a number with at most 2 digits after the point");
  EXPECT_EQ(r->problems[1].line, 4u);
  EXPECT_EQ(r->problems[1].message, "column `age`: `x` is not a number");
  EXPECT_EQ(r->problems[2].line, 5u);
  EXPECT_EQ(r->problems[2].message, "2 fields, the header has 3");
  EXPECT_EQ(r->problems[3].line, 6u);
  EXPECT_EQ(r->problems[3].message, "column `birth`: `1990-02-30` is not a date (yyyy-mm-dd)");
  EXPECT_EQ(r->problems[4].line, 7u);
  EXPECT_EQ(r->reg.Cell(0, 1), Value::Number(35));
}

TEST(ColumnarCsv, HeaderAndColumnErrorsNameTheField) {
  Result<CsvRegister> empty = Read("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().fields()[0].field, "csv");
  Result<CsvRegister> twice = Read("a,b,a\n1,2,3\n");
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().ToString().find("`a` appears twice"), std::string::npos);
  Result<CsvRegister> missing = Read("a,b\n1,2\n", "c:number");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().fields()[0].field, "columns");

  Result<std::vector<ColumnSpec>> ok = ParseColumnSpecs("a:number(2),b c:date,x:y:string");
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[0].scale, 2);
  EXPECT_EQ((*ok)[1].name, "b c");
  EXPECT_EQ((*ok)[2].name, "x:y");
  for (const char* bad : {"a", "a:int", "a:number(19)", "a:number()", ":string", "a:number(2x)"}) {
    Result<std::vector<ColumnSpec>> r = ParseColumnSpecs(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().fields()[0].field, "columns") << bad;
  }
  EXPECT_TRUE(ParseColumnSpecs("").ok());
}

}  // namespace
}  // namespace tongban::feel
