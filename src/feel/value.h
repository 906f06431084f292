// A FEEL value: null, boolean, number, string, the five temporal kinds, list, context, range or
// function. Cheap to copy: null, booleans and numbers live inline (small integers as int64, the
// rest as decimal128); everything else is an immutable payload shared by reference count.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/result.h"
#include "feel/decimal.h"
#include "feel/temporal.h"

namespace tongban::feel {

enum class Kind : uint8_t {
  kNull,
  kBoolean,
  kNumber,
  kString,
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

// The FEEL name of a kind: "number", "date and time", "days and time duration", ...
std::string_view KindName(Kind kind);

class Value;
struct Range;
class Function;
struct ContextEntry;

// What a function call may use besides its arguments: a sink for warnings (FEEL turns runtime
// errors into null plus a warning) and the recursion depth, so user functions calling
// themselves end with a warning instead of a stack overflow.
class CallContext {
 public:
  explicit CallContext(std::vector<std::string>* warnings) : warnings_(warnings) {}
  void Warn(std::string message) const {
    if (warnings_ != nullptr) warnings_->push_back(std::move(message));
  }
  std::vector<std::string>* warnings() const { return warnings_; }
  int depth = 0;
  // Opaque to builtins: the evaluator's state for the trace of calls into FEEL functions.
  void* evaluator = nullptr;

 private:
  std::vector<std::string>* warnings_;
};

class Value {
 public:
  Value() = default;  // null
  Value(const Value& other) { CopyFrom(other); }
  Value(Value&& other) noexcept { MoveFrom(other); }
  Value& operator=(const Value& other) {
    if (this != &other) {
      Release();
      CopyFrom(other);
    }
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      Release();
      MoveFrom(other);
    }
    return *this;
  }
  ~Value() { Release(); }

  static Value Null() { return {}; }
  static Value Boolean(bool b) {
    Value v;
    v.kind_ = Kind::kBoolean;
    v.i_ = b ? 1 : 0;
    return v;
  }
  static Value Number(int64_t n) {
    Value v;
    v.kind_ = Kind::kNumber;
    v.small_ = true;
    v.i_ = n;
    return v;
  }
  // Numbers that are integers within int64 are stored as int64 (the fast path).
  static Value Number(const Decimal& d);
  // `text` must be UTF-8.
  static Value String(std::string text);
  static Value FromDate(const Date& d);
  static Value FromTime(const Time& t);
  static Value FromDateTime(const DateTime& dt);
  static Value FromDuration(const DaysTimeDuration& d);
  static Value FromDuration(const YearsMonthsDuration& d);
  static Value List(std::vector<Value> items);
  // Entries keep their order; a later entry with the same name replaces the earlier one.
  static Value Context(std::vector<ContextEntry> entries);
  static Value FromRange(Range range);
  static Value FromFunction(std::shared_ptr<const feel::Function> f);
  // A function computed natively (a BKM, a decision service, a platform function).
  static Value Function(std::vector<std::string> parameters,
                        std::function<Value(std::span<const Value>)> body);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is(Kind k) const { return kind_ == k; }

  // Accessors: precondition is(kind).
  bool boolean() const { return i_ != 0; }
  bool is_small_int() const { return kind_ == Kind::kNumber && small_; }
  int64_t small_int() const { return i_; }  // precondition: is_small_int()
  Decimal number() const;                   // any number
  const std::string& string() const;
  const Date& date() const;
  const Time& time() const;
  const DateTime& date_time() const;
  const DaysTimeDuration& days_time_duration() const;
  const YearsMonthsDuration& years_months_duration() const;
  const std::vector<Value>& list() const;
  const std::vector<ContextEntry>& context() const;
  const Range& range() const;
  const feel::Function& function() const;
  std::shared_ptr<const feel::Function> function_ptr() const;

  // The entry `name` of a context, or nullptr.
  const Value* Find(std::string_view name) const;

  // FEEL `string(v)` for strings, numbers and temporals; a FEEL literal-like form for the rest
  // (lists `[1, 2]`, contexts `{a: 1}`, ranges `[1..2)`, `null`), used in messages and traces.
  std::string ToString() const;

  // Structural identity used by tests: FEEL equality where defined, and null == null.
  bool operator==(const Value& other) const;

  struct Payload {
    mutable std::atomic<int32_t> refs{1};
    Kind kind;
    explicit Payload(Kind k) : kind(k) {}
    virtual ~Payload() = default;
  };

 private:
  // Every kind keeps its inline state in the one 8-byte word (booleans as 0/1), so copies are
  // one load and one store of the same width; decimals that are not small integers are boxed.
  void CopyFrom(const Value& other) {
    kind_ = other.kind_;
    small_ = other.small_;
    i_ = other.i_;
    if (IsHeap()) p_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void MoveFrom(Value& other) {
    kind_ = other.kind_;
    small_ = other.small_;
    i_ = other.i_;
    other.kind_ = Kind::kNull;
  }
  void Release() {
    if (IsHeap()) [[unlikely]] {
      // The last reference frees the payload. clang-analyzer cannot follow the atomic count and
      // takes the release of one of two copies for a second delete.
      // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDelete)
      if (p_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete p_;
    }
  }
  bool IsHeap() const { return kind_ > Kind::kNumber || (kind_ == Kind::kNumber && !small_); }
  static Value Heap(Payload* p);
  template <typename T>
  static Value Boxed(Kind kind, T value);
  template <typename T>
  const T& As() const;

  union {
    int64_t i_ = 0;
    Payload* p_;
  };
  Kind kind_ = Kind::kNull;
  bool small_ = false;
};

struct ContextEntry {
  std::string name;
  Value value;
};

// A FEEL range. A null endpoint is unbounded (`> 5` is ]5..null]); `low_null`/`high_null` say
// null was written there (`(null..10]`), which DMN 1.5 makes unequal to `< 10`.
// `low_closed`/`high_closed` say whether the endpoints belong to it.
struct Range {
  Value low;
  Value high;
  bool low_closed = true;
  bool high_closed = true;
  bool low_null = false;
  bool high_null = false;
};

// A callable FEEL value: a built-in, a user-defined `function(a, b) ...`, or a native function.
class Function {
 public:
  virtual ~Function() = default;
  // Parameter names, for named invocation; with variadic(), the last one takes the rest.
  virtual const std::vector<std::string>& parameters() const = 0;
  // Least number of positional arguments; parameters after it may be omitted.
  virtual size_t required() const { return parameters().size(); }
  virtual bool variadic() const { return false; }
  // Errors are null plus a warning in `ctx`; never throws on bad arguments.
  virtual Value Call(std::span<const Value> args, CallContext& ctx) const = 0;
  // For messages: the function's name, or "function" when anonymous.
  virtual std::string_view name() const { return "function"; }
};

// FEEL `=`: nullopt when the spec says null (values of different kinds are not equal but
// comparing, e.g., a local time with a zoned one is null). Numbers by value (1 = 1.0), lists
// and contexts deeply, null = null is true.
std::optional<bool> Equal(const Value& a, const Value& b);
// FEEL `<`: -1, 0, 1, or nullopt when the two are not ordered (different kinds, booleans,
// lists, ...).
std::optional<int> Compare(const Value& a, const Value& b);

// Whether `v` is in `r` (FEEL `v in r`); nullopt when the endpoints cannot be compared to v.
std::optional<bool> InRange(const Value& v, const Range& r);

// JSON: numbers are taken from their text into decimals (never through a double); objects
// become contexts, arrays lists. Strings stay strings (the caller converts by type if needed).
// An error of kind kInvalidArgument names the position in the text.
Result<Value> ParseJson(std::string_view json_text);
// One JSON text: numbers as JSON numbers in plain notation, temporal values and durations as
// their ISO 8601 strings, ranges and functions as strings of their FEEL form.
std::string ToJson(const Value& v);

}  // namespace tongban::feel
