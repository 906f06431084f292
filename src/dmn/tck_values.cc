#include "dmn/tck_values.h"

#include <fmt/format.h>

#include <string_view>

namespace tongban::dmn {

using feel::Kind;
using feel::Value;

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Error Unreadable(const TckValue& v) {
  return {ErrorCode::kInvalidArgument,
          fmt::format("cannot read '{}' as xsd:{}", v.text, v.xsi_type)};
}

Result<Value> Simple(const TckValue& v) {
  const std::string& type = v.xsi_type;
  std::string_view text = v.text;
  if (type == "string") return Value::String(v.text);
  text = Trim(text);
  if (type == "decimal" || type == "double" || type == "float" || type == "int" ||
      type == "integer" || type == "long" || type == "short") {
    if (text == "NaN" || text == "INF" || text == "-INF") return Value::Null();
    std::string plain(text);
    if (!plain.empty() && plain[0] == '+') plain.erase(0, 1);
    std::optional<feel::Decimal> d = feel::Decimal::Parse(plain);
    if (!d) return Unreadable(v);
    return Value::Number(*d);
  }
  if (type == "boolean") {
    if (text == "true" || text == "1") return Value::Boolean(true);
    if (text == "false" || text == "0") return Value::Boolean(false);
    return Unreadable(v);
  }
  if (type == "date") {
    if (auto d = feel::Date::Parse(text)) return Value::FromDate(*d);
    return Unreadable(v);
  }
  if (type == "dateTime") {
    if (auto d = feel::DateTime::Parse(text)) return Value::FromDateTime(*d);
    return Unreadable(v);
  }
  if (type == "time") {
    if (auto t = feel::Time::Parse(text)) return Value::FromTime(*t);
    return Unreadable(v);
  }
  if (type == "duration" || type == "dayTimeDuration" || type == "yearMonthDuration") {
    if (auto d = feel::DaysTimeDuration::Parse(text)) return Value::FromDuration(*d);
    if (auto d = feel::YearsMonthsDuration::Parse(text)) return Value::FromDuration(*d);
    return Unreadable(v);
  }
  if (type.empty()) {
    if (text == "true") return Value::Boolean(true);
    if (text == "false") return Value::Boolean(false);
    if (auto d = feel::Decimal::Parse(text)) return Value::Number(*d);
    return Value::String(v.text);
  }
  return Error(ErrorCode::kInvalidArgument, fmt::format("unknown xsi:type '{}'", type));
}

// `a` (computed) against `b` (expected): equal; or, when b is written with 8 or more
// significant digits, equal after rounding a to b's decimals (0052-feel-exp-function expects
// 54.59815003 for exp(4)); or within 1e-12 relative.
bool NumbersClose(const feel::Decimal& a, const feel::Decimal& b) {
  if (a == b) return true;
  std::string text = b.Abs().ToString();
  size_t point = text.find('.');
  if (point != std::string::npos) {
    int decimals = static_cast<int>(text.size() - point - 1);
    size_t first = text.find_first_not_of("0.");
    size_t digits = first == std::string::npos ? 0 : text.size() - first - (first < point ? 1 : 0);
    if (digits >= 8) {
      std::optional<feel::Decimal> rounded = a.Round(decimals, feel::RoundingMode::kHalfUp);
      if (rounded && *rounded == b) return true;
    }
  }
  std::optional<feel::Decimal> diff = a.Subtract(b);
  if (!diff) return false;
  feel::Decimal scale = b.Abs();
  if (scale < feel::Decimal::FromInt64(1)) scale = feel::Decimal::FromInt64(1);
  std::optional<feel::Decimal> tolerance = scale.Multiply(*feel::Decimal::Parse("1e-12"));
  return tolerance && diff->Abs() <= *tolerance;
}

bool Matches(const Value& actual, const Value& expected, std::string* why, int depth) {
  auto fail = [&](std::string message) {
    if (why != nullptr && why->empty()) *why = std::move(message);
    return false;
  };
  if (depth > 100) return fail("nested too deeply");
  if (expected.is_null()) {
    return actual.is_null() ? true : fail(fmt::format("expected null, got {}", actual.ToString()));
  }
  if (expected.is(Kind::kNumber) && actual.is(Kind::kNumber)) {
    return NumbersClose(actual.number(), expected.number())
               ? true
               : fail(fmt::format("expected {}, got {}", expected.ToString(), actual.ToString()));
  }
  if (expected.is(Kind::kList)) {
    if (!actual.is(Kind::kList)) {
      return fail(
          fmt::format("expected a list {}, got {}", expected.ToString(), actual.ToString()));
    }
    const auto& a = actual.list();
    const auto& e = expected.list();
    if (a.size() != e.size()) {
      return fail(fmt::format("expected {} items {}, got {} items {}", e.size(),
                              expected.ToString(), a.size(), actual.ToString()));
    }
    for (size_t i = 0; i < a.size(); ++i) {
      if (!Matches(a[i], e[i], why, depth + 1)) return false;
    }
    return true;
  }
  if (expected.is(Kind::kContext)) {
    if (!actual.is(Kind::kContext)) {
      return fail(
          fmt::format("expected a context {}, got {}", expected.ToString(), actual.ToString()));
    }
    for (const feel::ContextEntry& entry : expected.context()) {
      const Value* a = actual.Find(entry.name);
      if (a == nullptr) return fail(fmt::format("missing entry '{}'", entry.name));
      if (!Matches(*a, entry.value, why, depth + 1)) return false;
    }
    for (const feel::ContextEntry& entry : actual.context()) {
      if (expected.Find(entry.name) == nullptr) {
        return fail(fmt::format("unexpected entry '{}'", entry.name));
      }
    }
    return true;
  }
  if (feel::Equal(actual, expected) == std::optional<bool>(true) &&
      actual.kind() == expected.kind()) {
    return true;
  }
  return fail(fmt::format("expected {}, got {}", expected.ToString(), actual.ToString()));
}

}  // namespace

Result<Value> ToFeelValue(const TckValue& value) {
  switch (value.kind) {
    case TckValue::Kind::kNil:
      return Value::Null();
    case TckValue::Kind::kSimple:
      return Simple(value);
    case TckValue::Kind::kList: {
      std::vector<Value> items;
      for (const TckValue& item : value.items) {
        TB_ASSIGN_OR_RETURN(Value v, ToFeelValue(item));
        items.push_back(std::move(v));
      }
      return Value::List(std::move(items));
    }
    case TckValue::Kind::kComponents: {
      std::vector<feel::ContextEntry> entries;
      for (size_t i = 0; i < value.components.size(); ++i) {
        TB_ASSIGN_OR_RETURN(Value v, ToFeelValue(value.components[i]));
        entries.push_back({value.component_names[i], std::move(v)});
      }
      return Value::Context(std::move(entries));
    }
  }
  return Value::Null();
}

bool TckMatches(const Value& actual, const Value& expected, std::string* why) {
  return Matches(actual, expected, why, 0);
}

}  // namespace tongban::dmn
