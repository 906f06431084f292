// FEEL types: what `instance of` tests and what DMN item definitions declare. `Any` is the top
// type; `Null` conforms to every type; `list<T>`, `context<a: T, ...>`, `range<T>` and
// `function<T, ...>->T` are structural.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "feel/value.h"

namespace tongban::feel {

class Type {
 public:
  enum class Tag : uint8_t {
    kAny,
    kNull,
    kNumber,
    kString,
    kBoolean,
    kDate,
    kTime,
    kDateTime,
    kDaysTimeDuration,
    kYearsMonthsDuration,
    kList,
    kContext,
    kRange,
    kFunction,
  };
  struct Field;

  Type() = default;  // Any
  static Type Any() { return Type(Tag::kAny); }
  static Type Null() { return Type(Tag::kNull); }
  static Type Number() { return Type(Tag::kNumber); }
  static Type String() { return Type(Tag::kString); }
  static Type Boolean() { return Type(Tag::kBoolean); }
  static Type Date() { return Type(Tag::kDate); }
  static Type Time() { return Type(Tag::kTime); }
  static Type DateTime() { return Type(Tag::kDateTime); }
  static Type DaysTimeDuration() { return Type(Tag::kDaysTimeDuration); }
  static Type YearsMonthsDuration() { return Type(Tag::kYearsMonthsDuration); }
  static Type List(Type element);
  static Type Context(std::vector<Field> fields);
  static Type Range(Type element);
  static Type Function(std::vector<Type> parameters, Type result);
  // The type of a value (`list<Any>` for lists: element types are not inferred).
  static Type Of(const Value& v);

  // "number", "list<number>", "context<name: string, age: number>", "range<date>",
  // "function<number, number>->boolean", "date and time", also the DMN spellings
  // "dateTime", "dayTimeDuration", "yearMonthDuration" and an optional "feel:" prefix.
  // `named` resolves other names (DMN item definitions such as `tPerson`, also inside
  // `list<tPerson>`); nullopt or an empty function leaves them unknown.
  static Result<Type> Parse(
      std::string_view text,
      const std::function<std::optional<Type>(std::string_view)>& named = nullptr);

  Tag tag() const { return tag_; }
  // list<T> and range<T>: T. Precondition: tag is kList or kRange.
  const Type& element() const;
  // context<...>: its fields. Precondition: tag is kContext.
  const std::vector<Field>& fields() const;
  // function<...>->R: parameters and R. Precondition: tag is kFunction.
  const std::vector<Type>& parameters() const;
  const Type& result() const;

  // FEEL `v instance of T` (null is an instance of Null only, and of Any).
  bool IsInstance(const Value& v) const;
  // Whether every value of `other` conforms to this type (DMN type conformance).
  bool Accepts(const Type& other) const;

  std::string ToString() const;
  bool operator==(const Type& other) const;

 private:
  explicit Type(Tag tag) : tag_(tag) {}
  struct Detail;
  Tag tag_ = Tag::kAny;
  std::shared_ptr<const Detail> detail_;
};

struct Type::Field {
  std::string name;
  Type type;
};

}  // namespace tongban::feel
