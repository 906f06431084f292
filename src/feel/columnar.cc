#include "feel/columnar.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "base/utf8.h"
#include "feel/ast.h"

namespace tongban::feel {

// ---- Register -------------------------------------------------------------------------------

int64_t Column::Get(size_t row) const {
  switch (width) {
    case 1:
      return reinterpret_cast<const int8_t*>(data.data())[row];
    case 2:
      return reinterpret_cast<const int16_t*>(data.data())[row];
    case 4:
      return reinterpret_cast<const int32_t*>(data.data())[row];
    default:
      return reinterpret_cast<const int64_t*>(data.data())[row];
  }
}

int Register::Find(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].spec.name == name) return static_cast<int>(i);
  }
  return -1;
}

namespace {

// 10^k for 0 <= k <= kMaxScale.
int64_t Pow10(int k) {
  int64_t p = 1;
  for (int i = 0; i < k; ++i) p *= 10;
  return p;
}

}  // namespace

Value Register::Cell(size_t column, size_t row) const {
  const Column& c = columns_[column];
  if (c.IsNull(row)) return Value::Null();
  const int64_t v = c.Get(row);
  switch (c.spec.type) {
    case ColumnType::kNumber: {
      if (c.spec.scale == 0) return Value::Number(v);
      // Exact: at most 19 digits divided by a power of ten in decimal128's 34 digits.
      std::optional<Decimal> d =
          Decimal::FromInt64(v).Divide(Decimal::FromInt64(Pow10(c.spec.scale)));
      return d ? Value::Number(*d) : Value::Null();
    }
    case ColumnType::kDate:
      return Value::FromDate(Date::FromDays(v));
    case ColumnType::kString:
      return Value::String(c.dictionary[static_cast<size_t>(v)]);
    case ColumnType::kBoolean:
      return Value::Boolean(v != 0);
  }
  return Value::Null();
}

struct RegisterBuilder::State {
  struct Building {
    std::vector<int64_t> values;
    std::vector<uint64_t> valid;
    std::unordered_map<std::string, int64_t> ids;  // kString: value -> provisional id
    std::vector<std::string> strings;
  };
  std::vector<ColumnSpec> schema;
  std::vector<Building> columns;
  size_t rows = 0;

  void Set(size_t column, int64_t v) {
    Building& b = columns[column];
    const size_t row = rows - 1;
    b.values[row] = v;
    b.valid[row >> 6] |= uint64_t{1} << (row & 63);
  }
};

RegisterBuilder::RegisterBuilder(std::vector<ColumnSpec> schema)
    : state_(std::make_unique<State>()) {
  state_->columns.resize(schema.size());
  state_->schema = std::move(schema);
  for (ColumnSpec& c : state_->schema) {
    c.scale = c.type == ColumnType::kNumber ? std::clamp(c.scale, 0, kMaxScale) : 0;
  }
}
RegisterBuilder::~RegisterBuilder() = default;
RegisterBuilder::RegisterBuilder(RegisterBuilder&&) noexcept = default;
RegisterBuilder& RegisterBuilder::operator=(RegisterBuilder&&) noexcept = default;

void RegisterBuilder::AddRow() {
  const size_t row = state_->rows++;
  for (auto& b : state_->columns) {
    b.values.push_back(0);
    if ((row & 63) == 0) b.valid.push_back(0);
  }
}

void RegisterBuilder::SetNumber(size_t column, int64_t value) {
  state_->Set(column, value * Pow10(state_->schema[column].scale));
}

void RegisterBuilder::SetScaled(size_t column, int64_t scaled) { state_->Set(column, scaled); }

bool RegisterBuilder::SetDecimal(size_t column, const Decimal& value) {
  // Shifting the exponent is exact in decimal128; the product is then an integer or not.
  std::optional<Decimal> scaled =
      value.Multiply(Decimal::FromInt64(Pow10(state_->schema[column].scale)));
  if (!scaled) return false;
  std::optional<int64_t> held = scaled->ToInt64();
  if (!held) return false;
  state_->Set(column, *held);
  return true;
}

void RegisterBuilder::SetDate(size_t column, const Date& value) {
  state_->Set(column, value.days());
}

void RegisterBuilder::SetBoolean(size_t column, bool value) { state_->Set(column, value ? 1 : 0); }

void RegisterBuilder::SetString(size_t column, std::string_view value) {
  State::Building& b = state_->columns[column];
  auto [it, inserted] =
      b.ids.try_emplace(std::string(value), static_cast<int64_t>(b.strings.size()));
  if (inserted) b.strings.emplace_back(value);
  state_->Set(column, it->second);
}

namespace {

template <typename T>
void Narrow(const std::vector<int64_t>& values, std::vector<std::byte>& out) {
  out.resize(values.size() * sizeof(T));
  T* p = reinterpret_cast<T*>(out.data());
  for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<T>(values[i]);
}

}  // namespace

Register RegisterBuilder::Build() && {
  Register reg;
  reg.rows_ = state_->rows;
  for (size_t ci = 0; ci < state_->columns.size(); ++ci) {
    State::Building& b = state_->columns[ci];
    Column c;
    c.spec = state_->schema[ci];
    if (c.spec.type == ColumnType::kString) {
      // Sort the dictionary and renumber: ids then follow the strings' code-point order
      // (UTF-8 byte order is code-point order).
      std::vector<int64_t> order(b.strings.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
      std::sort(order.begin(), order.end(),
                [&](int64_t x, int64_t y) { return b.strings[x] < b.strings[y]; });
      std::vector<int64_t> renumber(order.size());
      for (size_t i = 0; i < order.size(); ++i) {
        renumber[order[i]] = static_cast<int64_t>(i);
        c.dictionary.push_back(std::move(b.strings[order[i]]));
      }
      for (size_t r = 0; r < b.values.size(); ++r) {
        if ((b.valid[r >> 6] >> (r & 63)) & 1) b.values[r] = renumber[b.values[r]];
      }
    }
    bool any = false;
    bool all = true;
    for (size_t r = 0; r < b.values.size(); ++r) {
      if (((b.valid[r >> 6] >> (r & 63)) & 1) == 0) {
        all = false;
        continue;
      }
      const int64_t v = b.values[r];
      c.min = any ? std::min(c.min, v) : v;
      c.max = any ? std::max(c.max, v) : v;
      any = true;
    }
    if (!all) c.valid = std::move(b.valid);
    auto fits = [&](int64_t lo, int64_t hi) { return c.min >= lo && c.max <= hi; };
    if (fits(INT8_MIN, INT8_MAX)) {
      c.width = 1;
      Narrow<int8_t>(b.values, c.data);
    } else if (fits(INT16_MIN, INT16_MAX)) {
      c.width = 2;
      Narrow<int16_t>(b.values, c.data);
    } else if (fits(INT32_MIN, INT32_MAX)) {
      c.width = 4;
      Narrow<int32_t>(b.values, c.data);
    } else {
      c.width = 8;
      Narrow<int64_t>(b.values, c.data);
    }
    b = State::Building{};
    reg.columns_.push_back(std::move(c));
  }
  return reg;
}

// ---- Plan -----------------------------------------------------------------------------------

namespace {

constexpr int kBlock = 1024;
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// A FEEL boolean per row of a block: t[i] = 1 when true, f[i] = 1 when false, neither = null.
struct Mask {
  alignas(64) uint8_t t[kBlock];
  alignas(64) uint8_t f[kBlock];
};

// An integer per row of a block, with validity (0: null).
struct Ints {
  alignas(64) int64_t v[kBlock];
  alignas(64) uint8_t ok[kBlock];
};

enum class Truth : uint8_t { kTrue, kFalse, kNull };

struct Interval {
  int64_t lo;
  int64_t hi;
};

// kScale: kids[0] * value (a power of ten), bringing a number to a larger scale.
enum class NumKind { kColumn, kConst, kAdd, kSub, kMul, kNeg, kScale };

// An integer-valued expression per row: a number held at `scale` (the value times 10^scale)
// or, when `date`, a date as days since 1970-01-01.
struct NumExpr {
  NumKind kind = NumKind::kConst;
  int column = -1;
  int64_t value = 0;
  bool null = false;  // kConst null
  int scale = 0;
  bool date = false;
  std::vector<NumExpr> kids;
};

NumExpr Rescale(NumExpr e, int to) {
  if (e.scale == to || e.null) {
    e.scale = to;
    return e;
  }
  NumExpr w;
  w.kind = NumKind::kScale;
  w.value = Pow10(to - e.scale);
  w.scale = to;
  w.kids.push_back(std::move(e));
  return w;
}

enum class BoolKind { kConst, kAnd, kOr, kNot, kMember, kCompare };

// kMember: the column's value is in `set` (non-null rows), and a null row is `null_is`.
// kCompare: `op` between two numeric expressions.
struct BoolExpr {
  BoolKind kind = BoolKind::kConst;
  Truth constant = Truth::kNull;
  std::vector<BoolExpr> kids;
  int column = -1;
  std::vector<Interval> set;
  Truth null_is = Truth::kNull;
  Op op = Op::kEq;
  std::vector<NumExpr> operands;
};

// Sorted, merged, clamped to [lo, hi].
std::vector<Interval> Normalize(std::vector<Interval> s, int64_t lo, int64_t hi) {
  std::vector<Interval> out;
  for (Interval& i : s) {
    i.lo = std::max(i.lo, lo);
    i.hi = std::min(i.hi, hi);
  }
  std::erase_if(s, [](const Interval& i) { return i.lo > i.hi; });
  std::sort(s.begin(), s.end(), [](const Interval& a, const Interval& b) { return a.lo < b.lo; });
  for (const Interval& i : s) {
    if (!out.empty() && (out.back().hi == kMax || i.lo <= out.back().hi + 1)) {
      out.back().hi = std::max(out.back().hi, i.hi);
    } else {
      out.push_back(i);
    }
  }
  return out;
}

std::vector<Interval> Complement(const std::vector<Interval>& s) {
  std::vector<Interval> n = Normalize(s, kMin, kMax);
  std::vector<Interval> out;
  int64_t next = kMin;
  bool done = false;
  for (const Interval& i : n) {
    if (i.lo > next) out.push_back({next, i.lo - 1});
    if (i.hi == kMax) {
      done = true;
      break;
    }
    next = i.hi + 1;
  }
  if (!done) out.push_back({next, kMax});
  return out;
}

std::vector<Interval> Intersect(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::vector<Interval> out;
  for (const Interval& x : a) {
    for (const Interval& y : b) {
      out.push_back({std::max(x.lo, y.lo), std::min(x.hi, y.hi)});
    }
  }
  return Normalize(std::move(out), kMin, kMax);
}

class PlanCompiler {
 public:
  PlanCompiler(std::string_view text, const Register& reg, const Scope& scope)
      : text_(text), reg_(reg), scope_(scope) {}

  std::optional<BoolExpr> Bool(const Node& n) {
    switch (n.op) {
      case Op::kConst:
        if (n.value.is_null()) return ConstBool(Truth::kNull);
        if (n.value.is(Kind::kBoolean)) {
          return ConstBool(n.value.boolean() ? Truth::kTrue : Truth::kFalse);
        }
        return Fail(n, "a constant that is not a boolean");
      case Op::kAnd:
      case Op::kOr:
      case Op::kNot: {
        BoolExpr e;
        e.kind =
            n.op == Op::kAnd ? BoolKind::kAnd : (n.op == Op::kOr ? BoolKind::kOr : BoolKind::kNot);
        for (const auto& k : n.kids) {
          std::optional<BoolExpr> b = Bool(*k);
          if (!b) return std::nullopt;
          e.kids.push_back(std::move(*b));
        }
        if (e.kind == BoolKind::kNot && e.kids.size() != 1) return Fail(n, "not() of a list");
        return e;
      }
      case Op::kGlobal: {
        const Column& c = reg_.columns()[n.slot];
        if (c.spec.type != ColumnType::kBoolean) return Fail(n, "a column that is not boolean");
        return Member(n, n.slot, {{1, 1}}, Truth::kNull);
      }
      case Op::kEq:
      case Op::kNe:
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe:
        return Comparison(n);
      case Op::kBetween: {
        const Node& v = n.kid(0);
        std::optional<Value> low = Constant(n.kid(1));
        std::optional<Value> high = Constant(n.kid(2));
        if (v.op != Op::kGlobal || !low || !high) {
          return Fail(n, "`between` other than a column between two constants");
        }
        auto lo = OpSet(n, v.slot, Op::kGe, *low);
        auto hi = OpSet(n, v.slot, Op::kLe, *high);
        if (!lo || !hi) return std::nullopt;
        return MemberWithNull(n, v.slot, Intersect(*lo, *hi));
      }
      case Op::kInConstList: {
        const Node& v = n.kid(0);
        if (v.op != Op::kGlobal) return Fail(n, "`in` of something other than a column");
        std::vector<Interval> set;
        for (const Value& item : n.value.list()) {
          auto s = OpSet(n, v.slot, Op::kEq, item);
          if (!s) return std::nullopt;
          set.insert(set.end(), s->begin(), s->end());
        }
        return MemberWithNull(n, v.slot, std::move(set));
      }
      case Op::kIn: {
        const Node& v = n.kid(0);
        if (v.op != Op::kGlobal) return Fail(n, "`in` of something other than a column");
        std::optional<std::vector<Interval>> set = TestSet(n.kid(1), v.slot);
        if (!set) return std::nullopt;
        return MemberWithNull(n, v.slot, std::move(*set));
      }
      case Op::kStartsWith:
        return StartsWith(n);
      case Op::kCallBuiltin:
        if (n.builtin && n.builtin->name == "starts with" && n.kids.size() == 2) {
          return StartsWith(n);
        }
        return Fail(n, "a function call");
      default:
        return Fail(n, "this form");
    }
  }

  const std::string& reason() const { return reason_; }

 private:
  static BoolExpr ConstBool(Truth t) {
    BoolExpr e;
    e.constant = t;
    return e;
  }

  // The value of a part that reads no column (`date("1990-01-01")`, `-5`, `@"P1D"`), computed
  // once by the interpreter from the part's own text; nullopt for a part that reads a name or
  // may change between evaluations (now(), today()).
  std::optional<Value> Constant(const Node& n) {
    if (n.op == Op::kConst) return n.value;
    if (!ColumnFree(n) || n.begin < 0 || n.end <= n.begin ||
        static_cast<size_t>(n.end) > text_.size()) {
      return std::nullopt;
    }
    Result<Program> p = Compile(text_.substr(n.begin, n.end - n.begin), scope_);
    if (!p.ok()) return std::nullopt;
    Bindings none(scope_);
    return p->EvaluateFast(none);
  }

  static bool ColumnFree(const Node& n) {
    switch (n.op) {
      case Op::kGlobal:
      case Op::kLocal:
      case Op::kInput:
      case Op::kItemField:
      case Op::kCallValue:
      case Op::kCallNamed:
      case Op::kFunctionDef:
        return false;
      case Op::kCallBuiltin:
        if (!n.builtin || n.builtin->name == "now" || n.builtin->name == "today") return false;
        break;
      default:
        break;
    }
    for (const auto& k : n.kids) {
      if (k && !ColumnFree(*k)) return false;
    }
    return true;
  }

  std::nullopt_t Fail(const Node& n, std::string_view why) {
    if (reason_.empty()) {
      const auto b = static_cast<size_t>(std::max(0, n.begin));
      const auto e = static_cast<size_t>(std::max(n.begin, n.end));
      reason_ = fmt::format("`{}`: {} is not evaluated column-wise", text_.substr(b, e - b), why);
    }
    return std::nullopt;
  }

  std::optional<BoolExpr> Member(const Node&, int column, std::vector<Interval> set,
                                 Truth null_is) {
    const Column& c = reg_.columns()[column];
    BoolExpr e;
    e.kind = BoolKind::kMember;
    e.column = column;
    e.set = Normalize(std::move(set), c.min, c.max);
    e.null_is = null_is;
    return e;
  }

  // What a one-column test gives for a null cell: asked of the interpreter itself, by
  // evaluating the test's own text with every name null, so nulls mean what they mean there.
  std::optional<BoolExpr> MemberWithNull(const Node& n, int column, std::vector<Interval> set) {
    if (n.begin < 0 || n.end <= n.begin || static_cast<size_t>(n.end) > text_.size()) {
      return Fail(n, "a test without its text");
    }
    Result<Program> p = Compile(text_.substr(n.begin, n.end - n.begin), scope_);
    if (!p.ok()) return Fail(n, "a test whose text does not compile alone");
    Bindings nulls(scope_);
    const Value v = p->EvaluateFast(nulls);
    Truth t = Truth::kNull;
    if (v.is(Kind::kBoolean)) {
      t = v.boolean() ? Truth::kTrue : Truth::kFalse;
    } else if (!v.is_null()) {
      return Fail(n, "a test that does not give a boolean");
    }
    return Member(n, column, std::move(set), t);
  }

  // The keys (numbers, dictionary ids, 0/1) of the non-null cells of `column` for which
  // `cell op value` is true; nullopt when that is not a plain set of keys.
  std::optional<std::vector<Interval>> OpSet(const Node& n, int column, Op op, const Value& v) {
    const Column& c = reg_.columns()[column];
    if (v.is_null()) {
      // Non-null cells: `x = null` is false, `x != null` true, orderings null.
      if (op == Op::kEq) return std::vector<Interval>{};
      if (op == Op::kNe) return std::vector<Interval>{{kMin, kMax}};
      return Fail(n, "an ordering with null");
    }
    int64_t key = 0;
    int64_t below = 0;  // first key >= v
    int64_t above = 0;  // first key > v
    switch (c.spec.type) {
      case ColumnType::kNumber: {
        if (!v.is(Kind::kNumber)) return Fail(n, "a number column compared with another kind");
        if (c.min == kMin || c.max == kMax) return Fail(n, "a column holding the int64 limits");
        // The constant at the column's scale, exactly (decimal128 shifts the exponent); a
        // constant with more digits than the scale falls between two held keys.
        std::optional<Decimal> x = v.number().Multiply(Decimal::FromInt64(Pow10(c.spec.scale)));
        if (!x) return Fail(n, "a constant out of range");
        bool exact = false;
        if (*x > Decimal::FromInt64(c.max)) {
          below = above = c.max + 1;  // above every cell
        } else if (*x < Decimal::FromInt64(c.min)) {
          below = above = c.min;  // below every cell
        } else {
          std::optional<Decimal> floor = x->Floor(0);
          std::optional<int64_t> f = floor ? floor->ToInt64() : std::nullopt;
          if (!f) return Fail(n, "a constant out of range");
          exact = x->IsInteger();
          key = *f;
          below = exact ? *f : *f + 1;
          above = *f + 1;
        }
        if (!exact) {
          if (op == Op::kEq) return std::vector<Interval>{};
          if (op == Op::kNe) return std::vector<Interval>{{kMin, kMax}};
        }
        break;
      }
      case ColumnType::kDate:
        if (!v.is(Kind::kDate)) return Fail(n, "a date column compared with another kind");
        key = v.date().days();
        below = key;
        above = key + 1;
        break;
      case ColumnType::kBoolean:
        if (!v.is(Kind::kBoolean)) return Fail(n, "a boolean column compared with another kind");
        if (op != Op::kEq && op != Op::kNe) return Fail(n, "an ordering of booleans");
        key = v.boolean() ? 1 : 0;
        below = key;
        above = key + 1;
        break;
      case ColumnType::kString: {
        if (!v.is(Kind::kString)) return Fail(n, "a string column compared with another kind");
        const auto& d = c.dictionary;
        below = std::lower_bound(d.begin(), d.end(), v.string()) - d.begin();
        above = std::upper_bound(d.begin(), d.end(), v.string()) - d.begin();
        if (above == below) {
          if (op == Op::kEq) return std::vector<Interval>{};
          if (op == Op::kNe) return std::vector<Interval>{{kMin, kMax}};
        }
        key = below;
        break;
      }
    }
    switch (op) {
      case Op::kEq:
        return std::vector<Interval>{{key, key}};
      case Op::kNe:
        return Complement({{key, key}});
      case Op::kLt:
        return std::vector<Interval>{{kMin, below - 1}};
      case Op::kLe:
        return std::vector<Interval>{{kMin, above - 1}};
      case Op::kGt:
        return std::vector<Interval>{{above, kMax}};
      case Op::kGe:
        return std::vector<Interval>{{below, kMax}};
      default:
        return Fail(n, "this comparison");
    }
  }

  std::optional<std::vector<Interval>> RangeSet(const Node& n, int column, const Range& r) {
    std::vector<Interval> s = {{kMin, kMax}};
    if (!r.low.is_null()) {
      auto lo = OpSet(n, column, r.low_closed ? Op::kGe : Op::kGt, r.low);
      if (!lo) return std::nullopt;
      s = Intersect(s, *lo);
    }
    if (!r.high.is_null()) {
      auto hi = OpSet(n, column, r.high_closed ? Op::kLe : Op::kLt, r.high);
      if (!hi) return std::nullopt;
      s = Intersect(s, *hi);
    }
    return s;
  }

  // The keys of the non-null cells that pass the unary test `t` (the right side of `in`).
  std::optional<std::vector<Interval>> TestSet(const Node& t, int column) {
    switch (t.op) {
      case Op::kTestAny:
        return std::vector<Interval>{{kMin, kMax}};
      case Op::kTests: {
        std::vector<Interval> all;
        for (const auto& k : t.kids) {
          auto s = TestSet(*k, column);
          if (!s) return std::nullopt;
          all.insert(all.end(), s->begin(), s->end());
        }
        return all;
      }
      case Op::kTestNot: {
        auto s = TestSet(t.kid(0), column);
        if (!s) return std::nullopt;
        return Complement(*s);
      }
      case Op::kTestCompare: {
        std::optional<Value> v = Constant(t.kid(0));
        if (!v) return Fail(t, "a test against a non-constant");
        return OpSet(t, column, t.cmp, *v);
      }
      case Op::kTest:
        break;
      default:
        return Fail(t, "this form of test");
    }
    if (t.flag) return Fail(t, "a test using `?`");
    const Node& e = t.kid(0);
    if (e.op == Op::kRange) {
      std::optional<Value> low = Constant(e.kid(0));
      std::optional<Value> high = Constant(e.kid(1));
      if (!low || !high) return Fail(t, "a range with an end that is not constant");
      if (!e.flag && (low->is_null() || high->is_null())) {
        // `[1..null]`: the test is null for every cell, which the interval sets cannot say.
        return Fail(t, "a range with a written null end");
      }
      Range r{*low, *high, e.low_closed, e.high_closed};
      return RangeSet(e, column, r);
    }
    std::optional<Value> value = Constant(e);
    if (!value) return Fail(t, "a test against a non-constant");
    if (value->is(Kind::kRange)) {
      if (value->range().low_null || value->range().high_null) {
        return Fail(t, "a range with a written null end");
      }
      return RangeSet(e, column, value->range());
    }
    if (value->is(Kind::kList)) {
      std::vector<Interval> all;
      for (const Value& item : value->list()) {
        auto s = OpSet(e, column, Op::kEq, item);
        if (!s) return std::nullopt;
        all.insert(all.end(), s->begin(), s->end());
      }
      return all;
    }
    return OpSet(e, column, Op::kEq, *value);
  }

  std::optional<BoolExpr> StartsWith(const Node& n) {
    const Node& v = n.kid(0);
    const Node& p = n.kid(1);
    if (v.op != Op::kGlobal || p.op != Op::kConst || !p.value.is(Kind::kString)) {
      return Fail(n, "`starts with` other than of a column and a constant string");
    }
    const Column& c = reg_.columns()[v.slot];
    if (c.spec.type != ColumnType::kString) return Fail(n, "`starts with` of a non-string");
    const std::string& prefix = p.value.string();
    const auto& d = c.dictionary;
    auto first = std::lower_bound(d.begin(), d.end(), prefix);
    auto last = std::partition_point(first, d.end(),
                                     [&](const std::string& s) { return s.starts_with(prefix); });
    std::vector<Interval> set;
    if (first != last) set.push_back({first - d.begin(), (last - d.begin()) - 1});
    return MemberWithNull(n, v.slot, std::move(set));
  }

  std::optional<BoolExpr> Comparison(const Node& n) {
    const Node* a = &n.kid(0);
    const Node* b = &n.kid(1);
    Op op = n.op;
    if (a->op != Op::kGlobal && b->op == Op::kGlobal) {
      std::swap(a, b);
      op = op == Op::kLt   ? Op::kGt
           : op == Op::kLe ? Op::kGe
           : op == Op::kGt ? Op::kLt
           : op == Op::kGe ? Op::kLe
                           : op;
    }
    if (a->op == Op::kGlobal) {
      if (std::optional<Value> v = Constant(*b)) {
        // An ordering with null is null whatever the cell (`birth < date("not a date")`).
        if (v->is_null() && op != Op::kEq && op != Op::kNe) return ConstBool(Truth::kNull);
        Truth null_is = Truth::kNull;  // a null cell: `= c` false, `!= c` true, orderings null
        if (op == Op::kEq) null_is = v->is_null() ? Truth::kTrue : Truth::kFalse;
        if (op == Op::kNe) null_is = v->is_null() ? Truth::kFalse : Truth::kTrue;
        auto s = OpSet(n, a->slot, op, *v);
        if (!s) return std::nullopt;
        return Member(n, a->slot, std::move(*s), null_is);
      }
    }
    BoolExpr e;
    e.kind = BoolKind::kCompare;
    e.op = n.op;
    for (int i = 0; i < 2; ++i) {
      std::optional<NumExpr> x = Num(n.kid(i));
      if (!x) return std::nullopt;
      e.operands.push_back(std::move(*x));
    }
    NumExpr& x = e.operands[0];
    NumExpr& y = e.operands[1];
    if (x.date != y.date && !x.null && !y.null) {
      return Fail(n, "a comparison of a date with a number");
    }
    const int scale = std::max(x.scale, y.scale);
    x = Rescale(std::move(x), scale);
    y = Rescale(std::move(y), scale);
    return e;
  }

  // A constant as an integer expression: a number at the fewest fractional digits that hold
  // it exactly, a date as its days.
  std::optional<NumExpr> NumConst(const Node& n, const Value& v) {
    NumExpr e;
    if (v.is_null()) {
      e.null = true;
      return e;
    }
    if (v.is(Kind::kDate)) {
      e.value = v.date().days();
      e.date = true;
      return e;
    }
    if (!v.is(Kind::kNumber)) return Fail(n, "a constant that is not a number or a date");
    if (v.is_small_int()) {
      e.value = v.small_int();
      return e;
    }
    for (int scale = 0; scale <= kMaxScale; ++scale) {
      std::optional<Decimal> x = v.number().Multiply(Decimal::FromInt64(Pow10(scale)));
      if (!x || !x->IsInteger()) continue;
      std::optional<int64_t> held = x->ToInt64();
      if (!held) break;
      e.value = *held;
      e.scale = scale;
      return e;
    }
    return Fail(n, "a constant that does not fit int64 at 18 fractional digits");
  }

  std::optional<NumExpr> Num(const Node& n) {
    NumExpr e;
    if (n.op == Op::kConst) return NumConst(n, n.value);
    if (n.op != Op::kGlobal) {
      if (std::optional<Value> v = Constant(n)) return NumConst(n, *v);
    }
    switch (n.op) {
      case Op::kGlobal: {
        const ColumnSpec& spec = reg_.columns()[n.slot].spec;
        if (spec.type != ColumnType::kNumber && spec.type != ColumnType::kDate) {
          return Fail(n, "arithmetic or comparison of a column that is not a number or a date");
        }
        e.kind = NumKind::kColumn;
        e.column = n.slot;
        e.scale = spec.scale;
        e.date = spec.type == ColumnType::kDate;
        return e;
      }
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kNeg:
        e.kind = n.op == Op::kAdd   ? NumKind::kAdd
                 : n.op == Op::kSub ? NumKind::kSub
                 : n.op == Op::kMul ? NumKind::kMul
                                    : NumKind::kNeg;
        for (const auto& k : n.kids) {
          std::optional<NumExpr> x = Num(*k);
          if (!x) return std::nullopt;
          if (x->date) return Fail(n, "arithmetic on dates");
          e.kids.push_back(std::move(*x));
        }
        if (e.kind == NumKind::kNeg) {
          e.scale = e.kids[0].scale;
        } else if (e.kind == NumKind::kMul) {
          e.scale = e.kids[0].scale + e.kids[1].scale;
          if (e.scale > kMaxScale) return Fail(n, "a product with more than 18 fractional digits");
        } else {
          e.scale = std::max(e.kids[0].scale, e.kids[1].scale);
          e.kids[0] = Rescale(std::move(e.kids[0]), e.scale);
          e.kids[1] = Rescale(std::move(e.kids[1]), e.scale);
        }
        return e;
      default:
        return Fail(n, "this numeric form (only + - * of number columns and constants)");
    }
  }

  std::string_view text_;
  const Register& reg_;
  const Scope& scope_;
  std::string reason_;
};

// ---- Kernels --------------------------------------------------------------------------------

template <typename T>
void MemberKernel(const T* x, int n, const std::vector<Interval>& set, uint8_t* t) {
  using U = std::make_unsigned_t<T>;
  if (set.size() == 1) {  // the common case: one pass that writes the mask
    const T lo = static_cast<T>(set[0].lo);
    const U span = static_cast<U>(static_cast<U>(set[0].hi) - static_cast<U>(set[0].lo));
    for (int i = 0; i < n; ++i) {
      t[i] =
          static_cast<uint8_t>(static_cast<U>(static_cast<U>(x[i]) - static_cast<U>(lo)) <= span);
    }
    return;
  }
  std::memset(t, 0, static_cast<size_t>(n));
  for (const Interval& iv : set) {
    // Clamped to the column's range, so lo and hi fit T: one unsigned compare per cell.
    const T lo = static_cast<T>(iv.lo);
    const U span = static_cast<U>(static_cast<U>(iv.hi) - static_cast<U>(iv.lo));
    for (int i = 0; i < n; ++i) {
      t[i] |=
          static_cast<uint8_t>(static_cast<U>(static_cast<U>(x[i]) - static_cast<U>(lo)) <= span);
    }
  }
}

void ExpandValid(const Column& c, size_t begin, int n, uint8_t* ok) {
  for (int i = 0; i < n; ++i) {
    const size_t r = begin + static_cast<size_t>(i);
    ok[i] = static_cast<uint8_t>((c.valid[r >> 6] >> (r & 63)) & 1);
  }
}

class Evaluator {
 public:
  explicit Evaluator(const Register& reg) : reg_(reg) {}

  // Evaluates `e` over rows [begin, begin + n) into `out`; sets overflow_ when an integer
  // operation overflowed (the caller then evaluates the block per record).
  void Eval(const BoolExpr& e, size_t begin, int n, Mask& out) {
    switch (e.kind) {
      case BoolKind::kConst:
        std::memset(out.t, e.constant == Truth::kTrue ? 1 : 0, static_cast<size_t>(n));
        std::memset(out.f, e.constant == Truth::kFalse ? 1 : 0, static_cast<size_t>(n));
        return;
      case BoolKind::kMember:
        return Member(e, begin, n, out);
      case BoolKind::kNot:
        Eval(e.kids[0], begin, n, out);
        for (int i = 0; i < n; ++i) std::swap(out.t[i], out.f[i]);
        return;
      case BoolKind::kAnd:
      case BoolKind::kOr: {
        const bool is_and = e.kind == BoolKind::kAnd;
        Eval(e.kids[0], begin, n, out);
        // One scratch mask per nesting depth, reused across blocks.
        const size_t depth = depth_++;
        if (scratch_.size() <= depth) scratch_.push_back(std::make_unique<Mask>());
        Mask* tmp = scratch_[depth].get();
        for (size_t k = 1; k < e.kids.size(); ++k) {
          // FEEL's and/or are commutative over true/false/null: once every row is decided
          // (all false for `and`, all true for `or`), the other operands cannot change it.
          const uint8_t* decided = is_and ? out.f : out.t;
          if (std::memchr(decided, 0, static_cast<size_t>(n)) == nullptr) break;
          Eval(e.kids[k], begin, n, *tmp);
          if (is_and) {
            for (int i = 0; i < n; ++i) {
              out.t[i] &= tmp->t[i];
              out.f[i] |= tmp->f[i];
            }
          } else {
            for (int i = 0; i < n; ++i) {
              out.t[i] |= tmp->t[i];
              out.f[i] &= tmp->f[i];
            }
          }
        }
        --depth_;
        return;
      }
      case BoolKind::kCompare:
        return Compare(e, begin, n, out);
    }
  }

  // `out` and= each of `kids` (three-valued), stopping once every row is false.
  void AndInto(const std::vector<const BoolExpr*>& kids, size_t begin, int n, Mask& out) {
    if (scratch_.size() <= depth_) scratch_.push_back(std::make_unique<Mask>());
    Mask* tmp = scratch_[depth_].get();
    ++depth_;
    for (const BoolExpr* k : kids) {
      if (std::memchr(out.f, 0, static_cast<size_t>(n)) == nullptr) break;
      Eval(*k, begin, n, *tmp);
      for (int i = 0; i < n; ++i) {
        out.t[i] &= tmp->t[i];
        out.f[i] |= tmp->f[i];
      }
    }
    --depth_;
  }

  bool overflow() const { return overflow_; }
  void ResetOverflow() { overflow_ = false; }

 private:
  void Member(const BoolExpr& e, size_t begin, int n, Mask& out) {
    const Column& c = reg_.columns()[e.column];
    const std::byte* base = c.data.data() + begin * static_cast<size_t>(c.width);
    switch (c.width) {
      case 1:
        MemberKernel(reinterpret_cast<const int8_t*>(base), n, e.set, out.t);
        break;
      case 2:
        MemberKernel(reinterpret_cast<const int16_t*>(base), n, e.set, out.t);
        break;
      case 4:
        MemberKernel(reinterpret_cast<const int32_t*>(base), n, e.set, out.t);
        break;
      default:
        MemberKernel(reinterpret_cast<const int64_t*>(base), n, e.set, out.t);
        break;
    }
    for (int i = 0; i < n; ++i) out.f[i] = out.t[i] ^ 1;
    if (c.valid.empty()) return;
    uint8_t ok[kBlock];
    ExpandValid(c, begin, n, ok);
    const uint8_t nt = e.null_is == Truth::kTrue ? 1 : 0;
    const uint8_t nf = e.null_is == Truth::kFalse ? 1 : 0;
    for (int i = 0; i < n; ++i) {
      out.t[i] = ok[i] ? out.t[i] : nt;
      out.f[i] = ok[i] ? out.f[i] : nf;
    }
  }

  void Num(const NumExpr& e, size_t begin, int n, Ints& out) {
    switch (e.kind) {
      case NumKind::kConst:
        for (int i = 0; i < n; ++i) out.v[i] = e.value;
        std::memset(out.ok, e.null ? 0 : 1, static_cast<size_t>(n));
        return;
      case NumKind::kColumn: {
        const Column& c = reg_.columns()[e.column];
        for (int i = 0; i < n; ++i) out.v[i] = c.Get(begin + static_cast<size_t>(i));
        if (c.valid.empty()) {
          std::memset(out.ok, 1, static_cast<size_t>(n));
        } else {
          ExpandValid(c, begin, n, out.ok);
        }
        return;
      }
      case NumKind::kNeg:
        Num(e.kids[0], begin, n, out);
        for (int i = 0; i < n; ++i) {
          overflow_ |= __builtin_sub_overflow(int64_t{0}, out.v[i], &out.v[i]);
        }
        return;
      case NumKind::kScale: {
        Num(e.kids[0], begin, n, out);
        bool over = false;
        for (int i = 0; i < n; ++i) {
          over |= __builtin_mul_overflow(out.v[i], e.value, &out.v[i]) && out.ok[i];
        }
        overflow_ |= over;
        return;
      }
      default:
        break;
    }
    Num(e.kids[0], begin, n, out);
    auto b = std::make_unique<Ints>();
    Num(e.kids[1], begin, n, *b);
    bool over = false;
    for (int i = 0; i < n; ++i) {
      int64_t r = 0;
      bool o = false;
      if (e.kind == NumKind::kAdd) {
        o = __builtin_add_overflow(out.v[i], b->v[i], &r);
      } else if (e.kind == NumKind::kSub) {
        o = __builtin_sub_overflow(out.v[i], b->v[i], &r);
      } else {
        o = __builtin_mul_overflow(out.v[i], b->v[i], &r);
      }
      out.ok[i] &= b->ok[i];
      over |= o && out.ok[i];
      out.v[i] = r;
    }
    overflow_ |= over;
  }

  void Compare(const BoolExpr& e, size_t begin, int n, Mask& out) {
    auto a = std::make_unique<Ints>();
    auto b = std::make_unique<Ints>();
    Num(e.operands[0], begin, n, *a);
    Num(e.operands[1], begin, n, *b);
    for (int i = 0; i < n; ++i) {
      const int64_t x = a->v[i];
      const int64_t y = b->v[i];
      bool r = false;
      switch (e.op) {
        case Op::kEq:
          r = x == y;
          break;
        case Op::kNe:
          r = x != y;
          break;
        case Op::kLt:
          r = x < y;
          break;
        case Op::kLe:
          r = x <= y;
          break;
        case Op::kGt:
          r = x > y;
          break;
        default:
          r = x >= y;
          break;
      }
      const bool both = a->ok[i] && b->ok[i];
      if (both) {
        out.t[i] = r ? 1 : 0;
        out.f[i] = r ? 0 : 1;
      } else if (e.op == Op::kEq || e.op == Op::kNe) {
        // FEEL: null = null is true, null = 1 is false.
        const bool eq = !a->ok[i] && !b->ok[i];
        const bool res = e.op == Op::kEq ? eq : !eq;
        out.t[i] = res ? 1 : 0;
        out.f[i] = res ? 0 : 1;
      } else {
        out.t[i] = 0;
        out.f[i] = 0;
      }
    }
  }

  const Register& reg_;
  bool overflow_ = false;
  size_t depth_ = 0;
  std::vector<std::unique_ptr<Mask>> scratch_;
};

}  // namespace

struct ColumnarRule::Plan {
  const Register* reg = nullptr;
  Program program;
  std::optional<BoolExpr> root;  // empty: per-record fallback
  std::string fallback_reason;
};

namespace {

bool RowTrue(const ColumnarRule::Plan& plan, Bindings& b, size_t row) {
  const auto& cols = plan.reg->columns();
  for (size_t c = 0; c < cols.size(); ++c) b.Set(static_cast<int>(c), plan.reg->Cell(c, row));
  const Value v = plan.program.EvaluateFast(b);
  return v.is(Kind::kBoolean) && v.boolean();
}

Scope ScopeOf(const Register& reg) {
  Scope scope;
  for (const Column& c : reg.columns()) {
    Type t = c.spec.type == ColumnType::kNumber   ? Type::Number()
             : c.spec.type == ColumnType::kString ? Type::String()
             : c.spec.type == ColumnType::kDate   ? Type::Date()
                                                  : Type::Boolean();
    scope.Declare(c.spec.name, t);
  }
  return scope;
}

// Evaluates one rule block by block on one thread: vectorised when planned, per record when
// not, or for a block where integer arithmetic overflowed (where FEEL's decimals would not).
class BlockRunner {
 public:
  BlockRunner(const ColumnarRule::Plan& plan, const Scope& scope)
      : plan_(plan), bindings_(scope), ev_(*plan.reg), mask_(std::make_unique<Mask>()) {}

  // Rows [block, block + n) (n <= kBlock): t[i] is 1 where the rule is true for row block + i.
  const uint8_t* Run(size_t block, int n) {
    if (plan_.root) {
      ev_.ResetOverflow();
      ev_.Eval(*plan_.root, block, n, *mask_);
      if (!ev_.overflow()) return mask_->t;
    }
    for (int i = 0; i < n; ++i) {
      mask_->t[i] = RowTrue(plan_, bindings_, block + static_cast<size_t>(i)) ? 1 : 0;
    }
    return mask_->t;
  }

 private:
  const ColumnarRule::Plan& plan_;
  Bindings bindings_;
  Evaluator ev_;
  std::unique_ptr<Mask> mask_;
};

void SelectRange(const ColumnarRule::Plan& plan, const Scope& scope, size_t begin, size_t end,
                 std::vector<uint32_t>& out) {
  BlockRunner runner(plan, scope);
  for (size_t block = begin; block < end; block += kBlock) {
    const int n = static_cast<int>(std::min<size_t>(kBlock, end - block));
    const uint8_t* t = runner.Run(block, n);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t word = 0;
      std::memcpy(&word, t + i, 8);
      if (word == 0) continue;
      for (int j = i; j < i + 8; ++j) {
        if (t[j]) out.push_back(static_cast<uint32_t>(block + static_cast<size_t>(j)));
      }
    }
    for (; i < n; ++i) {
      if (t[i]) out.push_back(static_cast<uint32_t>(block + static_cast<size_t>(i)));
    }
  }
}

// Runs `work(begin, end, part)` over contiguous block-aligned row ranges, one per thread (the
// last on the calling thread), so blocks never straddle threads.
template <typename Part, typename Work>
std::vector<Part> OnThreads(size_t rows, int threads, const Work& work) {
  threads = std::max(1, threads);
  const size_t blocks = (rows + kBlock - 1) / kBlock;
  const size_t per = (blocks + static_cast<size_t>(threads) - 1) / static_cast<size_t>(threads);
  std::vector<Part> parts(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    const size_t begin = std::min(rows, static_cast<size_t>(t) * per * kBlock);
    const size_t end = std::min(rows, begin + per * kBlock);
    if (begin >= end) continue;
    Part& part = parts[static_cast<size_t>(t)];
    if (t == threads - 1) {
      work(begin, end, part);
    } else {
      pool.emplace_back([&work, &part, begin, end] { work(begin, end, part); });
    }
  }
  for (auto& th : pool) th.join();
  return parts;
}

bool Same(const NumExpr& a, const NumExpr& b) {
  if (a.kind != b.kind || a.column != b.column || a.value != b.value || a.null != b.null ||
      a.scale != b.scale || a.date != b.date || a.kids.size() != b.kids.size()) {
    return false;
  }
  for (size_t i = 0; i < a.kids.size(); ++i) {
    if (!Same(a.kids[i], b.kids[i])) return false;
  }
  return true;
}

bool Same(const BoolExpr& a, const BoolExpr& b) {
  if (a.kind != b.kind || a.constant != b.constant || a.column != b.column ||
      a.null_is != b.null_is || a.op != b.op || a.kids.size() != b.kids.size() ||
      a.set.size() != b.set.size() || a.operands.size() != b.operands.size()) {
    return false;
  }
  for (size_t i = 0; i < a.set.size(); ++i) {
    if (a.set[i].lo != b.set[i].lo || a.set[i].hi != b.set[i].hi) return false;
  }
  for (size_t i = 0; i < a.kids.size(); ++i) {
    if (!Same(a.kids[i], b.kids[i])) return false;
  }
  for (size_t i = 0; i < a.operands.size(); ++i) {
    if (!Same(a.operands[i], b.operands[i])) return false;
  }
  return true;
}

// The operands of an `and` (a rule that is not one is its own single operand).
std::vector<const BoolExpr*> Conjuncts(const BoolExpr& e) {
  if (e.kind != BoolKind::kAnd) return {&e};
  std::vector<const BoolExpr*> out;
  out.reserve(e.kids.size());
  for (const BoolExpr& k : e.kids) out.push_back(&k);
  return out;
}

// A rule and its baseline block by block. A what-if changes one threshold, so the two are
// mostly the same `and`: when they share operands, those are evaluated once per block (and a
// block where they are false for every row skips the rest of both).
class PairRunner {
 public:
  PairRunner(const ColumnarRule::Plan& rule, const ColumnarRule::Plan& base, const Scope& scope)
      : rule_(rule, scope),
        base_(base, scope),
        rule_plan_(rule),
        base_plan_(base),
        bindings_(scope),
        ev_(*rule.reg),
        common_mask_(std::make_unique<Mask>()),
        rule_mask_(std::make_unique<Mask>()),
        base_mask_(std::make_unique<Mask>()) {
    if (!rule.root || !base.root) return;
    std::vector<const BoolExpr*> r = Conjuncts(*rule.root);
    std::vector<const BoolExpr*> b = Conjuncts(*base.root);
    std::vector<bool> used(b.size(), false);
    for (const BoolExpr* x : r) {
      bool found = false;
      for (size_t j = 0; j < b.size() && !found; ++j) {
        if (!used[j] && Same(*x, *b[j])) {
          used[j] = true;
          found = true;
        }
      }
      (found ? common_ : only_rule_).push_back(x);
    }
    for (size_t j = 0; j < b.size(); ++j) {
      if (!used[j]) only_base_.push_back(b[j]);
    }
    shared_ = !common_.empty();
  }

  // Rows [block, block + n): where the rule and where the baseline are true.
  std::pair<const uint8_t*, const uint8_t*> Run(size_t block, int n) {
    if (!shared_) return {rule_.Run(block, n), base_.Run(block, n)};
    ev_.ResetOverflow();
    Mask& c = *common_mask_;
    std::memset(c.t, 1, static_cast<size_t>(n));
    std::memset(c.f, 0, static_cast<size_t>(n));
    ev_.AndInto(common_, block, n, c);
    if (std::memchr(c.f, 0, static_cast<size_t>(n)) == nullptr && !ev_.overflow()) {
      return {c.t, c.t};  // false everywhere: t is all zero
    }
    std::memcpy(rule_mask_->t, c.t, static_cast<size_t>(n));
    std::memcpy(rule_mask_->f, c.f, static_cast<size_t>(n));
    std::memcpy(base_mask_->t, c.t, static_cast<size_t>(n));
    std::memcpy(base_mask_->f, c.f, static_cast<size_t>(n));
    ev_.AndInto(only_rule_, block, n, *rule_mask_);
    ev_.AndInto(only_base_, block, n, *base_mask_);
    if (!ev_.overflow()) return {rule_mask_->t, base_mask_->t};
    for (int i = 0; i < n; ++i) {
      const size_t row = block + static_cast<size_t>(i);
      rule_mask_->t[i] = RowTrue(rule_plan_, bindings_, row) ? 1 : 0;
      base_mask_->t[i] = RowTrue(base_plan_, bindings_, row) ? 1 : 0;
    }
    return {rule_mask_->t, base_mask_->t};
  }

 private:
  BlockRunner rule_;
  BlockRunner base_;
  const ColumnarRule::Plan& rule_plan_;
  const ColumnarRule::Plan& base_plan_;
  Bindings bindings_;
  Evaluator ev_;
  bool shared_ = false;
  std::vector<const BoolExpr*> common_;
  std::vector<const BoolExpr*> only_rule_;
  std::vector<const BoolExpr*> only_base_;
  std::unique_ptr<Mask> common_mask_;
  std::unique_ptr<Mask> rule_mask_;
  std::unique_ptr<Mask> base_mask_;
};

using GroupCounts = std::vector<MatchCounts::Group>;

void Add(MatchCounts::Group& to, const MatchCounts::Group& from) {
  to.matches += from.matches;
  to.baseline += from.baseline;
  to.entering += from.entering;
  to.leaving += from.leaving;
}

// Counts rows [begin, end) into `out` (one entry, or one per group).
void CountRange(const ColumnarRule::Plan& plan, const ColumnarRule::Plan* baseline,
                const Grouping* grouping, const Scope& scope, size_t begin, size_t end,
                GroupCounts& out) {
  out.assign(grouping ? grouping->size() : 1, MatchCounts::Group{});
  std::optional<BlockRunner> alone;
  std::optional<PairRunner> pair;
  if (baseline) {
    pair.emplace(plan, *baseline, scope);
  } else {
    alone.emplace(plan, scope);
  }
  static const uint8_t kZeros[kBlock] = {};
  const uint32_t* row_group = grouping ? grouping->row_groups().data() : nullptr;
  for (size_t block = begin; block < end; block += kBlock) {
    const int n = static_cast<int>(std::min<size_t>(kBlock, end - block));
    const auto [t, b] =
        pair ? pair->Run(block, n)
             : std::pair<const uint8_t*, const uint8_t*>{alone->Run(block, n), kZeros};
    if (!grouping) {
      uint64_t matches = 0;
      uint64_t based = 0;
      uint64_t entering = 0;
      uint64_t leaving = 0;
      for (int i = 0; i < n; ++i) {
        matches += t[i];
        based += b[i];
        entering += t[i] & (b[i] ^ 1);
        leaving += b[i] & (t[i] ^ 1);
      }
      out[0].matches += matches;
      out[0].baseline += based;
      out[0].entering += entering;
      out[0].leaving += leaving;
      continue;
    }
    for (int i = 0; i < n; i += 8) {
      const int m = std::min(8, n - i);
      uint64_t tw = 0;
      uint64_t bw = 0;
      std::memcpy(&tw, t + i, static_cast<size_t>(m));
      std::memcpy(&bw, b + i, static_cast<size_t>(m));
      if ((tw | bw) == 0) continue;
      for (int j = i; j < i + m; ++j) {
        if ((t[j] | b[j]) == 0) continue;
        MatchCounts::Group& c = out[row_group[block + static_cast<size_t>(j)]];
        c.matches += t[j];
        c.baseline += b[j];
        c.entering += t[j] & (b[j] ^ 1);
        c.leaving += b[j] & (t[j] ^ 1);
      }
    }
  }
}

}  // namespace

const std::string& ColumnarRule::fallback_reason() const { return plan_->fallback_reason; }

std::vector<uint32_t> ColumnarRule::Select(int threads) const {
  const Scope scope = ScopeOf(*plan_->reg);
  std::vector<std::vector<uint32_t>> parts = OnThreads<std::vector<uint32_t>>(
      plan_->reg->rows(), threads, [&](size_t begin, size_t end, std::vector<uint32_t>& part) {
        SelectRange(*plan_, scope, begin, end, part);
      });
  std::vector<uint32_t> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Result<MatchCounts> ColumnarRule::Count(const CountOptions& options) const {
  const Register& reg = *plan_->reg;
  const Plan* baseline = options.baseline ? options.baseline->plan_.get() : nullptr;
  if (baseline && baseline->reg != &reg) {
    return Error(ErrorCode::kInvalidArgument, "the baseline rule is of another register");
  }
  if (options.grouping && &options.grouping->reg() != &reg) {
    return Error(ErrorCode::kInvalidArgument, "the grouping is of another register");
  }
  const Scope scope = ScopeOf(reg);
  std::vector<GroupCounts> parts = OnThreads<GroupCounts>(
      reg.rows(), options.threads, [&](size_t begin, size_t end, GroupCounts& part) {
        CountRange(*plan_, baseline, options.grouping, scope, begin, end, part);
      });
  GroupCounts sum(options.grouping ? options.grouping->size() : 1, MatchCounts::Group{});
  for (const GroupCounts& part : parts) {
    for (size_t g = 0; g < part.size(); ++g) Add(sum[g], part[g]);
  }
  MatchCounts out;
  for (const MatchCounts::Group& g : sum) Add(out.total, g);
  if (options.grouping) {
    for (size_t g = 0; g < sum.size(); ++g) {
      if (sum[g].matches == 0 && sum[g].baseline == 0) continue;
      sum[g].key = options.grouping->key(g);
      out.groups.push_back(std::move(sum[g]));
    }
  }
  return out;
}

Result<Grouping> Grouping::ByPrefix(const Register& reg, std::string_view column, int prefix) {
  const int c = reg.Find(column);
  if (c < 0) {
    return Error(ErrorCode::kInvalidArgument, "the register has no such column",
                 {{"group_by", fmt::format("no column `{}`", column)}});
  }
  const Column& col = reg.columns()[static_cast<size_t>(c)];
  if (col.spec.type != ColumnType::kString) {
    return Error(ErrorCode::kInvalidArgument, "only a string column can be grouped by prefix",
                 {{"group_by", fmt::format("`{}` is not a string column", column)}});
  }
  if (prefix < 1) {
    return Error(ErrorCode::kInvalidArgument, "the prefix length must be at least 1",
                 {{"group_by", "prefix below 1"}});
  }
  Grouping g;
  g.reg_ = &reg;
  g.column_ = c;
  std::vector<uint32_t> group_of_id;  // of each dictionary id
  group_of_id.reserve(col.dictionary.size());
  // The dictionary is sorted, so the values sharing a prefix are adjacent.
  for (const std::string& s : col.dictionary) {
    size_t bytes = 0;
    for (int k = 0; k < prefix && bytes < s.size(); ++k) bytes = utf8::NextBoundary(s, bytes);
    const std::string_view key(s.data(), bytes);
    if (g.keys_.empty() || *g.keys_.back() != key) g.keys_.emplace_back(std::string(key));
    group_of_id.push_back(static_cast<uint32_t>(g.keys_.size() - 1));
  }
  g.keys_.emplace_back(std::nullopt);  // the rows whose cell is null
  // Each row's group, once: counting then reads it in row order instead of looking the
  // dictionary id up in a table as large as the dictionary (6 million codes in a province).
  const auto null_group = static_cast<uint32_t>(g.keys_.size() - 1);
  g.row_groups_.resize(reg.rows());
  for (size_t r = 0; r < reg.rows(); ++r) {
    g.row_groups_[r] = col.IsNull(r) ? null_group : group_of_id[static_cast<size_t>(col.Get(r))];
  }
  return g;
}

Result<ColumnarRule> CompileColumnar(std::string_view rule, const Register& reg) {
  const Scope scope = ScopeOf(reg);
  TB_ASSIGN_OR_RETURN(Program program, Compile(rule, scope));
  auto plan = std::make_shared<ColumnarRule::Plan>(
      ColumnarRule::Plan{.reg = &reg, .program = program, .root = {}, .fallback_reason = {}});
  ParseResult parsed = Parse(rule, scope, Mode::kExpression, Limits{});
  if (!parsed.root || !parsed.problems.empty()) {
    plan->fallback_reason = "the rule does not parse for planning";
  } else {
    PlanCompiler compiler(rule, reg, scope);
    plan->root = compiler.Bool(*parsed.root);
    if (!plan->root) plan->fallback_reason = compiler.reason();
  }
  return ColumnarRule(std::move(plan));
}

}  // namespace tongban::feel
