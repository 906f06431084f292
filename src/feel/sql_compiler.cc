#include "feel/sql_compiler.h"

#include <cstdlib>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "base/error.h"
#include "base/utf8.h"
#include "feel/ast.h"
#include "feel/feel.h"

namespace tongban::feel {
namespace {

// The static type of a compiled sub-expression; kNull is the constant null.
enum class T { kNumber, kString, kBoolean, kDate, kNull };

std::string_view TypeName(T t) {
  switch (t) {
    case T::kNumber:
      return "number";
    case T::kString:
      return "string";
    case T::kBoolean:
      return "boolean";
    case T::kDate:
      return "date";
    case T::kNull:
      return "null";
  }
  return "?";
}

T FromColumn(SqlType t) {
  switch (t) {
    case SqlType::kNumber:
      return T::kNumber;
    case SqlType::kString:
      return T::kString;
    case SqlType::kBoolean:
      return T::kBoolean;
    case SqlType::kDate:
      return T::kDate;
  }
  return T::kNull;
}

// A compiled sub-expression. Parameters appear in `text` as markers "\x01<index>\x02" into the
// compiler's parameter table, so that text can be repeated (a `between` operand, `?`) before
// the placeholders are numbered in text order.
struct Sql {
  std::string text;
  T type = T::kNull;
  bool nullable = true;
  bool constant = false;  // a literal or folded constant (no column in it)
};

bool IsSimpleIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// Significant digits of a plain-notation decimal ("-0.00120" -> 3).
int SignificantDigits(std::string_view plain) {
  std::string digits;
  for (char c : plain) {
    if (c >= '0' && c <= '9') digits += c;
  }
  const size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 1;
  const size_t last = digits.find_last_not_of('0');
  // Trailing zeros of an integer part are significant only as magnitude; keep them counted
  // conservatively unless there is a fractional part.
  if (plain.find('.') == std::string_view::npos) return static_cast<int>(digits.size() - first);
  return static_cast<int>(last - first + 1);
}

class Compiler {
 public:
  Compiler(std::string_view text, std::span<const SqlColumn> schema, SqlDialect dialect)
      : text_(text), schema_(schema), dialect_(dialect) {}

  // `input`: -1 for an expression, else the column slot that unary tests apply to.
  Result<SqlWhere> Run(const Node& root, int input) {
    Sql where;
    if (input >= 0) {
      const Sql column = Column(input);
      where = Test(root, column);
    } else {
      where = Expr(root, nullptr);
    }
    if (problems_.empty() && where.type != T::kBoolean && where.type != T::kNull) {
      Fail(root, fmt::format("the rule gives a {}, not a boolean", TypeName(where.type)));
    }
    if (!problems_.empty()) return problems_.ToError(first_problem_);
    SqlWhere out;
    // Number the markers in text order.
    const std::string& s = where.text;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '\x01') {
        out.sql += s[i];
        continue;
      }
      const size_t close = s.find('\x02', i);
      const size_t index = std::strtoul(s.substr(i + 1, close - i - 1).c_str(), nullptr, 10);
      out.params.push_back(params_[index]);
      out.sql += fmt::format(":p{}", out.params.size());
      i = close;
    }
    if (out.sql.empty()) out.sql = Bool(false);
    return out;
  }

 private:
  bool pg() const { return dialect_ == SqlDialect::kPostgresql; }

  // Records a part that cannot be compiled; returns a placeholder so compilation goes on and
  // every such part is reported.
  Sql Fail(const Node& n, std::string why) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < n.begin && i < static_cast<int>(text_.size()); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else if (!utf8::IsContinuation(text_[i])) {
        ++column;
      }
    }
    std::string part(text_.substr(n.begin, n.end - n.begin));
    std::string message = fmt::format("`{}`: {}", part, why);
    if (problems_.empty()) {
      first_problem_ = fmt::format("cannot compile to SQL at {}:{}: {}", line, column, message);
    }
    problems_.Add(fmt::format("{}:{}", line, column), std::move(message));
    Sql s;
    s.text = "NULL";
    s.type = T::kNull;
    return s;
  }

  std::string Bool(bool b) const {
    if (pg()) return b ? "TRUE" : "FALSE";
    return b ? "1" : "0";
  }

  Sql BoolSql(std::string text, bool nullable) {
    Sql s;
    s.text = std::move(text);
    s.type = T::kBoolean;
    s.nullable = nullable;
    return s;
  }

  Sql BoolConst(bool b) {
    Sql s = BoolSql(Bool(b), false);
    s.constant = true;
    return s;
  }

  Sql NullBool() { return BoolSql(pg() ? "CAST(NULL AS BOOLEAN)" : "NULL", true); }

  std::string Param(SqlParam p) {
    params_.push_back(std::move(p));
    return fmt::format("\x01{}\x02", params_.size() - 1);
  }

  std::string TextParam(std::string text) {
    SqlParam p;
    p.kind = SqlParam::Kind::kText;
    p.text = std::move(text);
    return Param(std::move(p));
  }

  // A constant value as SQL.
  Sql Literal(const Node& n, const Value& v) {
    Sql s;
    s.constant = true;
    s.nullable = false;
    switch (v.kind()) {
      case Kind::kNull:
        s.text = "NULL";
        s.type = T::kNull;
        s.nullable = true;
        return s;
      case Kind::kBoolean:
        s.text = Bool(v.boolean());
        s.type = T::kBoolean;
        return s;
      case Kind::kString:
        // Well-formed UTF-8: what PostgreSQL accepts and what SQLite's substr/length count in code
        // points.
        if (!utf8::IsValid(v.string())) return Fail(n, "the string is not valid UTF-8");
        s.text = TextParam(v.string());
        if (pg()) s.text = fmt::format("CAST({} AS TEXT)", s.text);
        s.type = T::kString;
        return s;
      case Kind::kNumber: {
        s.type = T::kNumber;
        const Decimal d = v.number();
        const std::string plain = d.ToString();
        if (pg()) {
          s.text = fmt::format("CAST({} AS NUMERIC)", TextParam(plain));
          return s;
        }
        if (std::optional<int64_t> i = d.ToInt64()) {
          SqlParam p;
          p.kind = SqlParam::Kind::kInteger;
          p.integer = *i;
          s.text = Param(std::move(p));
          return s;
        }
        if (SignificantDigits(plain) > 15) {
          return Fail(n, fmt::format("{} has more than 15 significant digits, which SQLite's "
                                     "REAL cannot hold exactly",
                                     plain));
        }
        SqlParam p;
        p.kind = SqlParam::Kind::kReal;
        p.real = std::strtod(plain.c_str(), nullptr);
        s.text = Param(std::move(p));
        return s;
      }
      case Kind::kDate: {
        const Date& date = v.date();
        if (!pg() && (date.year() < 1 || date.year() > 9999)) {
          return Fail(n, "dates outside the years 1 to 9999 do not compare as SQLite text");
        }
        s.type = T::kDate;
        s.text = TextParam(date.ToString());
        if (pg()) s.text = fmt::format("CAST({} AS DATE)", s.text);
        return s;
      }
      default:
        return Fail(n, fmt::format("a {} has no SQL form", KindName(v.kind())));
    }
  }

  // Whether the subtree reads no column, local or input: it can be evaluated once.
  static bool IsConstant(const Node& n) {
    switch (n.op) {
      case Op::kGlobal:
      case Op::kLocal:
      case Op::kInput:
      case Op::kItemField:
      case Op::kFor:
      case Op::kSome:
      case Op::kEvery:
      case Op::kFilter:
      case Op::kContext:
      case Op::kFunctionDef:
        return false;
      default:
        break;
    }
    for (const auto& k : n.kids) {
      if (k && !IsConstant(*k)) return false;
    }
    return true;
  }

  // Evaluates a constant subtree by compiling its text on its own.
  std::optional<Value> Fold(const Node& n) {
    if (n.op == Op::kConst) return n.value;
    if (!IsConstant(n) || n.end <= n.begin) return std::nullopt;
    Scope empty;
    Result<Program> p = Compile(text_.substr(n.begin, n.end - n.begin), empty);
    if (!p.ok()) return std::nullopt;
    Bindings none(empty);
    return p->EvaluateFast(none);
  }

  std::string Collate() const { return pg() ? " COLLATE \"C\"" : " COLLATE BINARY"; }

  // FEEL `=` (`ne` false) or `!=`: never null; null equals null only; other types differ.
  Sql Equality(const Sql& a, const Sql& b, bool ne) {
    auto negate = [&](Sql s) {
      if (ne) s.text = fmt::format("(NOT {})", s.text);
      return s;
    };
    if (a.type == T::kNull && b.type == T::kNull) return BoolConst(!ne);
    if (a.type == T::kNull || b.type == T::kNull) {
      const Sql& x = a.type == T::kNull ? b : a;
      if (!x.nullable) return BoolConst(ne);
      return BoolSql(fmt::format("({} IS {}NULL)", x.text, ne ? "NOT " : ""), false);
    }
    if (a.type != b.type) {
      if (!a.nullable || !b.nullable) return BoolConst(ne);
      return negate(BoolSql(fmt::format("({} IS NULL AND {} IS NULL)", a.text, b.text), false));
    }
    const std::string rhs = a.type == T::kString ? b.text + Collate() : b.text;
    if (!a.nullable && !b.nullable) {
      return BoolSql(fmt::format("({} {} {})", a.text, ne ? "<>" : "=", rhs), false);
    }
    if (!a.nullable || !b.nullable) {
      const Sql& x = a.nullable ? a : b;
      if (ne) {
        return BoolSql(fmt::format("({} IS NULL OR {} <> {})", x.text, a.text, rhs), false);
      }
      return BoolSql(fmt::format("({} IS NOT NULL AND {} = {})", x.text, a.text, rhs), false);
    }
    if (pg()) {
      return BoolSql(fmt::format("({} IS {}DISTINCT FROM {})", a.text, ne ? "" : "NOT ", rhs),
                     false);
    }
    return BoolSql(fmt::format("({} IS {}{})", a.text, ne ? "NOT " : "", rhs), false);
  }

  // FEEL `<`, `<=`, `>`, `>=`: null when either side is null.
  Sql Ordering(const Node& n, Op op, const Sql& a, const Sql& b) {
    if (op == Op::kEq || op == Op::kNe) return Equality(a, b, op == Op::kNe);
    if (a.type == T::kNull || b.type == T::kNull) return NullBool();
    if (a.type != b.type) {
      return Fail(n, fmt::format("cannot compare a {} with a {} (FEEL gives null)",
                                 TypeName(a.type), TypeName(b.type)));
    }
    if (a.type == T::kBoolean) return Fail(n, "booleans have no order (FEEL gives null)");
    std::string_view sym = op == Op::kLt ? "<" : op == Op::kLe ? "<=" : op == Op::kGt ? ">" : ">=";
    const std::string rhs =
        a.type == T::kString ? fmt::format("({}){}", b.text, Collate()) : b.text;
    return BoolSql(fmt::format("({} {} {})", a.text, sym, rhs), a.nullable || b.nullable);
  }

  Sql Boolean(const Node& n, const Node& operand) {
    Sql s = Expr(operand, input_);
    if (s.type == T::kNull) return NullBool();
    if (s.type != T::kBoolean) {
      Fail(n, fmt::format("an operand of a logical operator is a {}, not a boolean (FEEL gives "
                          "null)",
                          TypeName(s.type)));
    }
    return s;
  }

  // `value in range`, the range constant: null for a null value.
  Sql RangeTest(const Node& n, const Sql& a, const Range& r) {
    if (a.type == T::kNull) return NullBool();
    // A written null end (`[1..null]`) makes the test null, unlike an open end (`>= 1`).
    if (r.low_null || r.high_null) return NullBool();
    std::vector<std::string> parts;
    auto end = [&](const Value& v, Op op) {
      if (v.is_null()) return;
      Sql e = Literal(n, v);
      parts.push_back(Ordering(n, op, a, e).text);
    };
    end(r.low, r.low_closed ? Op::kGe : Op::kGt);
    end(r.high, r.high_closed ? Op::kLe : Op::kLt);
    if (parts.empty()) return BoolSql(fmt::format("({} = {})", a.text, a.text), a.nullable);
    if (parts.size() == 1) return BoolSql(parts[0], a.nullable);
    return BoolSql(fmt::format("({} AND {})", parts[0], parts[1]), a.nullable);
  }

  // Whether `a` passes the unary test `t` (the right side of `in`).
  Sql Test(const Node& t, const Sql& a) {
    switch (t.op) {
      case Op::kTestAny:
        return BoolConst(true);
      case Op::kTests: {
        std::string text;
        bool nullable = false;
        for (const auto& k : t.kids) {
          Sql s = Test(*k, a);
          text += (text.empty() ? "(" : " OR ") + s.text;
          nullable = nullable || s.nullable;
        }
        return BoolSql(text + ")", nullable);
      }
      case Op::kTestNot: {
        Sql s = Test(t.kid(0), a);
        s.text = fmt::format("(NOT {})", s.text);
        return s;
      }
      case Op::kTestCompare:
        return Ordering(t, t.cmp, a, Expr(t.kid(0), input_));
      case Op::kTest:
        break;
      default:
        return Fail(t, "this form of test is not compiled to SQL");
    }
    const Node& e = t.kid(0);
    if (t.flag) {
      const Sql* saved = input_;
      input_ = &a;
      Sql s = Expr(e, input_);
      input_ = saved;
      if (s.type == T::kNull) return NullBool();
      if (s.type != T::kBoolean) {
        return Fail(t, fmt::format("a test using `?` gives a {}, not a boolean", TypeName(s.type)));
      }
      return s;
    }
    if (std::optional<Value> v = Fold(e)) {
      if (v->is(Kind::kRange)) return RangeTest(e, a, v->range());
      if (v->is(Kind::kList)) return ConstList(e, a, v->list());
      if (v->is(Kind::kBoolean) && a.type != T::kBoolean && a.type != T::kNull) {
        return Fail(t, "a boolean test of a value that is not a boolean");
      }
      return Equality(a, Literal(e, *v), false);
    }
    if (e.op == Op::kRange) return Fail(e, "a range whose ends are not constants");
    if (e.op == Op::kList) {
      // Any item equal to (or a constant range containing) the value; never null.
      std::string text;
      for (const auto& item : e.kids) {
        std::string part;
        std::optional<Value> v = Fold(*item);
        if (v && v->is(Kind::kRange)) {
          part = fmt::format("({} IS TRUE)", RangeTest(*item, a, v->range()).text);
        } else if (item->op == Op::kRange || (v && v->is(Kind::kList))) {
          return Fail(*item, "a list item that is a range with column ends or a list");
        } else {
          part = Equality(a, Expr(*item, input_), false).text;
        }
        text += (text.empty() ? "(" : " OR ") + part;
      }
      if (text.empty()) return BoolConst(false);
      return BoolSql(text + ")", false);
    }
    Sql v = Expr(e, input_);
    if (v.type == T::kBoolean && a.type != T::kBoolean && a.type != T::kNull) {
      return Fail(t, "a boolean test of a value that is not a boolean");
    }
    return Equality(a, v, false);
  }

  // `a in [c1, c2, …]` over constants: true when an item equals `a`, else false (never null).
  Sql ConstList(const Node& n, const Sql& a, const std::vector<Value>& items) {
    std::vector<std::string> values;
    bool has_null = false;
    std::vector<std::string> ranges;
    for (const Value& item : items) {
      if (item.is_null()) {
        has_null = true;
      } else if (item.is(Kind::kRange)) {
        ranges.push_back(fmt::format("({} IS TRUE)", RangeTest(n, a, item.range()).text));
      } else if (item.is(Kind::kList)) {
        return Fail(n, "a list inside the list of an `in` test");
      } else {
        Sql s = Literal(n, item);
        if (s.type == a.type) values.push_back(s.text);
      }
    }
    if (a.type == T::kNull) {
      if (!ranges.empty()) return Fail(n, "a range test of null");
      return BoolConst(has_null);
    }
    std::vector<std::string> parts;
    if (!values.empty()) {
      std::string lhs = a.type == T::kString ? fmt::format("({}){}", a.text, Collate()) : a.text;
      std::string in = values.size() == 1 ? fmt::format("{} = {}", lhs, values[0])
                                          : fmt::format("{} IN ({})", lhs, fmt::join(values, ", "));
      parts.push_back(a.nullable ? fmt::format("({} IS NOT NULL AND {})", a.text, in)
                                 : fmt::format("({})", in));
    }
    if (has_null && a.nullable) parts.push_back(fmt::format("({} IS NULL)", a.text));
    for (std::string& r : ranges) parts.push_back(std::move(r));
    if (parts.empty()) return BoolConst(false);
    if (parts.size() == 1) return BoolSql(parts[0], false);
    return BoolSql(fmt::format("({})", fmt::join(parts, " OR ")), false);
  }

  Sql StringFunction(const Node& n, const std::string& name) {
    if (n.kids.size() != 2) return Fail(n, fmt::format("'{}' takes two arguments", name));
    Sql a = Expr(n.kid(0), input_);
    Sql b = Expr(n.kid(1), input_);
    if (a.type == T::kNull || b.type == T::kNull) return NullBool();
    if (a.type != T::kString || b.type != T::kString) {
      return Fail(n, fmt::format("'{}' of a {} and a {} (FEEL gives null)", name, TypeName(a.type),
                                 TypeName(b.type)));
    }
    const bool nullable = a.nullable || b.nullable;
    std::optional<Value> match = Fold(n.kid(1));
    const bool empty = match && match->is(Kind::kString) && match->string().empty();
    if (empty) return BoolSql(fmt::format("(length({}) >= 0)", a.text), nullable);
    if (name == "contains") {
      return BoolSql(fmt::format("({}({}, {}) > 0)", pg() ? "strpos" : "instr", a.text, b.text),
                     nullable);
    }
    const bool starts = name == "starts with";
    std::string length = fmt::format("length({})", b.text);
    if (match && match->is(Kind::kString)) {
      length = std::to_string(utf8::CodePointCount(match->string()));
    }
    std::string part;
    if (pg()) {
      part = fmt::format("{}({}, {})", starts ? "left" : "right", a.text, length);
    } else if (starts) {
      part = fmt::format("substr({}, 1, {})", a.text, length);
    } else if (match) {
      part = fmt::format("substr({}, -{})", a.text, length);
    } else {
      // substr(a, -0) is all of `a`: an empty suffix needs its own branch.
      return BoolSql(fmt::format("(CASE WHEN {} = 0 THEN length({}) >= 0 ELSE substr({}, -{}) = "
                                 "{} END)",
                                 length, a.text, a.text, length, b.text),
                     nullable);
    }
    return BoolSql(fmt::format("({} = {})", part, b.text), nullable);
  }

  Sql Arithmetic(const Node& n) {
    Sql a = Expr(n.kid(0), input_);
    Sql b = Expr(n.kid(1), input_);
    Sql s;
    s.nullable = a.nullable || b.nullable;
    if (a.type == T::kNull || b.type == T::kNull) {
      s.text = "NULL";
      s.type = a.type == T::kNull ? b.type : a.type;
      if (pg() && s.type == T::kNumber) s.text = "CAST(NULL AS NUMERIC)";
      s.nullable = true;
      return s;
    }
    if (n.op == Op::kAdd && a.type == T::kString && b.type == T::kString) {
      s.type = T::kString;
      s.text = fmt::format("({} || {})", a.text, b.text);
      return s;
    }
    if (a.type != T::kNumber || b.type != T::kNumber) {
      return Fail(n, fmt::format("arithmetic on a {} and a {} is not compiled to SQL",
                                 TypeName(a.type), TypeName(b.type)));
    }
    s.type = T::kNumber;
    const char* sym = n.op == Op::kAdd ? "+" : n.op == Op::kSub ? "-" : "*";
    s.text = fmt::format("({} {} {})", a.text, sym, b.text);
    return s;
  }

  Sql Column(int slot) const {
    const SqlColumn& c = schema_[slot];
    Sql s;
    s.text = fmt::format("\"{}\"", c.column.empty() ? c.name : c.column);
    s.type = FromColumn(c.type);
    s.nullable = c.nullable;
    return s;
  }

  Sql Expr(const Node& n, const Sql* input) {
    input_ = input;
    switch (n.op) {
      case Op::kConst:
        return Literal(n, n.value);
      case Op::kGlobal:
        if (n.slot < 0 || n.slot >= static_cast<int>(schema_.size())) {
          return Fail(n, "not a column of the register");
        }
        return Column(n.slot);
      case Op::kInput:
        if (input == nullptr) return Fail(n, "`?` outside a test");
        return *input;
      case Op::kNeg: {
        if (std::optional<Value> v = Fold(n)) return Literal(n, *v);
        Sql a = Expr(n.kid(0), input);
        if (a.type != T::kNumber && a.type != T::kNull) {
          return Fail(n, fmt::format("cannot negate a {} in SQL", TypeName(a.type)));
        }
        a.text = fmt::format("(-{})", a.text);
        return a;
      }
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
        if (std::optional<Value> v = Fold(n)) return Literal(n, *v);
        return Arithmetic(n);
      case Op::kDiv:
      case Op::kPow:
        if (std::optional<Value> v = Fold(n)) return Literal(n, *v);
        return Fail(n,
                    "division and `**` of columns are not compiled: SQL rounds them "
                    "differently from FEEL's decimal128");
      case Op::kEq:
      case Op::kNe:
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe: {
        Sql a = Expr(n.kid(0), input);
        Sql b = Expr(n.kid(1), input);
        return Ordering(n, n.op, a, b);
      }
      case Op::kAnd:
      case Op::kOr: {
        // `a and b and c` is one n-ary node (evaluated left to right); every operand counts.
        const char* word = n.op == Op::kAnd ? "AND" : "OR";
        Sql acc = Boolean(n, n.kid(0));
        for (size_t i = 1; i < n.kids.size(); ++i) {
          Sql b = Boolean(n, n.kid(i));
          acc = BoolSql(fmt::format("({} {} {})", acc.text, word, b.text),
                        acc.nullable || b.nullable);
        }
        return acc;
      }
      case Op::kNot: {
        Sql a = Boolean(n, n.kid(0));
        return BoolSql(fmt::format("(NOT {})", a.text), a.nullable);
      }
      case Op::kBetween: {
        Sql v = Expr(n.kid(0), input);
        Sql lo = Expr(n.kid(1), input);
        Sql hi = Expr(n.kid(2), input);
        Sql a = Ordering(n, Op::kGe, v, lo);
        Sql b = Ordering(n, Op::kLe, v, hi);
        return BoolSql(fmt::format("({} AND {})", a.text, b.text), a.nullable || b.nullable);
      }
      case Op::kInConstList: {
        Sql a = Expr(n.kid(0), input);
        return ConstList(n, a, n.value.list());
      }
      case Op::kIn: {
        Sql a = Expr(n.kid(0), input);
        Sql r = Test(n.kid(1), a);
        input_ = input;
        return r;
      }
      case Op::kStartsWith:
        return StringFunction(n, "starts with");
      case Op::kCallBuiltin: {
        const std::string& name = n.builtin ? n.builtin->name : n.name;
        if (name == "starts with" || name == "ends with" || name == "contains") {
          return StringFunction(n, name);
        }
        if (std::optional<Value> v = Fold(n)) return Literal(n, *v);
        return Fail(n, fmt::format("the function '{}' has no SQL form", name));
      }
      case Op::kIf: {
        Sql c = Boolean(n, n.kid(0));
        Sql a = Expr(n.kid(1), input);
        Sql b = Expr(n.kid(2), input);
        if (a.type != b.type && a.type != T::kNull && b.type != T::kNull) {
          return Fail(n, fmt::format("the branches give a {} and a {}", TypeName(a.type),
                                     TypeName(b.type)));
        }
        Sql s;
        s.type = a.type == T::kNull ? b.type : a.type;
        s.nullable = a.nullable || b.nullable;
        s.text = fmt::format("(CASE WHEN {} THEN {} ELSE {} END)", c.text, a.text, b.text);
        return s;
      }
      case Op::kList:
      case Op::kRange:
        return Fail(n, "a list or range has no SQL form outside an `in` test");
      case Op::kPath:
        return Fail(n, "a path or property (`.name`) is not compiled to SQL");
      case Op::kFor:
        return Fail(n, "`for` is not compiled to SQL");
      case Op::kSome:
      case Op::kEvery:
        return Fail(n, "`some`/`every` is not compiled to SQL");
      case Op::kFilter:
        return Fail(n, "a filter is not compiled to SQL");
      case Op::kContext:
        return Fail(n, "a context is not compiled to SQL");
      case Op::kInstanceOf:
        return Fail(n, "`instance of` is not compiled to SQL");
      case Op::kFunctionDef:
      case Op::kCallValue:
      case Op::kCallNamed:
        return Fail(n, "a user-defined function or named-argument call is not compiled to SQL");
      case Op::kLocal:
      case Op::kItemField:
        return Fail(n, "a local name is not compiled to SQL");
      default:
        return Fail(n, "this form is not compiled to SQL");
    }
  }

  std::string_view text_;
  std::span<const SqlColumn> schema_;
  SqlDialect dialect_;
  const Sql* input_ = nullptr;
  std::vector<SqlParam> params_;
  FieldErrors problems_;
  std::string first_problem_;
};

Type FeelType(SqlType t) {
  switch (t) {
    case SqlType::kNumber:
      return Type::Number();
    case SqlType::kString:
      return Type::String();
    case SqlType::kBoolean:
      return Type::Boolean();
    case SqlType::kDate:
      return Type::Date();
  }
  return Type::Any();
}

}  // namespace

namespace {

Result<SqlWhere> CompileFeel(std::string_view rule, std::span<const SqlColumn> schema,
                             SqlDialect dialect, Mode mode, std::string_view input) {
  Scope scope;
  FieldErrors invalid;
  for (size_t i = 0; i < schema.size(); ++i) {
    const SqlColumn& c = schema[i];
    const std::string& column = c.column.empty() ? c.name : c.column;
    if (!IsSimpleIdentifier(column)) {
      invalid.Add(fmt::format("schema[{}].column", i),
                  fmt::format("'{}' is not a plain SQL name ([A-Za-z_][A-Za-z0-9_]*)", column));
    }
    if (scope.Find(c.name) >= 0) {
      invalid.Add(fmt::format("schema[{}].name", i), fmt::format("'{}' is declared twice", c.name));
    }
    scope.Declare(c.name, FeelType(c.type));
  }
  if (!invalid.empty()) return invalid.ToError("invalid register schema");
  // Syntax and name errors exactly as the interpreter reports them.
  int input_slot = -1;
  if (mode == Mode::kUnaryTests) {
    input_slot = scope.Find(input);
    if (input_slot < 0) {
      FieldErrors unknown;
      unknown.Add("input", fmt::format("'{}' is not a column of the schema", input));
      return unknown.ToError("invalid input column");
    }
  }
  TB_RETURN_IF_ERROR(Compile(rule, scope, mode));
  ParseResult parsed = Parse(rule, scope, mode, Limits{});
  if (!parsed.root || !parsed.problems.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the rule does not parse");
  }
  Compiler compiler(rule, schema, dialect);
  return compiler.Run(*parsed.root, input_slot);
}

}  // namespace

Result<SqlWhere> CompileToSql(std::string_view rule, std::span<const SqlColumn> schema,
                              SqlDialect dialect) {
  return CompileFeel(rule, schema, dialect, Mode::kExpression, {});
}

Result<SqlWhere> CompileTestsToSql(std::string_view tests, std::string_view input,
                                   std::span<const SqlColumn> schema, SqlDialect dialect) {
  return CompileFeel(tests, schema, dialect, Mode::kUnaryTests, input);
}

}  // namespace tongban::feel
