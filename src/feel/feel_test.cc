// Tests of the FEEL core: values, types, parser, names with spaces, evaluation, unary tests,
// diagnostics, limits and the trace.
#include <gtest/gtest.h>

#include "feel/feel.h"
#include "feel/platform_functions.h"

namespace tongban::feel {
namespace {

// Evaluates `text` with no variables and returns the result as JSON.
std::string Eval(std::string_view text) {
  Scope scope;
  Result<Program> p = Compile(text, scope);
  if (!p.ok()) return "error: " + p.error().message();
  Bindings b(scope);
  return ToJson(p->Evaluate(b).value);
}

TEST(FeelEval, Arithmetic) {
  EXPECT_EQ(Eval("1 + 2 * 3"), "7");
  EXPECT_EQ(Eval("0.1 + 0.2"), "0.3");
  EXPECT_EQ(Eval("(1 + 2) * 3"), "9");
  EXPECT_EQ(Eval("10 / 4"), "2.5");
  EXPECT_EQ(Eval("2 ** 10"), "1024");
  EXPECT_EQ(Eval("-3 - -2"), "-1");
  EXPECT_EQ(Eval("1 / 0"), "null");
  EXPECT_EQ(Eval("9223372036854775807 + 1"), "9223372036854775808");
  EXPECT_EQ(Eval("\"a\" + \"b\""), "\"ab\"");
  EXPECT_EQ(Eval("1 + \"a\""), "null");
  EXPECT_EQ(Eval("1 + null"), "null");
}

TEST(FeelEval, ThreeValuedLogic) {
  EXPECT_EQ(Eval("true or null"), "true");
  EXPECT_EQ(Eval("null or true"), "true");
  EXPECT_EQ(Eval("false and null"), "false");
  EXPECT_EQ(Eval("null and false"), "false");
  EXPECT_EQ(Eval("true and null"), "null");
  EXPECT_EQ(Eval("false or null"), "null");
  EXPECT_EQ(Eval("not(null)"), "null");
  EXPECT_EQ(Eval("not(true)"), "false");
  EXPECT_EQ(Eval("1 and true"), "null");
}

TEST(FeelEval, Comparison) {
  EXPECT_EQ(Eval("1 = 1.0"), "true");
  // DMN 1.5 (TCK 0068-feel-equality): `=` across kinds is null, not false.
  EXPECT_EQ(Eval("1 = \"1\""), "null");
  EXPECT_EQ(Eval("1 != \"1\""), "null");
  EXPECT_EQ(Eval("true = 1"), "null");
  EXPECT_EQ(Eval("duration(\"P1Y\") = duration(\"P365D\")"), "null");
  EXPECT_EQ(Eval("1 in [\"1\", 1]"), "true");
  EXPECT_EQ(Eval("null = null"), "true");
  EXPECT_EQ(Eval("null = 1"), "false");
  EXPECT_EQ(Eval("1 < 2"), "true");
  EXPECT_EQ(Eval("1 < \"a\""), "null");
  EXPECT_EQ(Eval("[1, 2] = [1, 2]"), "true");
  EXPECT_EQ(Eval("{a: 1} = {a: 1.0}"), "true");
  EXPECT_EQ(Eval("5 between 1 and 10"), "true");
  EXPECT_EQ(Eval("\"b\" > \"a\""), "true");
}

TEST(FeelEval, RangeWithNullEndIsNotUnbounded) {
  // TCK 0072-feel-in and 0068-feel-equality: a written null end makes `in` null, and such a
  // range differs from the unbounded `< 10`.
  EXPECT_EQ(Eval("5 in (null..10]"), "null");
  EXPECT_EQ(Eval("5 in [1..null)"), "null");
  EXPECT_EQ(Eval("5 in < 10"), "true");
  EXPECT_EQ(Eval("(< 10) = (null..10)"), "false");
  EXPECT_EQ(Eval("(>= 10) = [10..null)"), "false");
  EXPECT_EQ(Eval("(< 10) = (< 10)"), "true");
  EXPECT_EQ(Eval("[1..10] = [1..10]"), "true");
}

TEST(FeelEval, DateArithmetic) {
  // DMN 1.5 Table 57 (TCK 0100-arithmetic): date ± days and time duration is a date.
  EXPECT_EQ(Eval("@\"2021-01-01\" + @\"PT36H\""), "\"2021-01-02\"");
  EXPECT_EQ(Eval("@\"PT24H\" + @\"2021-01-01\""), "\"2021-01-02\"");
  EXPECT_EQ(Eval("@\"2021-01-01\" - @\"PT1H\""), "\"2020-12-31\"");
  // A date meeting a date and time is midnight UTC; against a local date and time it is null.
  EXPECT_EQ(Eval("@\"2021-01-02T10:10:10+01:00\" - @\"2021-01-01\""), "\"P1DT9H10M10S\"");
  EXPECT_EQ(Eval("@\"2021-01-02\" - @\"2021-01-01T10:10:10+11:00\""), "\"P1DT49M50S\"");
  EXPECT_EQ(Eval("@\"2021-01-01T00:00:00\" - @\"2021-01-02\""), "null");
  EXPECT_EQ(Eval("@\"2021-01-02\" - @\"2021-01-01T10:10:10\""), "null");
}

TEST(FeelEval, ForOverDatesAndRanges) {
  // TCK 0084-feel-for-loops: `a..b` walks whole numbers or days; a range value only whole
  // numbers, low end first.
  EXPECT_EQ(Eval("for i in @\"1980-01-01\"..@\"1980-01-03\" return i"),
            "[\"1980-01-01\",\"1980-01-02\",\"1980-01-03\"]");
  EXPECT_EQ(Eval("for i in @\"1980-01-02\"..@\"1980-01-01\" return i"),
            "[\"1980-01-02\",\"1980-01-01\"]");
  EXPECT_EQ(Eval("for i in [1..3) return i"), "[1,2]");
  EXPECT_EQ(Eval("for i in [2..1] return i"), "null");
  EXPECT_EQ(Eval("for i in [\"a\"..\"z\"] return i"), "null");
  EXPECT_EQ(Eval("for i in \"a\"..\"z\" return i"), "null");
}

TEST(FeelEval, InstanceOfDeclaredType) {
  // A DMN item definition declared in the Scope: base type and structure, no allowed values.
  Scope scope;
  scope.DeclareType("tPerson", Type::Context({{"name", Type::String()}}));
  scope.DeclareType("tAge", Type::Number());
  auto eval = [&scope](std::string_view text) {
    Result<Program> p = Compile(text, scope);
    if (!p.ok()) return "error: " + p.error().message();
    return ToJson(p->Evaluate(Bindings(scope)).value);
  };
  EXPECT_EQ(eval("{name: \"Li\", age: 3} instance of tPerson"), "true");
  EXPECT_EQ(eval("{age: 3} instance of tPerson"), "false");
  EXPECT_EQ(eval("[{name: \"Li\"}] instance of list<tPerson>"), "true");
  EXPECT_EQ(eval("256 instance of tAge"), "true");
  EXPECT_EQ(eval("\"x\" instance of tAge"), "false");
  EXPECT_EQ(eval("1 instance of tUnknown").substr(0, 6), "error:");
  EXPECT_EQ(Eval("1 instance of tAge").substr(0, 6), "error:");
}

TEST(FeelEval, ContextKeysAreUnique) {
  EXPECT_EQ(Eval("{foo: \"bar\", foo: \"baz\"}").substr(0, 6), "error:");
  EXPECT_EQ(Eval("{foo: 1, \"foo\": 2}").substr(0, 6), "error:");
  EXPECT_EQ(Eval("{foo: 1, bar: foo + 1}.bar"), "2");
}

TEST(FeelEval, FilterEntriesShadowItemAndBuiltins) {
  // TCK 0069-feel-list 026 and 0006-join: an entry of the item wins over `item` and over a
  // built-in's name; without such an entry they keep their meaning.
  EXPECT_EQ(Eval("[{item: 1}, {item: 2}, {item: 3}][item >= 2]"), "[{\"item\":2},{\"item\":3}]");
  EXPECT_EQ(Eval("[1, 2, 3][item >= 2]"), "[2,3]");
  EXPECT_EQ(Eval("[{number: 1, m: \"a\"}, {number: 2, m: \"b\"}][number = 2].m"), "[\"b\"]");
  EXPECT_EQ(Eval("[{a: \"1\"}][number(a, null, null) = 1].a"), "[\"1\"]");
}

TEST(FeelEval, TypedFunctionParameters) {
  // TCK 0082-feel-coercion: an argument not of the parameter's type is null.
  EXPECT_EQ(Eval("{f: function(a: number) a, r: f(\"foo\")}.r"), "null");
  EXPECT_EQ(Eval("{f: function(a: number) a, r: f(5)}.r"), "5");
  EXPECT_EQ(Eval("{f: function(a: number, b) b, r: f(1, \"x\")}.r"), "\"x\"");
  EXPECT_EQ(Eval("{f: function(a: list<string>) count(a), r: f([\"x\"])}.r"), "1");
  EXPECT_EQ(Eval("function(a: nosuchtype) a").substr(0, 6), "error:");
}

TEST(FeelEval, InBindsTighterThanAnd) {
  EXPECT_EQ(Eval("1 in [1, 2] and true"), "true");
  EXPECT_EQ(Eval("3 in [1, 2] and true"), "false");
  EXPECT_EQ(Eval("5 in [1..10]"), "true");
  EXPECT_EQ(Eval("10 in [1..10)"), "false");
  EXPECT_EQ(Eval("1 in ]1..10["), "false");
  EXPECT_EQ(Eval("5 in (1, 5, 7)"), "true");
  EXPECT_EQ(Eval("5 in < 10"), "true");
  EXPECT_EQ(Eval("5 in (> 6, < 2)"), "false");
  EXPECT_EQ(Eval("5 in >= 5"), "true");
  // A range opened with '(' is a range test like any other, not an equality with the range.
  EXPECT_EQ(Eval("3 in (1..5]"), "true");
  EXPECT_EQ(Eval("3 in (1..5)"), "true");
  EXPECT_EQ(Eval("1 in (1..5]"), "false");
  EXPECT_EQ(Eval("5 in (1..5)"), "false");
  EXPECT_EQ(Eval("5 in (1..5]"), "true");
}

TEST(FeelEval, IfForSomeEvery) {
  EXPECT_EQ(Eval("if 1 > 2 then \"a\" else \"b\""), "\"b\"");
  EXPECT_EQ(Eval("if null then 1 else 2"), "2");
  EXPECT_EQ(Eval("for i in [1, 2, 3] return i * 2"), "[2,4,6]");
  EXPECT_EQ(Eval("for i in 1..3 return i"), "[1,2,3]");
  EXPECT_EQ(Eval("for i in 3..1 return i"), "[3,2,1]");
  EXPECT_EQ(Eval("for i in [1, 2], j in [10, 20] return i + j"), "[11,21,12,22]");
  EXPECT_EQ(Eval("for i in 0..4 return if i = 0 then 1 else i * partial[-1]"), "[1,1,2,6,24]");
  EXPECT_EQ(Eval("some x in [1, 5, 9] satisfies x > 8"), "true");
  EXPECT_EQ(Eval("every x in [1, 5, 9] satisfies x > 0"), "true");
  EXPECT_EQ(Eval("every x in [1, 5, 9] satisfies x > 1"), "false");
}

TEST(FeelEval, FiltersPathsContexts) {
  EXPECT_EQ(Eval("[1, 2, 3, 4][item > 2]"), "[3,4]");
  EXPECT_EQ(Eval("[1, 2, 3][1]"), "1");
  EXPECT_EQ(Eval("[1, 2, 3][-1]"), "3");
  EXPECT_EQ(Eval("[1, 2, 3][5]"), "null");
  // A variable as the index: its name could be an item's member, yet it is the outer number.
  EXPECT_EQ(Eval("{i: 2, r: [1, 2, 3][i]}.r"), "2");
  EXPECT_EQ(Eval("{d: {level: 2}, r: [10, 20, 30][d.level]}.r"), "20");
  EXPECT_EQ(Eval("{i: -1, r: [10, 20, 30][i]}.r"), "30");
  EXPECT_EQ(Eval("{i: 4, r: [10, 20, 30][i]}.r"), "null");
  EXPECT_EQ(Eval("[{a: 1, b: true}, {a: 2, b: false}][b].a"), "[1]");
  EXPECT_EQ(Eval("{d: {level: 2}, r: [1, 2, 3][item > d.level]}.r"), "[3]");
  EXPECT_EQ(Eval("{a: 1, b: a + 1}"), "{\"a\":1,\"b\":2}");
  EXPECT_EQ(Eval("{a: 1, \"b c\": 2}.b c"), "2");
  EXPECT_EQ(Eval("{a: {b: 3}}.a.b"), "3");
  EXPECT_EQ(Eval("[{a: 1}, {a: 2}].a"), "[1,2]");
  EXPECT_EQ(Eval("[{age: 10}, {age: 20}][age > 15].age"), "[20]");
  EXPECT_EQ(Eval("{first name: \"Li\", greeting: \"hi \" + first name}.greeting"), "\"hi Li\"");
}

TEST(FeelEval, FunctionsAndBuiltins) {
  EXPECT_EQ(Eval("{f: function(a, b) a + b, r: f(1, 2)}.r"), "3");
  EXPECT_EQ(Eval("{f: function(a, b) a - b, r: f(b: 1, a: 5)}.r"), "4");
  EXPECT_EQ(Eval("string length(\"通办平台\")"), "4");
  EXPECT_EQ(Eval("starts with(\"431128\", \"4311\")"), "true");
  EXPECT_EQ(Eval("substring(\"foobar\", 3)"), "\"obar\"");
  EXPECT_EQ(Eval("substring(\"foobar\", -2, 1)"), "\"a\"");
  EXPECT_EQ(Eval("substring(string: \"foobar\", start position: 2, length: 3)"), "\"oob\"");
  EXPECT_EQ(Eval("count([1, 2, 3])"), "3");
  EXPECT_EQ(Eval("sum([1, 2, 3])"), "6");
  EXPECT_EQ(Eval("sum(1, 2, 3.5)"), "6.5");
  EXPECT_EQ(Eval("list contains([1, 2], 2)"), "true");
}

TEST(FeelEval, StringsAndLiterals) {
  EXPECT_EQ(Eval("\"a\\\"b\""), "\"a\\\"b\"");
  EXPECT_EQ(Eval("\"\\u901A\""), "\"通\"");
  EXPECT_EQ(Eval("\"\\U01F600\""), "\"😀\"");
  EXPECT_EQ(Eval("@\"2026-02-15\""), "\"2026-02-15\"");
  EXPECT_EQ(Eval("@\"P1DT2H30M\""), "\"P1DT2H30M\"");
  EXPECT_EQ(Eval("@\"2026-02-15\".year"), "2026");
  EXPECT_EQ(Eval("@\"2026-01-31\" + @\"P1M\""), "\"2026-02-28\"");
  EXPECT_EQ(Eval("1 instance of number"), "true");
  EXPECT_EQ(Eval("[1] instance of list<number>"), "true");
  EXPECT_EQ(Eval("@\"2026-02-15T10:00:00\" instance of date and time"), "true");
  EXPECT_EQ(Eval("\"a\" instance of number"), "false");
}

TEST(FeelNames, SpacesAndChinese) {
  Scope scope;
  const int age = scope.Declare("年龄");
  const int street = scope.Declare("Street Name");
  const int x = scope.Declare("Pre-Bureau Risk");
  Bindings b(scope);
  b.Set(age, Value::Number(65));
  b.Set(street, Value::String("长安街"));
  b.Set(x, Value::Number(2));
  auto eval = [&](std::string_view t) {
    Result<Program> p = Compile(t, scope);
    return p.ok() ? ToJson(p->Evaluate(b).value) : "error: " + p.error().message();
  };
  EXPECT_EQ(eval("年龄 >= 60"), "true");
  EXPECT_EQ(eval("年龄>=60"), "true");
  EXPECT_EQ(eval("Street Name"), "\"长安街\"");
  EXPECT_EQ(eval("Street  Name + \"1号\""), "\"长安街1号\"");
  EXPECT_EQ(eval("Pre-Bureau Risk * 2"), "4");
}

TEST(FeelDiagnostics, UnknownNameWithSuggestion) {
  Scope scope;
  scope.Declare("age");
  Result<Program> p = Compile("agee >= 18", scope);
  ASSERT_FALSE(p.ok());
  std::vector<Diagnostic> d = DiagnosticsOf(p.error());
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].line, 1);
  EXPECT_EQ(d[0].column, 1);
  EXPECT_EQ(d[0].message, "unknown name 'agee' — did you mean 'age'?");
}

TEST(FeelDiagnostics, SyntaxErrorsHaveLineAndColumn) {
  Scope scope;
  std::vector<Diagnostic> d = Check("1 +\n  * 2", scope);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].line, 2);
  EXPECT_EQ(d[0].column, 3);
  EXPECT_FALSE(Check("\"open", scope).empty());
  EXPECT_FALSE(Check("", scope).empty());
  EXPECT_FALSE(Check("string length(1, 2)", scope).empty());
  EXPECT_TRUE(Check("string length(\"x\")", scope).empty());
}

TEST(FeelLimits, DeepNestingIsAnErrorNotACrash) {
  Scope scope;
  std::string deep(5000, '(');
  deep += "1";
  deep += std::string(5000, ')');
  std::vector<Diagnostic> d = Check(deep, scope);
  ASSERT_FALSE(d.empty());
  EXPECT_NE(d[0].message.find("nested too deeply"), std::string::npos);
  std::string list(5000, '[');
  EXPECT_FALSE(Check(list, scope).empty());
}

TEST(FeelLimits, EndlessRecursionEndsWithAWarning) {
  Scope scope;
  scope.Declare("f");
  Result<Program> def = Compile("function(n) f(n + 1)", scope);
  ASSERT_TRUE(def.ok());
  Bindings b(scope);
  Value fn = def->Evaluate(b).value;
  ASSERT_TRUE(fn.is(Kind::kFunction));
  b.Set(0, fn);
  // The closure captured f as null; call through a scope that binds f to itself.
  Result<Program> call = Compile("f(1)", scope);
  ASSERT_TRUE(call.ok());
  Evaluation e = call->Evaluate(b);
  EXPECT_TRUE(e.value.is_null());
}

TEST(FeelUnaryTests, DecisionTableCells) {
  Scope scope;
  Bindings b(scope);
  auto test = [&](std::string_view cell, const Value& input) {
    Result<Program> p = Compile(cell, scope, Mode::kUnaryTests);
    if (!p.ok()) return std::string("error: ") + p.error().message();
    return ToJson(p->Test(input, b).value);
  };
  EXPECT_EQ(test("< 10", Value::Number(5)), "true");
  EXPECT_EQ(test("< 10", Value::Number(10)), "false");
  EXPECT_EQ(test("[18..60]", Value::Number(60)), "true");
  EXPECT_EQ(test("[18..60]", Value::Number(61)), "false");
  EXPECT_EQ(test("\"A\",\"B\"", Value::String("B")), "true");
  EXPECT_EQ(test("\"A\",\"B\"", Value::String("C")), "false");
  EXPECT_EQ(test("not(\"C\")", Value::String("C")), "false");
  EXPECT_EQ(test("not(\"C\")", Value::String("D")), "true");
  EXPECT_EQ(test("-", Value::Number(1)), "true");
  EXPECT_EQ(test("? > 5", Value::Number(6)), "true");
  EXPECT_EQ(test("? > 5", Value::Number(4)), "false");
  EXPECT_EQ(test("1, 2", Value::Number(3)), "false");
  EXPECT_EQ(test("null", Value()), "true");
  EXPECT_EQ(test("<= 5, > 9", Value::Number(10)), "true");
}

// `e in [a, b]` is `e in a or e in b` (DMN 1.5 §10.3.2.15): a null that no range can hold
// leaves the answer unknown unless another item matches (found by the feelin differential).
TEST(FeelUnaryTests, InAListOfRangesIsTheDisjunctionOfItsItems) {
  EXPECT_EQ(Eval("null in [1..2]"), "null");
  EXPECT_EQ(Eval("null in [[1..2], 4]"), "null");
  EXPECT_EQ(Eval("4 in [[1..2], 4]"), "true");
  EXPECT_EQ(Eval("2 in [[1..2], 4]"), "true");
  EXPECT_EQ(Eval("3 in [[1..2], 4]"), "false");
  EXPECT_EQ(Eval("null in [1, 4]"), "false");
  EXPECT_EQ(Eval("null in [1, null]"), "true");
}

TEST(FeelJson, NumbersFromTheirText) {
  Result<Value> v = ParseJson(R"({"a": 0.1, "b": [1, 2.50, null, true], "c": "x"})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(ToJson(*v), R"({"a":0.1,"b":[1,2.5,null,true],"c":"x"})");
  Result<Value> big = ParseJson("12345678901234567890.123456789");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(ToJson(*big), "12345678901234567890.123456789");
  EXPECT_FALSE(ParseJson("{\"a\": }").ok());
  EXPECT_FALSE(ParseJson("").ok());
}

TEST(FeelTrace, RecordsSubExpressions) {
  Scope scope;
  const int level = scope.Declare("disability_level");
  Result<Program> p = Compile("disability_level in [1, 2]", scope);
  ASSERT_TRUE(p.ok());
  Bindings b(scope);
  b.Set(level, Value::Number(3));
  Evaluation e = p->Evaluate(b, {.trace = true});
  EXPECT_EQ(ToJson(e.value), "false");
  ASSERT_GE(e.trace.size(), 2u);
  EXPECT_EQ(e.trace[0].text, "disability_level in [1, 2]");
  EXPECT_EQ(ToJson(e.trace[0].value), "false");
  EXPECT_EQ(e.trace[1].text, "disability_level");
  EXPECT_EQ(ToJson(e.trace[1].value), "3");

  // An `and` chain stops at the first false operand; the trace shows the operands it ran.
  Result<Program> chain =
      Compile("disability_level > 1 and disability_level < 3 and 1 / 0 = 1", scope);
  ASSERT_TRUE(chain.ok());
  Evaluation c = chain->Evaluate(b, {.trace = true});
  EXPECT_EQ(ToJson(c.value), "false");
  bool saw_second = false;
  for (const TraceStep& step : c.trace) {
    if (step.text == "disability_level < 3") saw_second = ToJson(step.value) == "false";
    EXPECT_FALSE(step.text.starts_with("1 / 0")) << "evaluated after a false operand";
  }
  EXPECT_TRUE(saw_second);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(FeelTypes, ParseAndInstance) {
  Result<Type> t = Type::Parse("context<name: string, ages: list<number>>");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ToString(), "context<name: string, ages: list<number>>");
  Result<Value> v = ParseJson(R"({"name": "Li", "ages": [1, 2], "x": 1})");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(t->IsInstance(*v));
  Result<Value> bad = ParseJson(R"({"name": 1, "ages": [1]})");
  EXPECT_FALSE(t->IsInstance(*bad));
  EXPECT_TRUE(Type::Parse("function<number, string>->boolean").ok());
  EXPECT_TRUE(Type::Parse("days and time duration").ok());
  EXPECT_FALSE(Type::Parse("list<").ok());
}

}  // namespace
}  // namespace tongban::feel

namespace tongban::feel {
namespace {

TEST(FeelPlatform, WorkingDays) {
  auto calendar = Calendar::WithEmbeddedSchedules();
  Scope scope;
  AddCalendarFunctions(scope, *calendar);
  Bindings b(scope);
  auto eval = [&](std::string_view t) {
    Result<Program> p = Compile(t, scope);
    return p.ok() ? ToJson(p->Evaluate(b).value) : "error: " + p.error().message();
  };
  // The same answers as calendar_command_test.sh (Spring Festival 2025).
  EXPECT_EQ(eval("add working days(@\"2025-01-24\", 1)"), "\"2025-01-26\"");
  EXPECT_EQ(eval("working days between(@\"2025-01-24\", @\"2025-02-10\")"), "7");
  EXPECT_EQ(eval("add working days(\"2025-01-24\", 1)"), "null");
  // A date and time (a BPMN timer's `add working days(now(), 3)`) keeps its time of day.
  EXPECT_EQ(eval("add working days(@\"2025-01-24T09:30:00\", 1)"), "\"2025-01-26T09:30:00\"");
}

}  // namespace
}  // namespace tongban::feel

namespace tongban::feel {
namespace {

TEST(FeelLimits, HugeLoopsStopAtTheWorkLimit) {
  Scope scope;
  Limits limits;
  limits.max_steps = 100'000;
  Result<Program> p = Compile("every a in 1..1000000, b in 1..1000000 satisfies a > 0", scope,
                              Mode::kExpression, limits);
  ASSERT_TRUE(p.ok());
  Bindings b(scope);
  Evaluation e = p->Evaluate(b);
  EXPECT_TRUE(e.value.is_null());
  ASSERT_FALSE(e.warnings.empty());
  EXPECT_NE(e.warnings[0].find("work limit"), std::string::npos);
  // partial is only built when read; reading it is charged.
  Result<Program> q =
      Compile("count(for i in 1..100000 return partial)", scope, Mode::kExpression, limits);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->Evaluate(b).value.is_null());
  Result<Program> r =
      Compile("count(for i in 1..20000 return i)", scope, Mode::kExpression, limits);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ToJson(r->Evaluate(b).value), "20000");
}

TEST(FeelLimits, LongChainsDoNotOverflowTheStack) {
  Scope scope;
  std::string chain = "1";
  for (int i = 0; i < 60000; ++i) chain += " + 1";
  Result<Program> p = Compile(chain, scope);
  ASSERT_TRUE(p.ok());
  Bindings b(scope);
  Evaluation e = p->Evaluate(b);
  EXPECT_TRUE(e.value.is_null());
  EXPECT_FALSE(e.warnings.empty());
}

}  // namespace
}  // namespace tongban::feel
