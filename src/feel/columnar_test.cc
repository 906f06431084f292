#include "feel/columnar.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "feel/feel.h"

namespace tongban::feel {
namespace {

constexpr char kEligibility[] =
    "age >= 16 and disability_level in [1, 2] and starts with(region, \"431128\") and "
    "income < 10000 and not(receiving)";

std::vector<ColumnSpec> Schema() {
  return {{"age", ColumnType::kNumber},        {"disability_level", ColumnType::kNumber},
          {"region", ColumnType::kString},     {"income", ColumnType::kNumber},
          {"receiving", ColumnType::kBoolean}, {"birth", ColumnType::kDate},
          {"pay", ColumnType::kNumber, 2}};
}

// A seeded register: about 10 % nulls in every column, region codes sharing prefixes, incomes
// up to 4e18 in some rows so that products overflow int64.
Register Generate(uint32_t seed, size_t rows) {
  std::mt19937_64 rng(seed);
  RegisterBuilder b(Schema());
  const std::vector<std::string> regions = {
      "431128001001", "431128002003", "431127000001", "4311280", "43112", "531128001001", "",
      "431129999999"};
  for (size_t r = 0; r < rows; ++r) {
    b.AddRow();
    auto present = [&] { return rng() % 10 != 0; };
    if (present()) b.SetNumber(0, static_cast<int64_t>(rng() % 100));
    if (present()) b.SetNumber(1, static_cast<int64_t>(rng() % 5));
    if (present()) b.SetString(2, regions[rng() % regions.size()]);
    if (present()) {
      const bool huge = rng() % 50 == 0;
      b.SetNumber(3, huge ? static_cast<int64_t>(rng() % 4'000'000'000'000'000'000ULL)
                          : static_cast<int64_t>(rng() % 30000) - 1000);
    }
    if (present()) b.SetBoolean(4, rng() % 2 == 0);
    // Births 1950-01-01 .. about 2005; pay with cents, some far beyond int64 when multiplied.
    if (present()) b.SetDate(5, Date::FromDays(-7305 + static_cast<int64_t>(rng() % 20000)));
    if (present()) {
      const bool huge = rng() % 60 == 0;
      b.SetScaled(6, huge ? static_cast<int64_t>(rng() % 4'000'000'000'000'000'000ULL)
                          : static_cast<int64_t>(rng() % 3'000'000) - 100'000);
    }
  }
  return std::move(b).Build();
}

// The rows the interpreter says true for, one record at a time.
std::vector<uint32_t> Interpreted(std::string_view rule, const Register& reg) {
  Scope scope;
  for (const Column& c : reg.columns()) scope.Declare(c.spec.name);
  Result<Program> p = Compile(rule, scope);
  EXPECT_TRUE(p.ok()) << rule;
  if (!p.ok()) return {};
  std::vector<uint32_t> out;
  Bindings b(scope);
  for (size_t r = 0; r < reg.rows(); ++r) {
    for (size_t c = 0; c < reg.columns().size(); ++c) {
      b.Set(static_cast<int>(c), reg.Cell(c, r));
    }
    const Value v = p->Evaluate(b).value;
    if (v.is(Kind::kBoolean) && v.boolean()) out.push_back(static_cast<uint32_t>(r));
  }
  return out;
}

TEST(ColumnarRegister, NarrowsNumbersAndSortsTheDictionary) {
  RegisterBuilder b(Schema());
  b.AddRow();
  b.SetNumber(0, 40);
  b.SetString(2, "b");
  b.SetNumber(3, 100000);
  b.AddRow();
  b.SetNumber(0, -3);
  b.SetString(2, "a");
  b.SetBoolean(4, true);
  const Register reg = std::move(b).Build();
  ASSERT_EQ(reg.rows(), 2u);
  EXPECT_EQ(reg.columns()[0].width, 1);
  EXPECT_EQ(reg.columns()[3].width, 4);
  EXPECT_TRUE(reg.columns()[0].valid.empty());
  EXPECT_FALSE(reg.columns()[3].valid.empty());
  EXPECT_EQ(reg.columns()[2].dictionary, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(reg.Cell(2, 0), Value::String("b"));
  EXPECT_EQ(reg.Cell(0, 1), Value::Number(-3));
  EXPECT_TRUE(reg.Cell(3, 1).is_null());
  EXPECT_EQ(reg.Cell(4, 1), Value::Boolean(true));
  EXPECT_EQ(reg.Find("income"), 3);
  EXPECT_EQ(reg.Find("nope"), -1);
}

TEST(Columnar, EligibilityRuleIsVectorisedAndSelectsTheRightRows) {
  RegisterBuilder b(Schema());
  auto row = [&](int64_t age, int64_t level, const char* region, int64_t income, bool rec) {
    b.AddRow();
    b.SetNumber(0, age);
    b.SetNumber(1, level);
    b.SetString(2, region);
    b.SetNumber(3, income);
    b.SetBoolean(4, rec);
  };
  row(30, 1, "431128001001", 5000, false);   // 0: eligible
  row(15, 1, "431128001001", 5000, false);   // 1: too young
  row(30, 3, "431128001001", 5000, false);   // 2: level
  row(30, 2, "431127001001", 5000, false);   // 3: region
  row(30, 2, "431128999999", 10000, false);  // 4: income
  row(30, 2, "431128999999", 9999, true);    // 5: receiving
  row(16, 2, "431128", 9999, false);         // 6: eligible
  const Register reg = std::move(b).Build();
  Result<ColumnarRule> rule = CompileColumnar(kEligibility, reg);
  ASSERT_TRUE(rule.ok()) << rule.error().message();
  EXPECT_EQ(rule->fallback_reason(), "");
  EXPECT_EQ(rule->Select(1), (std::vector<uint32_t>{0, 6}));
  EXPECT_EQ(rule->Select(2), (std::vector<uint32_t>{0, 6}));
}

TEST(Columnar, UnsupportedPartsFallBackAndSaySo) {
  const Register reg = Generate(7, 300);
  Result<ColumnarRule> rule = CompileColumnar("string length(region) = 12 and age > 3", reg);
  ASSERT_TRUE(rule.ok());
  EXPECT_NE(rule->fallback_reason().find("string length(region)"), std::string::npos)
      << rule->fallback_reason();
  EXPECT_EQ(rule->Select(2), Interpreted("string length(region) = 12 and age > 3", reg));
  Result<ColumnarRule> div = CompileColumnar("income / 2 > 100", reg);
  ASSERT_TRUE(div.ok());
  EXPECT_NE(div->fallback_reason(), "");
  // A written null end makes the test null (not unbounded); evaluated per record, and right.
  for (const char* text : {"age in [18..null] or receiving", "not(age in (null..60))"}) {
    Result<ColumnarRule> r = CompileColumnar(text, reg);
    ASSERT_TRUE(r.ok()) << text;
    EXPECT_NE(r->fallback_reason().find("written null end"), std::string::npos) << text;
    EXPECT_EQ(r->Select(2), Interpreted(text, reg)) << text;
  }
}

TEST(Columnar, SyntaxErrorsAreErrors) {
  const Register reg = Generate(7, 10);
  EXPECT_FALSE(CompileColumnar("age >=", reg).ok());
  EXPECT_FALSE(CompileColumnar("unknown_name > 1", reg).ok());
}

// Issue 4, item 3 for the column-wise engine: the same rows as the interpreter, per row, on
// seeded registers with nulls.
TEST(Columnar, AgreesWithTheInterpreterOnGeneratedRegisters) {
  const std::vector<std::string> rules = {
      kEligibility,
      "age >= 16",
      "age < 16 or income >= 20000",
      "not(age in [18..60]) or receiving = null",
      "age = null",
      "age != null and region != null",
      "region = \"431128001001\"",
      "region != \"nope\"",
      "region < \"431128\" and region >= \"43112\"",
      "starts with(region, \"4311\") or starts with(region, \"\")",
      "region in [\"431127000001\", \"43112\", \"zzz\"]",
      "age between 18 and 60",
      "disability_level in (1, 3) and not(receiving)",
      "age in > 50",
      "age in (< 10, [20..30), > 90)",
      "not(age in (1, 2, 3))",
      "income - age * 100 > 5000",
      "income * income > 100",
      "-income < -500 and age + 1 = 30",
      "age = disability_level or age + disability_level > 100",
      "receiving",
      "receiving = false",
      "receiving != true and true",
      "false or null",
      "null",
      "age > 200 and receiving",
      "income <= 5000 or age >= 99 or region = null",
      // Dates: literals, date(), ranges, lists, null, two date columns compared.
      "birth < @\"1980-01-01\"",
      "birth >= date(\"1990-06-15\") and age > 20",
      "birth in [date(\"1970-01-01\")..date(\"1979-12-31\")]",
      "not(birth in (date(\"1970-01-01\")..@\"1979-12-31\"))",
      "birth between date(\"1960-01-01\") and date(\"1969-12-31\")",
      "birth in (< @\"1960-01-01\", >= @\"2000-01-01\")",
      "birth in [@\"1970-01-01\", date(\"1999-12-31\")]",
      "birth = null or birth != date(\"1980-02-29\")",
      "date(\"1985-01-01\") > birth",
      "birth < date(\"not a date\")",
      "birth = birth",
      // Fractional numbers at scale 2: exact, and constants finer than the scale.
      "pay < 10000",
      "pay < 100.005",
      "pay <= 100.00",
      "pay = 123.45 or pay = 123.455",
      "pay != 0.1",
      "pay > -0.001",
      "pay between 99.995 and 20000.5",
      "pay in [100.5..200.25)",
      "pay in (0.01, 12.34, 99.999)",
      "pay * 2 > income",
      "pay + 0.005 >= 1000",
      "pay - income * 1.5 < 0.25",
      "pay * pay > 1",
      "-pay < -1000.1",
      "100.005 > pay",
  };
  for (uint32_t seed : {1u, 2u, 3u}) {
    const Register reg = Generate(seed, 3000 + seed * 77);
    for (const std::string& text : rules) {
      Result<ColumnarRule> rule = CompileColumnar(text, reg);
      ASSERT_TRUE(rule.ok()) << text;
      EXPECT_EQ(rule->fallback_reason(), "") << text;
      const std::vector<uint32_t> expected = Interpreted(text, reg);
      EXPECT_EQ(rule->Select(1), expected) << text << " seed " << seed;
      EXPECT_EQ(rule->Select(2), expected) << text << " seed " << seed;
    }
  }
  // Known-bad check: the test above can fail (a rule and its negation select different rows).
  const Register reg = Generate(1, 3000);
  Result<ColumnarRule> yes = CompileColumnar("age >= 16", reg);
  ASSERT_TRUE(yes.ok());
  EXPECT_NE(yes->Select(1), Interpreted("age < 16", reg));
  EXPECT_FALSE(yes->Select(1).empty());
}

TEST(Columnar, DatesAndScaledNumbersAreHeldExactly) {
  RegisterBuilder b(Schema());
  b.AddRow();
  b.SetDate(5, *Date::Parse("2026-02-15"));
  ASSERT_TRUE(b.SetDecimal(6, *Decimal::Parse("12345.67")));
  EXPECT_FALSE(b.SetDecimal(6, *Decimal::Parse("1.234")));  // finer than the scale
  EXPECT_FALSE(b.SetDecimal(6, *Decimal::Parse("1e30")));   // beyond int64 once scaled
  b.AddRow();
  ASSERT_TRUE(b.SetDecimal(6, *Decimal::Parse("100.00")));
  b.AddRow();
  b.SetNumber(6, 100);
  b.AddRow();
  ASSERT_TRUE(b.SetDecimal(6, *Decimal::Parse("100.01")));
  const Register reg = std::move(b).Build();
  EXPECT_EQ(reg.columns()[6].Get(0), 1234567);
  EXPECT_EQ(reg.columns()[6].Get(2), 10000);
  EXPECT_EQ(reg.Cell(6, 0), Value::Number(*Decimal::Parse("12345.67")));
  EXPECT_EQ(reg.Cell(5, 0), Value::FromDate(*Date::Parse("2026-02-15")));
  EXPECT_TRUE(reg.Cell(5, 1).is_null());
  EXPECT_EQ(reg.columns()[5].Get(0), 20499);  // days since 1970-01-01
  for (const auto& [text, rows] : std::vector<std::pair<std::string, std::vector<uint32_t>>>{
           {"pay < 100.005", {1, 2}},
           {"pay <= 100.005", {1, 2}},
           {"pay > 100.005", {0, 3}},
           {"pay = 100.005", {}},
           {"pay != 100.005", {0, 1, 2, 3}},
           {"pay = 100", {1, 2}},
           {"pay >= 100.01", {0, 3}},
           {"pay < 1e30 and pay > -1e30", {0, 1, 2, 3}},
           {"birth = @\"2026-02-15\"", {0}},
           {"birth > date(\"2026-02-14\")", {0}},
           {"birth > date(\"2026-02-15\")", {}}}) {
    Result<ColumnarRule> rule = CompileColumnar(text, reg);
    ASSERT_TRUE(rule.ok()) << text;
    EXPECT_EQ(rule->fallback_reason(), "") << text;
    EXPECT_EQ(rule->Select(1), rows) << text;
    EXPECT_EQ(Interpreted(text, reg), rows) << text;
  }
  // A date against a number, and date arithmetic, are not vectorised: per record, and right.
  for (const char* text :
       {"birth < 5", "birth + duration(\"P1D\") > @\"2026-02-15\"", "birth < today()"}) {
    Result<ColumnarRule> rule = CompileColumnar(text, reg);
    ASSERT_TRUE(rule.ok()) << text;
    EXPECT_NE(rule->fallback_reason(), "") << text;
    EXPECT_EQ(rule->Select(2), Interpreted(text, reg)) << text;
  }
}

// The counts of a rule and a baseline per group, against counting the interpreter's rows.
MatchCounts Expected(const Register& reg, const std::string& rule, const std::string& baseline,
                     const std::string& column, int prefix) {
  const std::vector<uint32_t> r = Interpreted(rule, reg);
  const std::vector<uint32_t> b = Interpreted(baseline, reg);
  std::vector<uint8_t> in_r(reg.rows()), in_b(reg.rows());
  for (uint32_t i : r) in_r[i] = 1;
  for (uint32_t i : b) in_b[i] = 1;
  std::map<std::optional<std::string>, MatchCounts::Group> groups;
  MatchCounts out;
  const int c = reg.Find(column);
  for (size_t i = 0; i < reg.rows(); ++i) {
    if (!in_r[i] && !in_b[i]) continue;
    std::optional<std::string> key;
    if (!reg.columns()[c].IsNull(i)) {
      key = reg.Cell(c, i).string().substr(0, static_cast<size_t>(prefix));
    }
    for (MatchCounts::Group* g : {&groups[key], &out.total}) {
      g->matches += in_r[i];
      g->baseline += in_b[i];
      g->entering += in_r[i] && !in_b[i];
      g->leaving += in_b[i] && !in_r[i];
    }
  }
  for (auto& [key, g] : groups) {
    if (key) {
      g.key = key;
      out.groups.push_back(g);
    }
  }
  if (groups.contains(std::nullopt)) out.groups.push_back(groups[std::nullopt]);
  return out;
}

void ExpectSame(const MatchCounts& got, const MatchCounts& want, const std::string& what) {
  auto same = [&](const MatchCounts::Group& x, const MatchCounts::Group& y) {
    EXPECT_EQ(x.key, y.key) << what;
    EXPECT_EQ(x.matches, y.matches) << what << " " << y.key.value_or("null");
    EXPECT_EQ(x.baseline, y.baseline) << what << " " << y.key.value_or("null");
    EXPECT_EQ(x.entering, y.entering) << what << " " << y.key.value_or("null");
    EXPECT_EQ(x.leaving, y.leaving) << what << " " << y.key.value_or("null");
  };
  same(got.total, want.total);
  ASSERT_EQ(got.groups.size(), want.groups.size()) << what;
  for (size_t i = 0; i < got.groups.size(); ++i) same(got.groups[i], want.groups[i]);
}

TEST(ColumnarCount, CountsPerRegionPrefixAndTheDeltaAgainstABaseline) {
  RegisterBuilder b(Schema());
  auto row = [&](const char* region, int64_t income) {
    b.AddRow();
    if (region != nullptr) b.SetString(2, region);
    b.SetNumber(3, income);
  };
  row("431128001001", 9000);   // in both
  row("431128002003", 11000);  // enters when the limit is raised
  row("431127000001", 11500);  // enters
  row("431127000002", 13000);  // in neither
  row("43112", 5000);          // shorter than the prefix: its own group
  row(nullptr, 11999);         // enters, region null
  const Register reg = std::move(b).Build();
  Result<ColumnarRule> raised = CompileColumnar("income < 12000", reg);
  Result<ColumnarRule> now = CompileColumnar("income < 10000", reg);
  Result<Grouping> county = Grouping::ByPrefix(reg, "region", 6);
  ASSERT_TRUE(raised.ok() && now.ok() && county.ok());
  EXPECT_EQ(county->size(), 4u);  // 43112, 431127, 431128, null
  Result<MatchCounts> c = raised->Count({.baseline = &*now, .grouping = &*county, .threads = 2});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->total.matches, 5u);
  EXPECT_EQ(c->total.baseline, 2u);
  EXPECT_EQ(c->total.entering, 3u);
  EXPECT_EQ(c->total.leaving, 0u);
  ASSERT_EQ(c->groups.size(), 4u);
  EXPECT_EQ(c->groups[0].key, "43112");
  EXPECT_EQ(c->groups[1].key, "431127");
  EXPECT_EQ(c->groups[1].entering, 1u);
  EXPECT_EQ(c->groups[2].key, "431128");
  EXPECT_EQ(c->groups[2].matches, 2u);
  EXPECT_EQ(c->groups[2].baseline, 1u);
  EXPECT_EQ(c->groups[3].key, std::nullopt);
  EXPECT_EQ(c->groups[3].entering, 1u);
  // Lowering the limit instead: persons leave.
  Result<MatchCounts> lower = now->Count({.baseline = &*raised, .threads = 1});
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(lower->total.leaving, 3u);
  EXPECT_EQ(lower->total.entering, 0u);
  EXPECT_TRUE(lower->groups.empty());
  // Without a baseline only matches are counted.
  Result<MatchCounts> alone = now->Count({.grouping = &*county});
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->total.matches, 2u);
  EXPECT_EQ(alone->total.baseline, 0u);
  EXPECT_EQ(alone->groups.size(), 2u);
}

TEST(ColumnarCount, PrefixesCountCharactersNotBytes) {
  RegisterBuilder b(Schema());
  for (const char* region : {"中文a", "中文b", "中x", "中", "中文a"}) {
    b.AddRow();
    b.SetString(2, region);
  }
  const Register reg = std::move(b).Build();
  Result<Grouping> g = Grouping::ByPrefix(reg, "region", 2);
  Result<ColumnarRule> all = CompileColumnar("region != null", reg);
  ASSERT_TRUE(g.ok() && all.ok());
  Result<MatchCounts> c = all->Count({.grouping = &*g});
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->groups.size(), 3u);
  EXPECT_EQ(c->groups[0].key, "中");
  EXPECT_EQ(c->groups[0].matches, 1u);
  EXPECT_EQ(c->groups[1].key, "中x");
  EXPECT_EQ(c->groups[2].key, "中文");
  EXPECT_EQ(c->groups[2].matches, 3u);
}

TEST(ColumnarCount, BadGroupingsAndForeignRulesAreErrors) {
  const Register reg = Generate(3, 100);
  const Register other = Generate(4, 100);
  Result<Grouping> none = Grouping::ByPrefix(reg, "regio", 6);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().fields()[0].field, "group_by");
  EXPECT_FALSE(Grouping::ByPrefix(reg, "age", 2).ok());
  EXPECT_FALSE(Grouping::ByPrefix(reg, "region", 0).ok());
  Result<ColumnarRule> a = CompileColumnar("age > 3", reg);
  Result<ColumnarRule> b = CompileColumnar("age > 3", other);
  Result<Grouping> g = Grouping::ByPrefix(other, "region", 4);
  ASSERT_TRUE(a.ok() && b.ok() && g.ok());
  EXPECT_FALSE(a->Count({.baseline = &*b}).ok());
  EXPECT_FALSE(a->Count({.grouping = &*g}).ok());
  EXPECT_TRUE(b->Count({.baseline = &*b, .grouping = &*g}).ok());
}

// What-if on generated registers with nulls: vectorised and per-record rules (and blocks that
// overflow), 1 and 2 threads, counted as the interpreter's rows are.
TEST(ColumnarCount, AgreesWithCountingTheInterpretersRows) {
  const Register reg = Generate(5, 5000);
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {kEligibility, "age >= 16 and disability_level in [1, 2] and income < 10000"},
      {"income < 12000 and age >= 16", "income < 10000 and age >= 16"},
      {"pay < 12000.5", "pay < 10000"},
      {"birth < @\"1980-01-01\"", "birth < @\"1990-01-01\" and receiving"},
      {"income * income > 100", "income > 10"},                          // overflow blocks
      {"age > 5 and income * income > 100", "income > 10 and age > 5"},  // shared, overflow
      {"age > 5 and not(receiving)", "not(receiving) and age > 5"},      // all shared
      {"string length(region) = 12", "starts with(region, \"4311\")"},   // per record
  };
  for (const auto& [rule, base] : pairs) {
    for (int prefix : {1, 4, 6, 12}) {
      Result<ColumnarRule> r = CompileColumnar(rule, reg);
      Result<ColumnarRule> b = CompileColumnar(base, reg);
      Result<Grouping> g = Grouping::ByPrefix(reg, "region", prefix);
      ASSERT_TRUE(r.ok() && b.ok() && g.ok()) << rule;
      const MatchCounts want = Expected(reg, rule, base, "region", prefix);
      EXPECT_GT(want.total.matches + want.total.baseline, 0u) << rule;
      for (int threads : {1, 2}) {
        Result<MatchCounts> got = r->Count({.baseline = &*b, .grouping = &*g, .threads = threads});
        ASSERT_TRUE(got.ok());
        ExpectSame(*got, want, fmt::format("{} vs {}", rule, base));
      }
    }
  }
  // Known-bad: swapping rule and baseline swaps entering and leaving, so the check can fail.
  Result<ColumnarRule> r = CompileColumnar("income < 12000", reg);
  Result<ColumnarRule> b = CompileColumnar("income < 10000", reg);
  ASSERT_TRUE(r.ok() && b.ok());
  Result<MatchCounts> got = b->Count({.baseline = &*r});
  ASSERT_TRUE(got.ok());
  EXPECT_NE(got->total.leaving,
            Expected(reg, "income < 12000", "income < 10000", "region", 6).total.leaving);
}

// Generated and/or/not combinations of atoms with random constants and nulls (seeded): the
// column-wise result must be the interpreter's, rule by rule.
TEST(Columnar, AgreesWithTheInterpreterOnGeneratedRules) {
  std::mt19937 rng(20261126);
  const std::vector<std::string> regions = {"\"431128\"", "\"4311\"", "\"431127000001\"",
                                            "\"\"",       "\"5\"",    "null"};
  auto number = [&] {
    const int k = static_cast<int>(rng() % 12);
    if (k == 0) return std::string("null");
    return std::to_string(static_cast<int>(rng() % 200) - 50);
  };
  auto atom = [&]() -> std::string {
    static const char* kCmp[] = {"=", "!=", "<", "<=", ">", ">="};
    const char* cmp = kCmp[rng() % 6];
    const std::string num = number();
    const bool null_const = num == "null";
    switch (rng() % 9) {
      case 0:
        // Orderings against null are not vectorised; keep those atoms to = and !=.
        return "age " + std::string(null_const ? "=" : cmp) + " " + num;
      case 1:
        return null_const ? std::string("income != null")
                          : "income " + std::string(cmp) + " " + num + "00";
      case 2:
        return "disability_level in [" + number() + ", " + std::to_string(rng() % 5) + "]";
      case 3:
        return "starts with(region, " + regions[rng() % 5] + ")";
      case 4:
        return "region " + std::string(rng() % 2 ? "=" : "<") + " " + regions[rng() % 5];
      case 5:
        return rng() % 2 ? "receiving" : "receiving = null";
      case 6: {
        const int lo = static_cast<int>(rng() % 100);
        return "age between " + std::to_string(lo) + " and " + std::to_string(lo + 30);
      }
      case 7:
        return "age in (< " + std::to_string(rng() % 50) + ", [60.." +
               std::to_string(60 + rng() % 40) + "])";
      default:
        return "age * 100 - income " + std::string(cmp) + " " + std::to_string(rng() % 5000);
    }
  };
  std::function<std::string(int)> rule = [&](int depth) -> std::string {
    if (depth == 0 || rng() % 3 == 0) return atom();
    switch (rng() % 3) {
      case 0:
        return "(" + rule(depth - 1) + " and " + rule(depth - 1) + " and " + rule(depth - 1) + ")";
      case 1:
        return "(" + rule(depth - 1) + " or " + rule(depth - 1) + ")";
      default:
        return "not(" + rule(depth - 1) + ")";
    }
  };
  const Register reg = Generate(11, 2000);
  for (int i = 0; i < 200; ++i) {
    const std::string text = rule(3);
    Result<ColumnarRule> compiled = CompileColumnar(text, reg);
    ASSERT_TRUE(compiled.ok()) << text;
    EXPECT_EQ(compiled->fallback_reason(), "") << text;
    EXPECT_EQ(compiled->Select(2), Interpreted(text, reg)) << text;
  }
}

}  // namespace
}  // namespace tongban::feel
