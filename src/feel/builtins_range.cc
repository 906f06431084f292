// Range built-ins (DMN 1.5 §10.3.4.9): before, after, meets, met by, overlaps, overlaps before,
// overlaps after, finishes, finished by, includes, during, starts, started by, coincides, each
// over points and ranges as the specification's table defines them; and range(from), a range
// literal read from a string. An unbounded endpoint
// (`< 10`) compares as infinity. Registered as the group "Range".
#include "feel/builtins_util.h"
#include "feel/feel.h"

namespace tongban::feel {
namespace {

using builtins::Fail;

// One end of an interval: a value, or minus/plus infinity for an unbounded end.
struct Bound {
  const Value* value = nullptr;
  int infinity = 0;  // -1, 0 (finite), +1
};

struct Interval {
  Bound start;
  bool start_included = true;
  Bound end;
  bool end_included = true;
};

Interval FromValue(const Value& v) {
  if (!v.is(Kind::kRange)) return {{&v, 0}, true, {&v, 0}, true};
  const Range& r = v.range();
  Interval i;
  i.start = r.low.is_null() ? Bound{nullptr, -1} : Bound{&r.low, 0};
  i.end = r.high.is_null() ? Bound{nullptr, 1} : Bound{&r.high, 0};
  i.start_included = r.low_closed && !r.low.is_null();
  i.end_included = r.high_closed && !r.high.is_null();
  return i;
}

// Comparisons that remember whether any pair could not be compared (then the result is null).
class Cmp {
 public:
  bool Lt(const Bound& a, const Bound& b) { return Order(a, b) < 0; }
  bool Gt(const Bound& a, const Bound& b) { return Order(a, b) > 0; }
  bool Eq(const Bound& a, const Bound& b) { return Order(a, b) == 0; }
  bool failed() const { return failed_; }

 private:
  int Order(const Bound& a, const Bound& b) {
    if (a.infinity != 0 || b.infinity != 0) return a.infinity - b.infinity;
    std::optional<int> c = Compare(*a.value, *b.value);
    if (!c) {
      failed_ = true;
      return 2;  // neither less, greater nor equal
    }
    return *c;
  }
  bool failed_ = false;
};

enum class Shape { kPointPoint, kPointRange, kRangePoint, kRangeRange };

using Rule = bool (*)(Cmp&, const Interval&, const Interval&, Shape);

// Registers `name` with the parameter names of each shape it accepts; the body dispatches on the
// kinds of the arguments.
void AddRangeFunction(Registry& r, const std::string& name,
                      std::initializer_list<std::pair<Shape, std::vector<std::string>>> shapes,
                      Rule rule) {
  std::vector<Shape> allowed;
  for (const auto& s : shapes) allowed.push_back(s.first);
  BuiltinFunction body = [name, allowed, rule](std::span<const Value> args,
                                               CallContext& ctx) -> Value {
    if (args.size() < 2 || args[0].is_null() || args[1].is_null()) {
      return Fail(ctx, name, "an argument is null");
    }
    const bool r1 = args[0].is(Kind::kRange);
    const bool r2 = args[1].is(Kind::kRange);
    const Shape shape = r1 ? (r2 ? Shape::kRangeRange : Shape::kRangePoint)
                           : (r2 ? Shape::kPointRange : Shape::kPointPoint);
    if (std::find(allowed.begin(), allowed.end(), shape) == allowed.end()) {
      return Fail(ctx, name, "these arguments are not points and ranges it accepts");
    }
    Cmp cmp;
    const bool result = rule(cmp, FromValue(args[0]), FromValue(args[1]), shape);
    if (cmp.failed()) return Fail(ctx, name, "the endpoints cannot be compared");
    return Value::Boolean(result);
  };
  for (const auto& [shape, params] : shapes) r.Add({name, params, 2, false, body});
}

bool Before(Cmp& c, const Interval& a, const Interval& b, Shape /*shape*/) {
  // With points as closed one-point intervals, the four rows of the table are this one rule.
  return c.Lt(a.end, b.start) || ((!a.end_included || !b.start_included) && c.Eq(a.end, b.start));
}

bool After(Cmp& c, const Interval& a, const Interval& b, Shape /*shape*/) {
  return c.Gt(a.start, b.end) || ((!a.start_included || !b.end_included) && c.Eq(a.start, b.end));
}

bool Meets(Cmp& c, const Interval& a, const Interval& b, Shape /*shape*/) {
  return a.end_included && b.start_included && c.Eq(a.end, b.start);
}

bool MetBy(Cmp& c, const Interval& a, const Interval& b, Shape /*shape*/) {
  return a.start_included && b.end_included && c.Eq(a.start, b.end);
}

bool Overlaps(Cmp& c, const Interval& a, const Interval& b, Shape /*shape*/) {
  return (c.Gt(a.end, b.start) || (c.Eq(a.end, b.start) && a.end_included && b.start_included)) &&
         (c.Lt(a.start, b.end) || (c.Eq(a.start, b.end) && a.start_included && b.end_included));
}

bool OverlapsBefore(Cmp& c, const Interval& a, const Interval& b, Shape /*shape*/) {
  return (c.Lt(a.start, b.start) ||
          (c.Eq(a.start, b.start) && a.start_included && !b.start_included)) &&
         (c.Gt(a.end, b.start) || (c.Eq(a.end, b.start) && a.end_included && b.start_included)) &&
         (c.Lt(a.end, b.end) || (c.Eq(a.end, b.end) && (!a.end_included || b.end_included)));
}

bool OverlapsAfter(Cmp& c, const Interval& a, const Interval& b, Shape shape) {
  return OverlapsBefore(c, b, a, shape);
}

bool Finishes(Cmp& c, const Interval& a, const Interval& b, Shape shape) {
  if (shape == Shape::kPointRange) return b.end_included && c.Eq(b.end, a.start);
  return a.end_included == b.end_included && c.Eq(a.end, b.end) &&
         (c.Gt(a.start, b.start) ||
          (c.Eq(a.start, b.start) && (!a.start_included || b.start_included)));
}

bool FinishedBy(Cmp& c, const Interval& a, const Interval& b, Shape shape) {
  if (shape == Shape::kRangePoint) return a.end_included && c.Eq(a.end, b.start);
  return a.end_included == b.end_included && c.Eq(a.end, b.end) &&
         (c.Lt(a.start, b.start) ||
          (c.Eq(a.start, b.start) && (a.start_included || !b.start_included)));
}

bool Includes(Cmp& c, const Interval& a, const Interval& b, Shape shape) {
  if (shape == Shape::kRangePoint) {
    const Bound& p = b.start;
    return (c.Lt(a.start, p) && c.Gt(a.end, p)) || (c.Eq(a.start, p) && a.start_included) ||
           (c.Eq(a.end, p) && a.end_included);
  }
  return (c.Lt(a.start, b.start) ||
          (c.Eq(a.start, b.start) && (a.start_included || !b.start_included))) &&
         (c.Gt(a.end, b.end) || (c.Eq(a.end, b.end) && (a.end_included || !b.end_included)));
}

bool During(Cmp& c, const Interval& a, const Interval& b, Shape shape) {
  return Includes(c, b, a, shape == Shape::kPointRange ? Shape::kRangePoint : shape);
}

bool Starts(Cmp& c, const Interval& a, const Interval& b, Shape shape) {
  if (shape == Shape::kPointRange) return b.start_included && c.Eq(b.start, a.start);
  return c.Eq(a.start, b.start) && a.start_included == b.start_included &&
         (c.Lt(a.end, b.end) || (c.Eq(a.end, b.end) && (!a.end_included || b.end_included)));
}

bool StartedBy(Cmp& c, const Interval& a, const Interval& b, Shape shape) {
  if (shape == Shape::kRangePoint) return a.start_included && c.Eq(a.start, b.start);
  return c.Eq(a.start, b.start) && a.start_included == b.start_included &&
         (c.Lt(b.end, a.end) || (c.Eq(b.end, a.end) && (!b.end_included || a.end_included)));
}

bool Coincides(Cmp& c, const Interval& a, const Interval& b, Shape /*shape*/) {
  return c.Eq(a.start, b.start) && a.start_included == b.start_included && c.Eq(a.end, b.end) &&
         a.end_included == b.end_included;
}

// The end of a string literal starting at text[i] == '"' (one past the closing quote), or npos.
size_t StringLiteralEnd(std::string_view text, size_t i) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

size_t SkipSpaces(std::string_view text, size_t i) {
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) {
    ++i;
  }
  return i;
}

// The end of one range endpoint at text[i], or npos. DMN 1.5 §10.3.4.9 `range(from)` accepts
// literals only: a number, a string, an `@"..."` literal, or date / time / date and time /
// duration applied to one string literal. Anything else (names, arithmetic, nested calls) is
// refused so that the string cannot run an expression.
size_t EndpointEnd(std::string_view text, size_t i) {
  if (i >= text.size()) return std::string_view::npos;
  if (text[i] == '"') return StringLiteralEnd(text, i);
  if (text[i] == '@') {
    if (i + 1 < text.size() && text[i + 1] == '"') return StringLiteralEnd(text, i + 1);
    return std::string_view::npos;
  }
  if (text[i] == '-' || text[i] == '.' || (text[i] >= '0' && text[i] <= '9')) {
    size_t j = text[i] == '-' ? i + 1 : i;
    const size_t digits = j;
    // Stops before "..": a number's '.' must be followed by a digit.
    while (j < text.size() &&
           ((text[j] >= '0' && text[j] <= '9') ||
            (text[j] == '.' && j + 1 < text.size() && text[j + 1] >= '0' && text[j + 1] <= '9'))) {
      ++j;
    }
    return j == digits ? std::string_view::npos : j;
  }
  static constexpr std::string_view kConversions[] = {"date and time", "date", "time", "duration"};
  for (std::string_view name : kConversions) {
    if (text.substr(i, name.size()) != name) continue;
    size_t j = SkipSpaces(text, i + name.size());
    if (j >= text.size() || text[j] != '(') continue;
    j = SkipSpaces(text, j + 1);
    if (j >= text.size() || text[j] != '"') return std::string_view::npos;
    j = StringLiteralEnd(text, j);
    if (j == std::string_view::npos) return j;
    j = SkipSpaces(text, j);
    if (j >= text.size() || text[j] != ')') return std::string_view::npos;
    return j + 1;
  }
  return std::string_view::npos;
}

// The value of an endpoint's text (already checked to be a literal), or null.
Value EndpointValue(std::string_view text) {
  const Scope empty;
  Result<Program> p = Compile(text, empty);
  if (!p.ok()) return {};
  return p->EvaluateFast(Bindings(empty));
}

// `range(from)`: the range written in `from` with the range literal syntax (`[1..10)`, `]a..b[`),
// or null when it is not one: both endpoints must be literals of the same kind, low <= high.
Value RangeFromString(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kString)) return Fail(ctx, "range", "from must be a string");
  const std::string_view text = args[0].string();
  const auto fail = [&] { return Fail(ctx, "range", "from is not a range literal"); };
  size_t i = SkipSpaces(text, 0);
  if (i >= text.size() || (text[i] != '[' && text[i] != '(' && text[i] != ']')) return fail();
  Range r;
  r.low_closed = text[i] == '[';
  const size_t low_begin = SkipSpaces(text, i + 1);
  const size_t low_end = EndpointEnd(text, low_begin);
  if (low_end == std::string_view::npos) return fail();
  i = SkipSpaces(text, low_end);
  if (text.substr(i, 2) != "..") return fail();
  const size_t high_begin = SkipSpaces(text, i + 2);
  const size_t high_end = EndpointEnd(text, high_begin);
  if (high_end == std::string_view::npos) return fail();
  i = SkipSpaces(text, high_end);
  if (i >= text.size() || (text[i] != ']' && text[i] != ')' && text[i] != '[')) return fail();
  r.high_closed = text[i] == ']';
  if (SkipSpaces(text, i + 1) != text.size()) return fail();
  r.low = EndpointValue(text.substr(low_begin, low_end - low_begin));
  r.high = EndpointValue(text.substr(high_begin, high_end - high_begin));
  if (r.low.is_null() || r.high.is_null() || r.low.kind() != r.high.kind()) return fail();
  std::optional<int> c = Compare(r.low, r.high);
  if (!c || *c > 0) return Fail(ctx, "range", "the low end is not before the high end");
  return Value::FromRange(std::move(r));
}

}  // namespace

void RegisterRangeBuiltins(Registry& r) {
  r.Add({"range", {"from"}, 1, false, RangeFromString});
  using S = Shape;
  const std::pair<Shape, std::vector<std::string>> pp = {S::kPointPoint, {"point1", "point2"}};
  const std::pair<Shape, std::vector<std::string>> pr = {S::kPointRange, {"point", "range"}};
  const std::pair<Shape, std::vector<std::string>> rp = {S::kRangePoint, {"range", "point"}};
  const std::pair<Shape, std::vector<std::string>> rr = {S::kRangeRange, {"range1", "range2"}};
  AddRangeFunction(r, "before", {pp, pr, rp, rr}, Before);
  AddRangeFunction(r, "after", {pp, pr, rp, rr}, After);
  AddRangeFunction(r, "meets", {rr}, Meets);
  AddRangeFunction(r, "met by", {rr}, MetBy);
  AddRangeFunction(r, "overlaps", {rr}, Overlaps);
  AddRangeFunction(r, "overlaps before", {rr}, OverlapsBefore);
  AddRangeFunction(r, "overlaps after", {rr}, OverlapsAfter);
  AddRangeFunction(r, "finishes", {pr, rr}, Finishes);
  AddRangeFunction(r, "finished by", {rp, rr}, FinishedBy);
  AddRangeFunction(r, "includes", {rp, rr}, Includes);
  AddRangeFunction(r, "during", {pr, rr}, During);
  AddRangeFunction(r, "starts", {pr, rr}, Starts);
  AddRangeFunction(r, "started by", {rp, rr}, StartedBy);
  AddRangeFunction(r, "coincides", {pp, rr}, Coincides);
}

}  // namespace tongban::feel
