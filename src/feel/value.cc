// FEEL values: payloads, FEEL equality and ordering (DMN 1.5 §10.3.2), JSON in and out.
#include "feel/value.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

namespace tongban::feel {
namespace {

template <typename T>
struct Box : Value::Payload {
  Box(Kind k, T v) : Payload(k), value(std::move(v)) {}
  T value;
};

class NativeFunction : public Function {
 public:
  NativeFunction(std::vector<std::string> params, std::function<Value(std::span<const Value>)> body)
      : params_(std::move(params)), body_(std::move(body)) {}
  const std::vector<std::string>& parameters() const override { return params_; }
  Value Call(std::span<const Value> args, CallContext& /*ctx*/) const override {
    return body_(args);
  }

 private:
  std::vector<std::string> params_;
  std::function<Value(std::span<const Value>)> body_;
};

}  // namespace

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBoolean:
      return "boolean";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kDate:
      return "date";
    case Kind::kTime:
      return "time";
    case Kind::kDateTime:
      return "date and time";
    case Kind::kDaysTimeDuration:
      return "days and time duration";
    case Kind::kYearsMonthsDuration:
      return "years and months duration";
    case Kind::kList:
      return "list";
    case Kind::kContext:
      return "context";
    case Kind::kRange:
      return "range";
    case Kind::kFunction:
      return "function";
  }
  return "?";
}

template <typename T>
Value Value::Boxed(Kind kind, T value) {
  // The Value owns the payload through its reference count (Release deletes it); the static
  // analyzer does not follow ownership through the union.
  // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDeleteLeaks)
  return Heap(new Box<T>(kind, std::move(value)));
}

Value Value::Heap(Payload* p) {
  Value v;
  v.kind_ = p->kind;
  v.p_ = p;
  return v;
}

template <typename T>
const T& Value::As() const {
  return static_cast<const Box<T>*>(p_)->value;
}

Value Value::Number(const Decimal& d) {
  if (d.IsInteger()) {
    if (std::optional<int64_t> i = d.ToInt64()) return Number(*i);
  }
  return Boxed<Decimal>(Kind::kNumber, d);
}

Value Value::String(std::string text) { return Boxed<std::string>(Kind::kString, std::move(text)); }
Value Value::FromDate(const Date& d) { return Boxed<Date>(Kind::kDate, d); }
Value Value::FromTime(const Time& t) { return Boxed<Time>(Kind::kTime, t); }
Value Value::FromDateTime(const DateTime& dt) { return Boxed<DateTime>(Kind::kDateTime, dt); }
Value Value::FromDuration(const DaysTimeDuration& d) {
  return Boxed<DaysTimeDuration>(Kind::kDaysTimeDuration, d);
}
Value Value::FromDuration(const YearsMonthsDuration& d) {
  return Boxed<YearsMonthsDuration>(Kind::kYearsMonthsDuration, d);
}
Value Value::List(std::vector<Value> items) {
  return Boxed<std::vector<Value>>(Kind::kList, std::move(items));
}
Value Value::Context(std::vector<ContextEntry> entries) {
  // Later duplicates replace earlier ones, keeping the first position.
  std::vector<ContextEntry> unique;
  unique.reserve(entries.size());
  for (ContextEntry& e : entries) {
    bool replaced = false;
    for (ContextEntry& u : unique) {
      if (u.name == e.name) {
        u.value = std::move(e.value);
        replaced = true;
        break;
      }
    }
    if (!replaced) unique.push_back(std::move(e));
  }
  return Boxed<std::vector<ContextEntry>>(Kind::kContext, std::move(unique));
}
Value Value::FromRange(Range range) { return Boxed<Range>(Kind::kRange, std::move(range)); }
Value Value::FromFunction(std::shared_ptr<const feel::Function> f) {
  return Boxed<std::shared_ptr<const feel::Function>>(Kind::kFunction, std::move(f));
}
Value Value::Function(std::vector<std::string> parameters,
                      std::function<Value(std::span<const Value>)> body) {
  return FromFunction(std::make_shared<NativeFunction>(std::move(parameters), std::move(body)));
}

Decimal Value::number() const {
  if (small_) return Decimal::FromInt64(i_);
  return As<Decimal>();
}
const std::string& Value::string() const { return As<std::string>(); }
const Date& Value::date() const { return As<Date>(); }
const Time& Value::time() const { return As<Time>(); }
const DateTime& Value::date_time() const { return As<DateTime>(); }
const DaysTimeDuration& Value::days_time_duration() const { return As<DaysTimeDuration>(); }
const YearsMonthsDuration& Value::years_months_duration() const {
  return As<YearsMonthsDuration>();
}
const std::vector<Value>& Value::list() const { return As<std::vector<Value>>(); }
const std::vector<ContextEntry>& Value::context() const { return As<std::vector<ContextEntry>>(); }
const Range& Value::range() const { return As<Range>(); }
const feel::Function& Value::function() const {
  return *As<std::shared_ptr<const feel::Function>>();
}
std::shared_ptr<const feel::Function> Value::function_ptr() const {
  return As<std::shared_ptr<const feel::Function>>();
}

const Value* Value::Find(std::string_view name) const {
  if (kind_ != Kind::kContext) return nullptr;
  for (const ContextEntry& e : context()) {
    if (e.name == name) return &e.value;
  }
  return nullptr;
}

namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string Literal(const Value& v) {
  return v.is(Kind::kString) ? Quote(v.string()) : v.ToString();
}

}  // namespace

std::string Value::ToString() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kBoolean:
      return i_ != 0 ? "true" : "false";
    case Kind::kNumber:
      return small_ ? std::to_string(i_) : number().ToString();
    case Kind::kString:
      return string();
    case Kind::kDate:
      return date().ToString();
    case Kind::kTime:
      return time().ToString();
    case Kind::kDateTime:
      return date_time().ToString();
    case Kind::kDaysTimeDuration:
      return days_time_duration().ToString();
    case Kind::kYearsMonthsDuration:
      return years_months_duration().ToString();
    case Kind::kList: {
      std::string out = "[";
      for (size_t i = 0; i < list().size(); ++i) {
        if (i > 0) out += ", ";
        out += Literal(list()[i]);
      }
      return out + "]";
    }
    case Kind::kContext: {
      std::string out = "{";
      for (size_t i = 0; i < context().size(); ++i) {
        if (i > 0) out += ", ";
        out += context()[i].name + ": " + Literal(context()[i].value);
      }
      return out + "}";
    }
    case Kind::kRange: {
      const Range& r = range();
      if (r.low.is_null() && !r.high.is_null()) {
        return (r.high_closed ? "<= " : "< ") + Literal(r.high);
      }
      if (r.high.is_null() && !r.low.is_null()) {
        return (r.low_closed ? ">= " : "> ") + Literal(r.low);
      }
      return (r.low_closed ? "[" : "(") + Literal(r.low) + ".." + Literal(r.high) +
             (r.high_closed ? "]" : ")");
    }
    case Kind::kFunction:
      return std::string(function().name());
  }
  return "null";
}

bool Value::operator==(const Value& other) const {
  std::optional<bool> e = Equal(*this, other);
  return e.has_value() && *e;
}

namespace {

int Sign(std::strong_ordering o) {
  if (std::is_lt(o)) return -1;
  if (std::is_gt(o)) return 1;
  return 0;
}

}  // namespace

std::optional<int> Compare(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return std::nullopt;
  switch (a.kind()) {
    case Kind::kNumber:
      if (a.is_small_int() && b.is_small_int()) {
        return a.small_int() < b.small_int() ? -1 : (a.small_int() > b.small_int() ? 1 : 0);
      }
      return Sign(a.number().Compare(b.number()));
    case Kind::kString: {
      const int c = a.string().compare(b.string());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::kDate:
      return Sign(a.date() <=> b.date());
    case Kind::kTime: {
      std::optional<std::strong_ordering> c = a.time().Compare(b.time());
      if (!c) return std::nullopt;
      return Sign(*c);
    }
    case Kind::kDateTime: {
      std::optional<std::strong_ordering> c = a.date_time().Compare(b.date_time());
      if (!c) return std::nullopt;
      return Sign(*c);
    }
    case Kind::kDaysTimeDuration:
      return Sign(a.days_time_duration() <=> b.days_time_duration());
    case Kind::kYearsMonthsDuration:
      return Sign(a.years_months_duration() <=> b.years_months_duration());
    default:
      return std::nullopt;
  }
}

std::optional<bool> Equal(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kBoolean:
      return a.boolean() == b.boolean();
    case Kind::kNumber:
    case Kind::kString:
    case Kind::kDate:
    case Kind::kDaysTimeDuration:
    case Kind::kYearsMonthsDuration: {
      std::optional<int> c = Compare(a, b);
      return c.has_value() && *c == 0;
    }
    case Kind::kTime:
    case Kind::kDateTime: {
      std::optional<int> c = Compare(a, b);
      if (!c) return std::nullopt;
      return *c == 0;
    }
    case Kind::kList: {
      const auto& x = a.list();
      const auto& y = b.list();
      if (x.size() != y.size()) return false;
      bool unknown = false;
      for (size_t i = 0; i < x.size(); ++i) {
        std::optional<bool> e = Equal(x[i], y[i]);
        if (!e) {
          unknown = true;
        } else if (!*e) {
          return false;
        }
      }
      if (unknown) return std::nullopt;
      return true;
    }
    case Kind::kContext: {
      const auto& x = a.context();
      const auto& y = b.context();
      if (x.size() != y.size()) return false;
      bool unknown = false;
      for (const ContextEntry& e : x) {
        const Value* other = b.Find(e.name);
        if (other == nullptr) return false;
        std::optional<bool> eq = Equal(e.value, *other);
        if (!eq) {
          unknown = true;
        } else if (!*eq) {
          return false;
        }
      }
      if (unknown) return std::nullopt;
      return true;
    }
    case Kind::kRange: {
      const Range& x = a.range();
      const Range& y = b.range();
      if (x.low_closed != y.low_closed || x.high_closed != y.high_closed) return false;
      if (x.low_null != y.low_null || x.high_null != y.high_null) return false;
      std::optional<bool> l = Equal(x.low, y.low);
      std::optional<bool> h = Equal(x.high, y.high);
      if (!l || !h) return std::nullopt;
      return *l && *h;
    }
    case Kind::kFunction:
      return &a.function() == &b.function();
    case Kind::kNull:
      return true;
  }
  return false;
}

std::optional<bool> InRange(const Value& v, const Range& r) {
  // A written null end (`[1..null]`) is not unbounded (that is `>= 1`): the test is null
  // (TCK 0072). The SQL compiler and the column-wise engine follow the same rule.
  if (v.is_null() || r.low_null || r.high_null) return std::nullopt;
  if (!r.low.is_null()) {
    std::optional<int> c = Compare(v, r.low);
    if (!c) return std::nullopt;
    if (*c < 0 || (*c == 0 && !r.low_closed)) return false;
  }
  if (!r.high.is_null()) {
    std::optional<int> c = Compare(v, r.high);
    if (!c) return std::nullopt;
    if (*c > 0 || (*c == 0 && !r.high_closed)) return false;
  }
  return true;
}

namespace {

void WriteJson(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Kind::kNull:
      *out += "null";
      return;
    case Kind::kBoolean:
      *out += v.boolean() ? "true" : "false";
      return;
    case Kind::kNumber:
      *out += v.ToString();
      return;
    case Kind::kList: {
      *out += '[';
      bool first = true;
      for (const Value& item : v.list()) {
        if (!first) *out += ',';
        first = false;
        WriteJson(item, out);
      }
      *out += ']';
      return;
    }
    case Kind::kContext: {
      *out += '{';
      bool first = true;
      for (const ContextEntry& e : v.context()) {
        if (!first) *out += ',';
        first = false;
        *out +=
            nlohmann::json(e.name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        *out += ':';
        WriteJson(e.value, out);
      }
      *out += '}';
      return;
    }
    default:
      *out += nlohmann::json(v.ToString())
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
  }
}

// Builds Values straight from the parser's events, so float numbers come with their text.
class JsonBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return Put(Value()); }
  bool boolean(bool b) override { return Put(Value::Boolean(b)); }
  bool number_integer(number_integer_t n) override { return Put(Value::Number(n)); }
  bool number_unsigned(number_unsigned_t n) override {
    std::optional<Decimal> d = Decimal::Parse(std::to_string(n));
    return d ? Put(Value::Number(*d)) : Fail("number out of range");
  }
  bool number_float(number_float_t /*unused*/, const string_t& text) override {
    std::optional<Decimal> d = Decimal::Parse(text);
    return d ? Put(Value::Number(*d)) : Fail("number out of range: " + text);
  }
  bool string(string_t& s) override { return Put(Value::String(s)); }
  bool binary(binary_t& /*unused*/) override { return Fail("binary values are not JSON"); }
  bool start_object(std::size_t /*unused*/) override {
    if (stack_.size() > 200) return Fail("nested too deeply");
    stack_.push_back({true, {}, {}, {}});
    return true;
  }
  bool key(string_t& k) override {
    stack_.back().key = k;
    return true;
  }
  bool end_object() override {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    return Put(Value::Context(std::move(f.entries)));
  }
  bool start_array(std::size_t /*unused*/) override {
    if (stack_.size() > 200) return Fail("nested too deeply");
    stack_.push_back({false, {}, {}, {}});
    return true;
  }
  bool end_array() override {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    return Put(Value::List(std::move(f.items)));
  }
  bool parse_error(std::size_t position, const std::string& /*unused*/,
                   const nlohmann::detail::exception& e) override {
    return Fail(fmt::format("invalid JSON at byte {}: {}", position, e.what()));
  }

  Value result;
  std::string error;

 private:
  struct Frame {
    bool object;
    std::string key;
    std::vector<ContextEntry> entries;
    std::vector<Value> items;
  };
  bool Put(Value v) {
    if (stack_.empty()) {
      result = std::move(v);
    } else if (stack_.back().object) {
      stack_.back().entries.push_back({std::move(stack_.back().key), std::move(v)});
    } else {
      stack_.back().items.push_back(std::move(v));
    }
    return true;
  }
  bool Fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return false;
  }
  std::vector<Frame> stack_;
};

}  // namespace

std::string ToJson(const Value& v) {
  std::string out;
  WriteJson(v, &out);
  return out;
}

Result<Value> ParseJson(std::string_view json_text) {
  JsonBuilder builder;
  bool ok = false;
  try {
    ok = nlohmann::json::sax_parse(json_text, &builder);
  } catch (const std::exception& e) {
    builder.error = e.what();
    ok = false;
  }
  if (!ok) {
    return Error(ErrorCode::kInvalidArgument,
                 builder.error.empty() ? "invalid JSON" : builder.error);
  }
  return std::move(builder.result);
}

}  // namespace tongban::feel
