// The generator of the feelin differential corpus and the typed JSON both sides compare.
#include "feel/differential.h"

#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "feel/feel.h"

namespace tongban::feel::differential {
namespace {

using nlohmann::json;

// splitmix64: tiny, fast and the same everywhere (std::uniform_int_distribution is not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int Int(int lo, int hi) {
    return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // True with probability percent / 100.
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  template <size_t N>
  std::string_view Pick(const std::array<std::string_view, N>& items) {
    return items[Next() % N];
  }
  std::string_view Pick(std::initializer_list<std::string_view> items) {
    return *(items.begin() + Next() % items.size());
  }

 private:
  uint64_t state_;
};

constexpr std::array<std::string_view, 5> kCounties = {"431128", "430181", "430423", "430204",
                                                       "430603"};
constexpr std::array<std::string_view, 8> kNames = {"张伟", "王芳", "李娜", "刘洋",
                                                    "陈静", "杨磊", "赵敏", "黄强"};
constexpr std::array<std::string_view, 4> kRelations = {"spouse", "child", "parent", "sibling"};
constexpr std::array<std::string_view, 5> kCountyNames = {"新田县", "浏阳市", "衡山县", "石峰区",
                                                          "云溪区"};

constexpr std::string_view kDateEqualsDateTime =
    R"(date("2026-01-01") = date and time("2026-01-01T00:00:00"))";

Value Num(std::string_view text) { return Value::Number(*Decimal::Parse(text)); }
Value Str(std::string_view s) { return Value::String(std::string(s)); }

class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  Case Next() {
    Case c;
    c.variables = Person();
    struct Family {
      std::string_view name;
      int weight;
      std::string (Generator::*make)();
    };
    static constexpr Family kFamilies[] = {
        {"rule", 20, &Generator::Rule},
        {"arithmetic", 10, &Generator::Arithmetic},
        {"numeric function", 8, &Generator::NumericFunction},
        {"comparison", 7, &Generator::Comparison},
        {"logic", 5, &Generator::Logic},
        {"in", 7, &Generator::In},
        {"if", 4, &Generator::If},
        {"string", 10, &Generator::StringFunction},
        {"list", 8, &Generator::ListFunction},
        {"context", 5, &Generator::ContextExpr},
        {"filter", 5, &Generator::Filter},
        {"quantified", 4, &Generator::Quantified},
        {"temporal", 14, &Generator::Temporal},
        {"range", 5, &Generator::RangeExpr},
        {"conversion", 3, &Generator::Conversion},
        {"unary tests", 8, nullptr},
    };
    int total = 0;
    for (const Family& f : kFamilies) total += f.weight;
    int roll = rng_.Int(1, total);
    for (const Family& f : kFamilies) {
      roll -= f.weight;
      if (roll <= 0) {
        c.family = std::string(f.name);
        if (f.make == nullptr) {
          UnaryTests(c);
        } else {
          c.text = (this->*f.make)();
        }
        break;
      }
    }
    return c;
  }

 private:
  // The record a rule reads: a person of the population register and their household.
  std::vector<ContextEntry> Person() {
    std::vector<ContextEntry> v;
    int age = rng_.Int(0, 99);
    v.push_back({"age", rng_.Chance(5) ? Value() : Value::Number(age)});
    v.push_back({"income", rng_.Chance(5) ? Value() : Money(30000)});
    v.push_back({"monthly income", Money(8000)});
    std::string county(rng_.Pick(kCounties));
    std::string region = county + fmt::format("{:03d}{:03d}", rng_.Int(1, 30), rng_.Int(1, 250));
    v.push_back({"region", Str(region)});
    v.push_back({"disability_level", rng_.Chance(30) ? Value() : Value::Number(rng_.Int(1, 4))});
    v.push_back({"receiving", rng_.Chance(5) ? Value() : Value::Boolean(rng_.Chance(20))});
    v.push_back({"name", Str(rng_.Pick(kNames))});
    int year = 2026 - age;
    int month = rng_.Int(1, 12);
    int day = rng_.Int(1, 28);
    std::string birth = fmt::format("{:04d}-{:02d}-{:02d}", year, month, day);
    v.push_back({"birth", Str(birth)});
    v.push_back(
        {"id_number", Str(fmt::format("{}{:04d}{:02d}{:02d}{:03d}{}", county, year, month, day,
                                      rng_.Int(0, 999), rng_.Chance(10) ? "X" : "7"))});
    std::vector<Value> scores;
    for (int i = rng_.Int(0, 5); i > 0; --i) scores.push_back(Value::Number(rng_.Int(0, 100)));
    v.push_back({"scores", Value::List(std::move(scores))});
    std::vector<Value> household;
    for (int i = rng_.Int(0, 4); i > 0; --i) {
      household.push_back(Value::Context({
          {"name", Str(rng_.Pick(kNames))},
          {"age", Value::Number(rng_.Int(0, 90))},
          {"relation", Str(rng_.Pick(kRelations))},
          {"income", Money(6000)},
      }));
    }
    v.push_back({"household", Value::List(std::move(household))});
    int county_index = rng_.Int(0, 4);
    v.push_back({"applicant", Value::Context({
                                  {"name", Str(rng_.Pick(kNames))},
                                  {"age", Value::Number(age)},
                                  {"address", Value::Context({
                                                  {"province", Str("湖南省")},
                                                  {"county", Str(kCountyNames[county_index])},
                                                  {"code", Str(kCounties[county_index])},
                                              })},
                              })});
    v.push_back({"today", Value::FromDate(*Date::Parse("2026-11-26"))});
    v.push_back({"applied", Value::FromDate(*Date::Parse(ValidDateText(2020, 2026)))});
    v.push_back({"submitted", Value::FromDateTime(
                                  *DateTime::Parse(ValidDateText(2024, 2026) + "T" + TimeText()))});
    v.push_back({"waiting", Value::FromDuration(*DaysTimeDuration::Parse(
                                fmt::format("P{}DT{}H", rng_.Int(0, 40), rng_.Int(0, 23))))});
    return v;
  }

  Value Money(int max) { return Num(fmt::format("{}.{:02d}", rng_.Int(0, max), rng_.Int(0, 99))); }
  std::string DateText(int from_year, int to_year) {
    return fmt::format("{:04d}-{:02d}-{:02d}", rng_.Int(from_year, to_year), rng_.Int(1, 12),
                       rng_.Chance(15) ? rng_.Int(29, 31) : rng_.Int(1, 28));
  }
  std::string ValidDateText(int from_year, int to_year) {
    return fmt::format("{:04d}-{:02d}-{:02d}", rng_.Int(from_year, to_year), rng_.Int(1, 12),
                       rng_.Int(1, 28));
  }
  std::string TimeText() {
    return fmt::format("{:02d}:{:02d}:{:02d}", rng_.Int(0, 23), rng_.Int(0, 59), rng_.Int(0, 59));
  }

  // A number literal: small integers mostly, decimals such as 0.1 and 2500.50, sometimes large.
  std::string NumberLiteral() {
    switch (rng_.Int(0, 9)) {
      case 0:
      case 1:
      case 2:
        return std::to_string(rng_.Int(0, 20));
      case 3:
        return std::string(rng_.Pick({"0.1", "0.2", "0.3", "0.7", "1.1", "2.675", "1.005"}));
      case 4:
        return fmt::format("{}.{}", rng_.Int(0, 99), rng_.Int(1, 99));
      case 5:
        return fmt::format("{}.{:02d}", rng_.Int(100, 30000), rng_.Int(0, 99));
      case 6:
        return std::to_string(rng_.Int(100, 100000));
      case 7:
        return fmt::format("-{}", rng_.Int(1, 50));
      case 8:
        return fmt::format("{}{:09d}", rng_.Int(1, 999999), rng_.Int(0, 999999999));
      default:
        return fmt::format("0.{:03d}", rng_.Int(1, 999));
    }
  }
  std::string NumberOperand() {
    if (rng_.Chance(25)) return std::string(rng_.Pick({"age", "income", "monthly income"}));
    return NumberLiteral();
  }
  std::string NumberExpr(int depth) {
    if (depth <= 0 || rng_.Chance(30)) return NumberOperand();
    std::string_view op = rng_.Pick({"+", "-", "*", "/", "+", "-", "*", "**"});
    if (op == "**") return fmt::format("{} ** {}", NumberOperand(), rng_.Int(0, 4));
    std::string a = NumberExpr(depth - 1);
    std::string b = NumberExpr(depth - 1);
    if (rng_.Chance(30)) return fmt::format("({} {} {})", a, op, b);
    return fmt::format("{} {} {}", a, op, b);
  }
  std::string StringLiteral() {
    return fmt::format("\"{}\"", rng_.Pick({"431128", "abc", "ABC", "Hello World", "新田县", "",
                                            "a-b-c", "foo bar", "Zürich", "x", "2026-11-26",
                                            "1,000.50", "永州市新田县", "a.b.c"}));
  }
  std::string StringOperand() {
    if (rng_.Chance(40)) return std::string(rng_.Pick({"name", "region", "id_number", "birth"}));
    return StringLiteral();
  }
  std::string DateLiteral() {
    if (rng_.Chance(20))
      return fmt::format("date({}, {}, {})", rng_.Int(1990, 2030), rng_.Int(1, 12),
                         rng_.Int(1, 28));
    return fmt::format("date(\"{}\")", DateText(1950, 2030));
  }
  std::string DateOperand() {
    switch (rng_.Int(0, 4)) {
      case 0:
        return "date(birth)";
      case 1:
        return std::string(rng_.Pick({"today", "applied"}));
      default:
        return DateLiteral();
    }
  }
  std::string YmDuration() {
    return fmt::format("duration(\"{}\")",
                       rng_.Pick({"P1Y", "P6M", "P18M", "P2Y3M", "-P1Y", "P0M", "P60Y"}));
  }
  std::string DtDuration() {
    return fmt::format("duration(\"{}\")", rng_.Pick({"P1D", "PT12H", "P3DT4H", "PT90M", "P30D",
                                                      "-P2D", "PT0S", "PT1.5S", "P1DT0.25S"}));
  }
  std::string Duration() { return rng_.Chance(50) ? YmDuration() : DtDuration(); }
  std::string ListLiteral() {
    switch (rng_.Int(0, 4)) {
      case 0:
        return "scores";
      case 1:
        return "[]";
      case 2:
        return fmt::format("[{}, {}, {}]", NumberLiteral(), NumberLiteral(), NumberLiteral());
      case 3:
        return fmt::format("[{}, {}, null, {}]", rng_.Int(0, 9), rng_.Int(0, 9), rng_.Int(0, 9));
      default:
        return fmt::format("[{}, {}, {}, {}]", rng_.Int(-5, 9), rng_.Int(-5, 9), rng_.Int(-5, 9),
                           NumberLiteral());
    }
  }
  // kOuter also writes the reversed-bracket forms `]1..5[`, which inside a list would read as
  // an empty list `[]` followed by text.
  enum class Brackets { kOuter, kInner };
  std::string RangeLiteral(Brackets brackets = Brackets::kOuter) {
    int lo = rng_.Int(0, 60);
    int hi = lo + rng_.Int(0, 40);
    if (brackets == Brackets::kInner)
      return fmt::format("{}{}..{}{}", rng_.Pick({"[", "("}), lo, hi, rng_.Pick({"]", ")"}));
    return fmt::format("{}{}..{}{}", rng_.Pick({"[", "(", "]"}), lo, hi,
                       rng_.Pick({"]", ")", "["}));
  }

  // One condition of an eligibility rule over the person.
  std::string Condition() {
    switch (rng_.Int(0, 19)) {
      case 0:
        return fmt::format("age {} {}", rng_.Pick({">=", ">", "<", "<=", "=", "!="}),
                           rng_.Int(0, 80));
      case 1:
        return fmt::format("age between {} and {}", rng_.Int(0, 40), rng_.Int(40, 90));
      case 2:
        return fmt::format("income {} {}", rng_.Pick({"<", "<=", ">", ">="}), NumberLiteral());
      case 3:
        return fmt::format("disability_level in [{}, {}]", rng_.Int(1, 2), rng_.Int(2, 4));
      case 4:
        return fmt::format("disability_level in {}",
                           rng_.Pick({"[1..2]", "(1..3]", "<= 2", "[[1..2], 4]"}));
      case 5:
        return fmt::format("starts with(region, \"{}\")", rng_.Pick(kCounties));
      case 6:
        return std::string(
            rng_.Pick({"not(receiving)", "receiving = false", "receiving", "receiving != true"}));
      case 7:
        return fmt::format("count(household) {} {}", rng_.Pick({">", ">=", "<"}), rng_.Int(0, 4));
      case 8:
        return fmt::format("some m in household satisfies m.age {} {}", rng_.Pick({"<", ">="}),
                           rng_.Int(6, 70));
      case 9:
        return fmt::format("applicant.address.county = \"{}\"", rng_.Pick(kCountyNames));
      case 10:
        return std::string(
            rng_.Pick({"disability_level = null", "disability_level != null", "income = null"}));
      case 11:
        return fmt::format("monthly income {} {}", rng_.Pick({"<", ">"}), rng_.Int(1000, 6000));
      case 12:
        return fmt::format("years and months duration(date(birth), today).years >= {}",
                           rng_.Pick({"16", "18", "60", "65"}));
      case 13:
        return fmt::format("date(birth) {} {}", rng_.Pick({"<", ">=", "<="}), DateLiteral());
      case 14:
        return fmt::format("substring(id_number, 1, 6) = \"{}\"", rng_.Pick(kCounties));
      case 15:
        return fmt::format("sum(household.income) {} {}", rng_.Pick({"<", ">"}),
                           rng_.Int(1000, 20000));
      case 16:
        return fmt::format("applied + duration(\"P{}D\") {} today", rng_.Int(1, 400),
                           rng_.Pick({"<", ">="}));
      case 17:
        return fmt::format("income / (count(household) + 1) < {}", rng_.Int(500, 5000));
      case 18:
        return fmt::format("age in {}", RangeLiteral());
      default:
        return fmt::format("list contains(household.relation, \"{}\")", rng_.Pick(kRelations));
    }
  }
  std::string BooleanExpr(int depth) {
    if (depth <= 0 || rng_.Chance(25)) return Condition();
    switch (rng_.Int(0, 5)) {
      case 0:
        return fmt::format("not({})", BooleanExpr(depth - 1));
      case 1:
        return fmt::format("({} or {})", BooleanExpr(depth - 1), BooleanExpr(depth - 1));
      case 2:
        return fmt::format("{} or {}", BooleanExpr(depth - 1), BooleanExpr(depth - 1));
      default:
        return fmt::format("{} and {}", BooleanExpr(depth - 1), BooleanExpr(depth - 1));
    }
  }

  std::string Rule() { return BooleanExpr(rng_.Int(1, 3)); }

  std::string Arithmetic() {
    if (rng_.Chance(15))
      return std::string(
          rng_.Pick({"0.1 + 0.2", "0.3 - 0.1", "1.1 * 3", "1 / 3", "2 / 3 * 3", "10 / 4", "1 / 0",
                     "0.1 * 3 = 0.3", "1 + null", "\"a\" + 1", "-(3 - 5)", "2 ** -1", "10 ** 20",
                     "1.005 * 1000", "100 * 1.1"}));
    return NumberExpr(rng_.Int(1, 3));
  }

  std::string NumericFunction() {
    std::string n = NumberOperand();
    std::string m = NumberLiteral();
    int scale = rng_.Int(0, 3);
    switch (rng_.Int(0, 17)) {
      case 0:
        return fmt::format("decimal({}, {})", n, scale);
      case 1:
        return fmt::format("floor({})", n);
      case 2:
        return fmt::format("ceiling({})", n);
      case 3:
        return fmt::format("round up({}, {})", n, scale);
      case 4:
        return fmt::format("round down({}, {})", n, scale);
      case 5:
        return fmt::format("round half up({}, {})", n, scale);
      case 6:
        return fmt::format("round half down({}, {})", n, scale);
      case 7:
        return fmt::format("abs({})", n);
      case 8:
        return fmt::format("modulo({}, {})", n, rng_.Pick({"3", "-3", "0.5", "7", "0"}));
      case 9:
        return fmt::format("sqrt({})", n);
      case 10:
        return fmt::format("{}({})", rng_.Pick({"odd", "even"}), rng_.Int(-5, 10));
      case 11:
        return fmt::format("{}({})", rng_.Pick({"log", "exp"}), rng_.Int(1, 10));
      case 12:
        return fmt::format("{}({}, {}, {})", rng_.Pick({"min", "max", "sum", "mean"}), n, m,
                           NumberLiteral());
      case 13:
        return fmt::format("floor({}, {})", n, scale);
      case 14:
        return fmt::format("ceiling({}, {})", n, scale);
      case 15:
        return fmt::format("decimal({}, {})", rng_.Pick({"2.5", "3.5", "-2.5", "1.115", "0.125"}),
                           scale);
      case 16:
        return fmt::format("{}(n: {})", rng_.Pick({"abs", "floor", "ceiling"}), n);
      default:
        return fmt::format("number(string({}))", n);
    }
  }

  std::string Comparison() {
    std::string_view op = rng_.Pick({"=", "!=", "<", "<=", ">", ">="});
    switch (rng_.Int(0, 8)) {
      case 0:
        return fmt::format("{} {} {}", NumberExpr(1), op, NumberExpr(1));
      case 1:
        return fmt::format("{} {} {}", StringOperand(), op, StringLiteral());
      case 2:
        return fmt::format("{} {} {}", DateOperand(), op, DateOperand());
      case 3:
        return fmt::format("{} {} {}", Duration(), op, Duration());
      case 4:
        return fmt::format("{} {} {}", rng_.Pick({"true", "false", "null"}), op,
                           rng_.Pick({"true", "false", "null"}));
      case 5:
        return std::string(rng_.Pick({"1 = \"1\"", "null = null", "null != 1", "[1, 2] = [1, 2]",
                                      "{a: 1} = {a: 1.0}", "\"Z\" < \"a\"", "\"é\" > \"z\"",
                                      "1 = 1.0", "[1] = 1", "null < 1", kDateEqualsDateTime}));
      case 6:
        return fmt::format("{} between {} and {}", NumberOperand(), NumberLiteral(),
                           NumberLiteral());
      case 7:
        return fmt::format("is({}, {})", rng_.Pick({"1", "date(\"2026-01-01\")", "\"a\"", "null"}),
                           rng_.Pick({"1.0", "@\"2026-01-01\"", "\"a\"", "null",
                                      "date and time(\"2026-01-01T00:00:00\")"}));
      default:
        return fmt::format("{} {} {}", NumberOperand(), op, rng_.Chance(20) ? "null" : "10");
    }
  }

  std::string Logic() {
    auto operand = [&] {
      return std::string(rng_.Pick({"true", "false", "null", "1", "\"x\"", "age > 30", "receiving",
                                    "disability_level > 2"}));
    };
    switch (rng_.Int(0, 3)) {
      case 0:
        return fmt::format("{} and {}", operand(), operand());
      case 1:
        return fmt::format("{} or {}", operand(), operand());
      case 2:
        return fmt::format("not({})", operand());
      default:
        return fmt::format("{} {} {} {} {}", operand(), rng_.Pick({"and", "or"}), operand(),
                           rng_.Pick({"and", "or"}), operand());
    }
  }

  std::string In() {
    std::string v = rng_.Chance(50) ? NumberOperand() : std::to_string(rng_.Int(0, 10));
    std::string test;
    switch (rng_.Int(0, 6)) {
      case 0:
        test = fmt::format("[{}, {}, {}]", rng_.Int(0, 5), rng_.Int(0, 5), rng_.Int(0, 5));
        break;
      case 1:
        test = RangeLiteral();
        break;
      case 2:
        test = fmt::format("(< {}, > {})", rng_.Int(0, 5), rng_.Int(5, 50));
        break;
      case 3:
        test = fmt::format("{} {}", rng_.Pick({"<", "<=", ">", ">="}), rng_.Int(0, 50));
        break;
      case 4:
        test = fmt::format("({}, {})", rng_.Int(0, 5), rng_.Int(0, 5));
        break;
      case 5:
        test = "[]";
        break;
      default:
        test = fmt::format("[{}, {}]", RangeLiteral(Brackets::kInner), rng_.Int(0, 9));
        break;
    }
    std::string in = fmt::format("{} in {}", v, test);
    switch (rng_.Int(0, 3)) {
      case 0:
        return fmt::format("{} {} {}", in, rng_.Pick({"and", "or"}),
                           rng_.Pick({"true", "false", "null", "receiving", "age > 18"}));
      case 1:
        return fmt::format("{} {} {}", rng_.Pick({"true", "false", "receiving"}),
                           rng_.Pick({"and", "or"}), in);
      default:
        return in;
    }
  }

  std::string If() {
    std::string cond =
        rng_.Chance(70) ? Condition() : std::string(rng_.Pick({"null", "1", "true"}));
    switch (rng_.Int(0, 2)) {
      case 0:
        return fmt::format("if {} then {} else {}", cond, NumberLiteral(), NumberLiteral());
      case 1:
        return fmt::format("if {} then \"eligible\" else \"not eligible\"", cond);
      default:
        return fmt::format("if {} then income * {} else if {} then 0 else null", cond,
                           NumberLiteral(), Condition());
    }
  }

  std::string StringFunction() {
    std::string s = StringOperand();
    int a = rng_.Int(-4, 8);
    switch (rng_.Int(0, 21)) {
      case 0:
        return fmt::format("substring({}, {})", s, a);
      case 1:
        return fmt::format("substring({}, {}, {})", s, a, rng_.Int(0, 6));
      case 2:
        return fmt::format("string length({})", s);
      case 3:
        return fmt::format("upper case({})", s);
      case 4:
        return fmt::format("lower case({})", s);
      case 5:
        return fmt::format("substring before({}, {})", s, rng_.Pick({"\"-\"", "\"1\"", "\"\""}));
      case 6:
        return fmt::format("substring after({}, {})", s, rng_.Pick({"\"-\"", "\"1\"", "\"\""}));
      case 7:
        return fmt::format("contains({}, {})", s, rng_.Pick({"\"1\"", "\"县\"", "\"\""}));
      case 8:
        return fmt::format("starts with({}, {})", s, rng_.Pick({"\"43\"", "\"4311\"", "\"\""}));
      case 9:
        return fmt::format("ends with({}, {})", s, rng_.Pick({"\"X\"", "\"7\"", "\"c\""}));
      case 10:
        return fmt::format("matches({}, \"{}\")", s,
                           rng_.Pick({"^43\\\\d{4}", "^[a-z]+$", "\\\\d{17}[0-9X]", "a.c"}));
      case 11:
        return fmt::format("replace({}, \"{}\", \"{}\")", s, rng_.Pick({"\\\\d", "a", "(\\\\w)"}),
                           rng_.Pick({"#", "$1$1", ""}));
      case 12:
        return fmt::format("split({}, \"{}\")", s, rng_.Pick({"-", ",", "\\\\.", "\\\\s"}));
      case 13:
        return fmt::format("string join([{}, {}], \"{}\")", StringLiteral(), StringLiteral(),
                           rng_.Pick({",", "", " / "}));
      case 14:
        return fmt::format("{} + {}", s, StringOperand());
      case 15:
        return fmt::format("substring(id_number, 7, 8)");
      case 16:
        return fmt::format(
            "date(substring(id_number, 7, 4) + \"-\" + substring(id_number, 11, 2) "
            "+ \"-\" + substring(id_number, 13, 2))");
      case 17:
        return fmt::format("string join([{}, null, {}])", StringLiteral(), StringLiteral());
      case 18:
        return fmt::format("matches({}, \"{}\", \"i\")", s, rng_.Pick({"^abc", "HELLO", "^Z"}));
      case 19:
        return fmt::format("upper case({}) = {}", s, StringLiteral());
      case 20:
        return fmt::format("string length({}) = 18", rng_.Pick({"id_number", "region"}));
      default:
        return fmt::format("substring(string: {}, start position: {})", s, rng_.Int(1, 4));
    }
  }

  std::string ListFunction() {
    std::string l = ListLiteral();
    switch (rng_.Int(0, 27)) {
      case 0:
        return fmt::format("count({})", l);
      case 1:
        return fmt::format("sum({})", l);
      case 2:
        return fmt::format("min({})", l);
      case 3:
        return fmt::format("max({})", l);
      case 4:
        return fmt::format("mean({})", l);
      case 5:
        return fmt::format("{}([{}, {}, {}])", rng_.Pick({"all", "any"}),
                           rng_.Pick({"true", "false", "null"}),
                           rng_.Pick({"true", "false", "null"}), rng_.Pick({"true", "false"}));
      case 6:
        return fmt::format("sublist({}, {}, {})", l, rng_.Int(-3, 3), rng_.Int(0, 3));
      case 7:
        return fmt::format("append({}, {})", l, NumberLiteral());
      case 8:
        return fmt::format("concatenate({}, {})", l, ListLiteral());
      case 9:
        return fmt::format("insert before({}, {}, {})", l, rng_.Int(-2, 3), NumberLiteral());
      case 10:
        return fmt::format("remove({}, {})", l, rng_.Int(-2, 3));
      case 11:
        return fmt::format("reverse({})", l);
      case 12:
        return fmt::format("index of({}, {})", l, rng_.Int(0, 9));
      case 13:
        return fmt::format("union({}, {})", l, ListLiteral());
      case 14:
        return fmt::format("distinct values({})", l);
      case 15:
        return fmt::format("flatten([{}, [{}, [{}]]])", l, ListLiteral(), rng_.Int(0, 9));
      case 16:
        return fmt::format("product({})", l);
      case 17:
        return fmt::format("median({})", l);
      case 18:
        return fmt::format("stddev({})", l);
      case 19:
        return fmt::format("mode({})", l);
      case 20:
        return fmt::format("sort({})", l);
      case 21:
        return fmt::format("sort({}, function(x, y) x > y)", l);
      case 22:
        return fmt::format("list contains({}, {})", l, rng_.Int(0, 9));
      case 23:
        return fmt::format("{}[{}]", l, rng_.Int(-3, 4));
      case 24:
        return fmt::format("{}(household.age)", rng_.Pick({"max", "min", "sum", "count", "mean"}));
      case 25:
        return fmt::format("list replace({}, {}, {})", l, rng_.Int(-2, 3), NumberLiteral());
      case 26:
        return fmt::format("list replace({}, function(item, newItem) item < newItem, {})", l,
                           rng_.Int(0, 9));
      default:
        return fmt::format("count({}) > 0 and sum({}) >= {}", l, l, rng_.Int(0, 50));
    }
  }

  std::string ContextExpr() {
    switch (rng_.Int(0, 11)) {
      case 0:
        return "applicant.address.county";
      case 1:
        return fmt::format("{{a: {}, b: {{c: {}}}}}.b.c", NumberLiteral(), NumberLiteral());
      case 2:
        return fmt::format("{{a: {}, b: a + 1}}", rng_.Int(0, 9));
      case 3:
        return "get value(applicant, \"name\")";
      case 4:
        return "get entries({a: 1, b: \"x\"})";
      case 5:
        return rng_.Chance(50)
                   ? fmt::format("context put(applicant, \"age\", {})", rng_.Int(0, 99))
                   : "context put(applicant, [\"address\", \"county\"], \"浏阳市\").address";
      case 6:
        return "context merge([{a: 1}, {b: 2}, {a: 3}])";
      case 7:
        return "applicant.missing";
      case 8:
        return "{name: name, adult: age >= 18, county: applicant.address.county}";
      case 9:
        return "context([{key: \"a\", value: 1}, {key: \"b\", value: [2]}])";
      case 10:
        return "household.name";
      default:
        return "{\"with space\": 1, x: {y: [1, 2]}}.x.y[2]";
    }
  }

  std::string Filter() {
    switch (rng_.Int(0, 9)) {
      case 0:
        return fmt::format("household[age {} {}]", rng_.Pick({">=", "<"}), rng_.Int(6, 70));
      case 1:
        return fmt::format("household[relation = \"{}\"].name", rng_.Pick(kRelations));
      case 2:
        return fmt::format("count(household[age < {}])", rng_.Int(6, 70));
      case 3:
        return fmt::format("{}[item > {}]", ListLiteral(), rng_.Int(0, 9));
      case 4:
        return fmt::format("household[{}].name", rng_.Int(-2, 3));
      case 5:
        return fmt::format("sum(household[relation = \"child\"].income)");
      case 6:
        return fmt::format("scores[item >= 60 and item < 90]");
      case 7:
        return fmt::format("[{{a: 1}}, {{a: 2}}, {{a: null}}][a > {}]", rng_.Int(0, 2));
      case 8:
        return "household[1]";
      default:
        return fmt::format("{}[{}]", ListLiteral(), rng_.Pick({"true", "false", "null"}));
    }
  }

  std::string Quantified() {
    switch (rng_.Int(0, 7)) {
      case 0:
        return fmt::format("for i in 1..{} return i * {}", rng_.Int(0, 6), NumberLiteral());
      case 1:
        return fmt::format("for m in household return m.age + {}", rng_.Int(0, 9));
      case 2:
        return fmt::format("some x in {} satisfies x > {}", ListLiteral(), rng_.Int(0, 9));
      case 3:
        return fmt::format("every x in {} satisfies x > {}", ListLiteral(), rng_.Int(-5, 5));
      case 4:
        return fmt::format("every m in household satisfies m.income < {}", rng_.Int(1000, 6000));
      case 5:
        return fmt::format("for i in {}..{} return i", rng_.Int(-3, 3), rng_.Int(-3, 3));
      case 6:
        return "for x in [1, 2], y in [10, 20] return x + y";
      default:
        return "for i in 0..4 return if i = 0 then 1 else i * partial[-1]";
    }
  }

  std::string Temporal() {
    switch (rng_.Int(0, 38)) {
      case 0:
        return DateLiteral();
      case 1:
        return fmt::format("{} + {}", DateOperand(), YmDuration());
      case 2:
        return fmt::format("{} - {}", DateOperand(), Duration());
      case 3:
        return fmt::format("{} - {}", DateOperand(), DateOperand());
      case 4:
        return fmt::format("years and months duration({}, {})", DateOperand(), DateOperand());
      case 5:
        return fmt::format("years and months duration(date(birth), today).years");
      case 6:
        return fmt::format("{}.{}", DateOperand(), rng_.Pick({"year", "month", "day", "weekday"}));
      case 7:
        return fmt::format("day of week({})", DateOperand());
      case 8:
        return fmt::format("day of year({})", DateOperand());
      case 9:
        return fmt::format("month of year({})", DateOperand());
      case 10:
        return fmt::format("week of year({})", DateOperand());
      case 11:
        return fmt::format("{} + {}", Duration(), Duration());
      case 12:
        return fmt::format("{} * {}", Duration(), rng_.Pick({"2", "0.5", "-1", "3"}));
      case 13:
        return fmt::format("{}.{}", YmDuration(), rng_.Pick({"years", "months"}));
      case 14:
        return fmt::format("{}.{}", DtDuration(),
                           rng_.Pick({"days", "hours", "minutes", "seconds"}));
      case 15:
        return fmt::format("time(\"{}\")", TimeText());
      case 16:
        return fmt::format("time({}, {}, {})", rng_.Int(0, 23), rng_.Int(0, 59), rng_.Int(0, 59));
      case 17:
        return fmt::format("date and time(\"{}T{}\")", DateText(2020, 2030), TimeText());
      case 18:
        return fmt::format("submitted + {}", DtDuration());
      case 19:
        return fmt::format("submitted.{}", rng_.Pick({"year", "hour", "minute", "second", "day"}));
      case 20:
        return fmt::format("date(submitted)");
      case 21:
        return fmt::format("time(submitted)");
      case 22:
        return fmt::format("submitted - date and time(\"{}T00:00:00\")", DateText(2024, 2026));
      case 23:
        return fmt::format("waiting {} duration(\"P{}D\")", rng_.Pick({">", "<", "="}),
                           rng_.Int(1, 30));
      case 24:
        return fmt::format("waiting + {}", DtDuration());
      case 25:
        return fmt::format("date and time({}, time(\"{}\"))", DateOperand(), TimeText());
      case 26:
        return fmt::format("time(\"{}\") + {}", TimeText(), DtDuration());
      case 27:
        return fmt::format("time(\"{}\") - time(\"{}\")", TimeText(), TimeText());
      case 28:
        return fmt::format("date(\"{}\") + duration(\"P1M\")", DateText(2025, 2026));
      case 29:
        return fmt::format("{} / {}", Duration(), rng_.Pick({"2", "4", "0"}));
      case 30:
        return fmt::format("duration(\"{}\")",
                           rng_.Pick({"P1Y2M", "P14M", "P1DT36H", "PT3600S", "P0D", "P1W"}));
      case 31:
        return fmt::format("date and time(\"{}T{}{}\")", DateText(2020, 2030), TimeText(),
                           rng_.Pick({"Z", "+08:00", "@Asia/Shanghai", "-05:00"}));
      case 32:
        return fmt::format("time(\"{}{}\")", TimeText(),
                           rng_.Pick({"Z", "+08:00", "@Asia/Shanghai"}));
      case 33:
        return fmt::format("{}.{}", DtDuration(), rng_.Pick({"years", "months"}));
      case 34:
        return fmt::format("{} {} {}", DateOperand(), rng_.Pick({"<", ">=", "="}), DateOperand());
      case 35:
        return fmt::format("@\"{}\" {} @\"{}\"", ValidDateText(2025, 2026),
                           rng_.Pick({"-", "<", "="}), ValidDateText(2025, 2026));
      case 36:
        return fmt::format("abs({})", Duration());
      case 37:
        return fmt::format("date and time(\"{}T{}{}\").{}", ValidDateText(2020, 2030), TimeText(),
                           rng_.Pick({"@Asia/Shanghai", "+08:00", "Z"}),
                           rng_.Pick({"timezone", "time offset", "hour"}));
      default:
        return fmt::format("{} in [date(\"2026-01-01\")..date(\"2026-12-31\")]", DateOperand());
    }
  }

  std::string RangeExpr() {
    std::string r = RangeLiteral();
    std::string q = RangeLiteral();
    int p = rng_.Int(0, 80);
    switch (rng_.Int(0, 16)) {
      case 0:
        return r;
      case 13:
        return fmt::format("{}({}, {})", rng_.Pick({"before", "after", "met by", "overlaps after"}),
                           r, q);
      case 14:
        return fmt::format("{}({}, {})", rng_.Pick({"started by", "finished by", "includes"}), r,
                           rng_.Int(0, 80));
      case 15:
        return fmt::format("{} in {}", RangeLiteral(Brackets::kInner), RangeLiteral());
      case 1:
        return fmt::format("before({}, {})", p, r);
      case 2:
        return fmt::format("after({}, {})", r, q);
      case 3:
        return fmt::format("meets({}, {})", r, q);
      case 4:
        return fmt::format("overlaps({}, {})", r, q);
      case 5:
        return fmt::format("includes({}, {})", r, p);
      case 6:
        return fmt::format("during({}, {})", p, r);
      case 7:
        return fmt::format("starts({}, {})", p, r);
      case 8:
        return fmt::format("finishes({}, {})", r, q);
      case 9:
        return fmt::format("coincides({}, {})", r, q);
      case 10:
        return fmt::format("{}.{}", r,
                           rng_.Pick({"start", "end", "start included", "end included"}));
      case 11:
        return fmt::format("{} in {}", p, r);
      case 12:
        return fmt::format("range(\"{}\")", r);
      default:
        return fmt::format("[date(\"2026-01-01\")..date(\"2026-06-30\")].end");
    }
  }

  std::string Conversion() {
    switch (rng_.Int(0, 11)) {
      case 0:
        return fmt::format("string({})", NumberExpr(1));
      case 1:
        return fmt::format("number({})",
                           rng_.Pick({"\"12\"", "\"1.5\"", "\"abc\"", "\"-0.25\"", "\"1e3\""}));
      case 2:
        return "number(\"1,000.50\", \",\", \".\")";
      case 3:
        return fmt::format("string({})", DateOperand());
      case 4:
        return fmt::format("{} instance of {}", rng_.Pick({"age", "name", "today", "null", "[1]"}),
                           rng_.Pick({"number", "string", "date", "Any", "list<number>"}));
      case 5:
        return fmt::format("string({})", Duration());
      case 6:
        return fmt::format("date(\"{}\")", rng_.Pick({"2026-02-30", "2026-13-01", "20261126",
                                                      "2026-11-26T10:00:00", "-0001-01-01"}));
      case 7:
        return fmt::format("string(\"{}\")", "x");
      case 8:
        return fmt::format("string({})", rng_.Pick({"true", "null", "[1, 2]", "{a: 1}"}));
      case 9:
        return fmt::format("number(\"{}\")", NumberLiteral());
      case 10:
        return fmt::format("decimal({}, 2)", NumberExpr(1));
      default:
        return fmt::format("duration(\"{}\")", rng_.Pick({"P", "1D", "PT", "P1.5Y", "P-1D"}));
    }
  }

  // A decision table's input entry and the input it is tested with.
  void UnaryTests(Case& c) {
    c.mode = Mode::kUnaryTests;
    switch (rng_.Int(0, 3)) {
      case 0:
        c.input = Value::Number(rng_.Int(-5, 100));
        break;
      case 1:
        c.input = Num(fmt::format("{}.{}", rng_.Int(0, 100), rng_.Int(1, 9)));
        break;
      case 2:
        c.input =
            rng_.Chance(80) ? Str(rng_.Pick({"A", "B", "C", "431128", "430181001"})) : Value();
        break;
      default:
        c.input = Value::FromDate(*Date::Parse(ValidDateText(2024, 2027)));
        break;
    }
    bool number = c.input.is(Kind::kNumber);
    bool date = c.input.is(Kind::kDate);
    auto endpoint = [&] {
      if (date) return fmt::format("date(\"{}\")", ValidDateText(2024, 2027));
      if (number) return std::to_string(rng_.Int(-5, 100));
      return fmt::format("\"{}\"", rng_.Pick({"A", "B", "C", "431128"}));
    };
    switch (rng_.Int(0, 13)) {
      case 0:
        c.text = fmt::format("{} {}", rng_.Pick({"<", "<=", ">", ">="}), endpoint());
        break;
      case 1:
        c.text = fmt::format("[{}..{}]", endpoint(), endpoint());
        break;
      case 2:
        c.text = fmt::format("{}{}..{}{}", rng_.Pick({"(", "[", "]"}), endpoint(), endpoint(),
                             rng_.Pick({")", "]", "["}));
        break;
      case 3:
        c.text = fmt::format("{}, {}", endpoint(), endpoint());
        break;
      case 4:
        c.text = fmt::format("not({}, {})", endpoint(), endpoint());
        break;
      case 5:
        c.text = "-";
        break;
      case 6:
        c.text = std::string(rng_.Pick({"null", "not(null)", "? = null", "? != null"}));
        break;
      case 7:
        c.text = fmt::format("< {}, > {}", endpoint(), endpoint());
        break;
      case 8:
        c.text = number ? fmt::format("? * 2 > {}", rng_.Int(0, 100))
                        : fmt::format("? = {}", endpoint());
        break;
      case 9:
        c.text = c.input.is(Kind::kString) ? "starts with(?, \"4311\")" : "? != null";
        break;
      case 10:
        c.text = fmt::format("[{}, {}]", endpoint(), endpoint());
        break;
      case 11:
        c.text = fmt::format("{} {}", rng_.Pick({"=", "!="}), endpoint());
        break;
      case 12:
        c.text = number ? fmt::format("[{}..{}], > {}", rng_.Int(0, 20), rng_.Int(20, 40),
                                      rng_.Int(40, 90))
                        : fmt::format("not({})", endpoint());
        break;
      default:
        c.text = number ? "income, age" : "name";  // expressions over variables as tests
        break;
    }
  }

  Rng rng_;
};

json Typed(const Value& v) {
  json j;
  j["type"] = KindName(v.kind());
  switch (v.kind()) {
    case Kind::kNull:
    case Kind::kFunction:
      break;
    case Kind::kBoolean:
      j["value"] = v.boolean();
      break;
    case Kind::kString:
      j["value"] = v.string();
      break;
    case Kind::kNumber:
    case Kind::kDate:
    case Kind::kTime:
    case Kind::kDateTime:
    case Kind::kDaysTimeDuration:
    case Kind::kYearsMonthsDuration:
      j["value"] = v.ToString();
      break;
    case Kind::kList: {
      json items = json::array();
      for (const Value& item : v.list()) items.push_back(Typed(item));
      j["items"] = std::move(items);
      break;
    }
    case Kind::kContext: {
      json entries = json::object();
      for (const ContextEntry& e : v.context()) entries[e.name] = Typed(e.value);
      j["entries"] = std::move(entries);
      break;
    }
    case Kind::kRange: {
      const Range& r = v.range();
      j["start"] = Typed(r.low);
      j["end"] = Typed(r.high);
      j["start included"] = r.low_closed;
      j["end included"] = r.high_closed;
      break;
    }
  }
  return j;
}

}  // namespace

std::vector<Case> GenerateCorpus(uint64_t seed, int count) {
  Generator g(seed);
  std::vector<Case> cases;
  cases.reserve(count);
  for (int i = 0; i < count; ++i) cases.push_back(g.Next());
  return cases;
}

std::string TypedJson(const Value& value) { return Typed(value).dump(); }

std::string EvaluateCase(int id, const Case& c) {
  json out;
  out["id"] = id;
  out["family"] = c.family;
  out["expression"] = c.text;
  json variables = json::object();
  Scope scope;
  for (const ContextEntry& e : c.variables) {
    // Only the names the text mentions go to feelin: a tenth of the corpus's size. A name inside
    // another (age in household[age < 6]) is kept, which is harmless.
    if (c.text.find(e.name) != std::string::npos) variables[e.name] = Typed(e.value);
    scope.Declare(e.name);
  }
  out["variables"] = std::move(variables);
  if (c.mode == Mode::kUnaryTests) {
    out["mode"] = "unary tests";
    out["input"] = Typed(c.input);
  }
  Result<Program> program = Compile(c.text, scope, c.mode);
  if (!program.ok()) {
    out["tongban"] = {{"type", "error"}, {"message", program.error().message()}};
  } else {
    Bindings bindings(scope);
    for (const ContextEntry& e : c.variables) bindings.Set(scope.Find(e.name), e.value);
    Evaluation e = c.mode == Mode::kUnaryTests ? program->Test(c.input, bindings)
                                               : program->Evaluate(bindings);
    out["tongban"] = Typed(e.value);
    if (!e.warnings.empty()) out["warning"] = e.warnings.front();
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace tongban::feel::differential
