// FEEL types (DMN 1.5 §10.3.2.9): parsing of type names and conformance of values.
#include "feel/type.h"

#include <cctype>

namespace tongban::feel {

struct Type::Detail {
  Type element;               // list, range
  std::vector<Field> fields;  // context
  std::vector<Type> params;   // function
  Type result;                // function
};

Type Type::List(Type element) {
  Type t(Tag::kList);
  auto d = std::make_shared<Detail>();
  d->element = std::move(element);
  t.detail_ = std::move(d);
  return t;
}

Type Type::Context(std::vector<Field> fields) {
  Type t(Tag::kContext);
  auto d = std::make_shared<Detail>();
  d->fields = std::move(fields);
  t.detail_ = std::move(d);
  return t;
}

Type Type::Range(Type element) {
  Type t(Tag::kRange);
  auto d = std::make_shared<Detail>();
  d->element = std::move(element);
  t.detail_ = std::move(d);
  return t;
}

Type Type::Function(std::vector<Type> parameters, Type result) {
  Type t(Tag::kFunction);
  auto d = std::make_shared<Detail>();
  d->params = std::move(parameters);
  d->result = std::move(result);
  t.detail_ = std::move(d);
  return t;
}

namespace {
const Type& AnyType() {
  static const Type kAny;
  return kAny;
}
const std::vector<Type::Field>& NoFields() {
  static const std::vector<Type::Field> kNone;
  return kNone;
}
const std::vector<Type>& NoTypes() {
  static const std::vector<Type> kNone;
  return kNone;
}
}  // namespace

const Type& Type::element() const { return detail_ ? detail_->element : AnyType(); }
const std::vector<Type::Field>& Type::fields() const {
  return detail_ ? detail_->fields : NoFields();
}
const std::vector<Type>& Type::parameters() const { return detail_ ? detail_->params : NoTypes(); }
const Type& Type::result() const { return detail_ ? detail_->result : AnyType(); }

Type Type::Of(const Value& v) {
  switch (v.kind()) {
    case Kind::kNull:
      return Null();
    case Kind::kBoolean:
      return Boolean();
    case Kind::kNumber:
      return Number();
    case Kind::kString:
      return String();
    case Kind::kDate:
      return Date();
    case Kind::kTime:
      return Time();
    case Kind::kDateTime:
      return DateTime();
    case Kind::kDaysTimeDuration:
      return DaysTimeDuration();
    case Kind::kYearsMonthsDuration:
      return YearsMonthsDuration();
    case Kind::kList:
      return List(Any());
    case Kind::kContext: {
      std::vector<Field> fields;
      for (const ContextEntry& e : v.context()) fields.push_back({e.name, Of(e.value)});
      return Context(std::move(fields));
    }
    case Kind::kRange: {
      const Value& end = v.range().low.is_null() ? v.range().high : v.range().low;
      return Range(Of(end));
    }
    case Kind::kFunction:
      return Function({}, Any());
  }
  return Any();
}

namespace {

class TypeParser {
 public:
  TypeParser(std::string_view s, const std::function<std::optional<Type>(std::string_view)>& named)
      : s_(s), named_(named) {}

  std::optional<Type> ParseAll() {
    std::optional<Type> t = ParseType(0);
    Skip();
    if (!t || pos_ != s_.size()) return std::nullopt;
    return t;
  }

 private:
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(std::string_view tok) {
    Skip();
    if (s_.substr(pos_, tok.size()) == tok) {
      pos_ += tok.size();
      return true;
    }
    return false;
  }
  // A name: words and dots, with single spaces between words.
  std::string Name() {
    Skip();
    std::string out;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' ||
          static_cast<unsigned char>(c) >= 0x80) {
        if (c == ':' && (out != "feel")) break;
        out += c;
        ++pos_;
      } else if (c == ' ') {
        size_t q = pos_;
        while (q < s_.size() && s_[q] == ' ') ++q;
        if (q < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[q])) ||
                              static_cast<unsigned char>(s_[q]) >= 0x80)) {
          // Only keep spaces inside the multi-word type names.
          const std::string next = out + " ";
          if (std::string_view("date and time").starts_with(next) ||
              std::string_view("days and time duration").starts_with(next) ||
              std::string_view("years and months duration").starts_with(next) ||
              next == "date and " || next == "days and " || next == "days and time " ||
              next == "years and " || next == "years and months ") {
            out += ' ';
            pos_ = q;
            continue;
          }
        }
        break;
      } else {
        break;
      }
    }
    return out;
  }

  std::optional<Type> ParseType(int depth) {
    if (depth > 32) return std::nullopt;
    std::string name = Name();
    if (name.starts_with("feel:")) name = name.substr(5);
    if (name == "Any") return Type::Any();
    if (name == "Null") return Type::Null();
    if (name == "number") return Type::Number();
    if (name == "string") return Type::String();
    if (name == "boolean") return Type::Boolean();
    if (name == "date") return Type::Date();
    if (name == "time") return Type::Time();
    if (name == "date and time" || name == "dateTime") return Type::DateTime();
    if (name == "days and time duration" || name == "dayTimeDuration") {
      return Type::DaysTimeDuration();
    }
    if (name == "years and months duration" || name == "yearMonthDuration") {
      return Type::YearsMonthsDuration();
    }
    if (name == "list" || name == "range") {
      if (!Eat("<")) return std::nullopt;
      std::optional<Type> e = ParseType(depth + 1);
      if (!e || !Eat(">")) return std::nullopt;
      return name == "list" ? Type::List(*e) : Type::Range(*e);
    }
    if (name == "context") {
      if (!Eat("<")) return std::nullopt;
      std::vector<Type::Field> fields;
      if (!Eat(">")) {
        do {
          std::string field = Name();
          if (field.empty() || !Eat(":")) return std::nullopt;
          std::optional<Type> t = ParseType(depth + 1);
          if (!t) return std::nullopt;
          fields.push_back({field, *t});
        } while (Eat(","));
        if (!Eat(">")) return std::nullopt;
      }
      return Type::Context(std::move(fields));
    }
    if (name == "function") {
      if (!Eat("<")) return std::nullopt;
      std::vector<Type> params;
      if (!Eat(">")) {
        do {
          std::optional<Type> t = ParseType(depth + 1);
          if (!t) return std::nullopt;
          params.push_back(*t);
        } while (Eat(","));
        if (!Eat(">")) return std::nullopt;
      }
      if (!Eat("->")) return std::nullopt;
      std::optional<Type> r = ParseType(depth + 1);
      if (!r) return std::nullopt;
      return Type::Function(std::move(params), *r);
    }
    if (named_ && !name.empty()) return named_(name);
    return std::nullopt;
  }

  std::string_view s_;
  const std::function<std::optional<Type>(std::string_view)>& named_;
  size_t pos_ = 0;
};

}  // namespace

Result<Type> Type::Parse(std::string_view text,
                         const std::function<std::optional<Type>(std::string_view)>& named) {
  std::optional<Type> t = TypeParser(text, named).ParseAll();
  if (!t) return Error(ErrorCode::kInvalidArgument, "unknown type '" + std::string(text) + "'");
  return *t;
}

bool Type::IsInstance(const Value& v) const {
  switch (tag_) {
    case Tag::kAny:
      return !v.is_null();
    case Tag::kNull:
      return v.is_null();
    case Tag::kNumber:
      return v.is(Kind::kNumber);
    case Tag::kString:
      return v.is(Kind::kString);
    case Tag::kBoolean:
      return v.is(Kind::kBoolean);
    case Tag::kDate:
      return v.is(Kind::kDate);
    case Tag::kTime:
      return v.is(Kind::kTime);
    case Tag::kDateTime:
      return v.is(Kind::kDateTime);
    case Tag::kDaysTimeDuration:
      return v.is(Kind::kDaysTimeDuration);
    case Tag::kYearsMonthsDuration:
      return v.is(Kind::kYearsMonthsDuration);
    case Tag::kList:
      if (!v.is(Kind::kList)) return false;
      for (const Value& item : v.list()) {
        if (!item.is_null() && !element().IsInstance(item)) return false;
      }
      return true;
    case Tag::kContext:
      if (!v.is(Kind::kContext)) return false;
      for (const Field& f : fields()) {
        const Value* e = v.Find(f.name);
        if (e == nullptr) return false;
        if (!e->is_null() && !f.type.IsInstance(*e)) return false;
      }
      return true;
    case Tag::kRange: {
      if (!v.is(Kind::kRange)) return false;
      const feel::Range& r = v.range();
      return (r.low.is_null() || element().IsInstance(r.low)) &&
             (r.high.is_null() || element().IsInstance(r.high));
    }
    case Tag::kFunction: {
      if (!v.is(Kind::kFunction)) return false;
      return parameters().empty() || v.function().parameters().size() == parameters().size() ||
             v.function().variadic();
    }
  }
  return false;
}

bool Type::Accepts(const Type& other) const {
  if (tag_ == Tag::kAny) return true;
  if (other.tag_ == Tag::kNull) return true;
  if (tag_ != other.tag_) return false;
  switch (tag_) {
    case Tag::kList:
    case Tag::kRange:
      return element().Accepts(other.element());
    case Tag::kContext:
      for (const Field& f : fields()) {
        bool found = false;
        for (const Field& g : other.fields()) {
          if (g.name == f.name) {
            found = f.type.Accepts(g.type);
            break;
          }
        }
        if (!found) return false;
      }
      return true;
    case Tag::kFunction: {
      if (parameters().size() != other.parameters().size()) return false;
      for (size_t i = 0; i < parameters().size(); ++i) {
        if (!other.parameters()[i].Accepts(parameters()[i])) return false;
      }
      return result().Accepts(other.result());
    }
    default:
      return true;
  }
}

std::string Type::ToString() const {
  switch (tag_) {
    case Tag::kAny:
      return "Any";
    case Tag::kNull:
      return "Null";
    case Tag::kNumber:
      return "number";
    case Tag::kString:
      return "string";
    case Tag::kBoolean:
      return "boolean";
    case Tag::kDate:
      return "date";
    case Tag::kTime:
      return "time";
    case Tag::kDateTime:
      return "date and time";
    case Tag::kDaysTimeDuration:
      return "days and time duration";
    case Tag::kYearsMonthsDuration:
      return "years and months duration";
    case Tag::kList:
      return "list<" + element().ToString() + ">";
    case Tag::kRange:
      return "range<" + element().ToString() + ">";
    case Tag::kContext: {
      std::string out = "context<";
      for (size_t i = 0; i < fields().size(); ++i) {
        if (i > 0) out += ", ";
        out += fields()[i].name + ": " + fields()[i].type.ToString();
      }
      return out + ">";
    }
    case Tag::kFunction: {
      std::string out = "function<";
      for (size_t i = 0; i < parameters().size(); ++i) {
        if (i > 0) out += ", ";
        out += parameters()[i].ToString();
      }
      return out + ">->" + result().ToString();
    }
  }
  return "Any";
}

bool Type::operator==(const Type& other) const { return ToString() == other.ToString(); }

}  // namespace tongban::feel
