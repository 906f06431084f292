// Column-wise evaluation of a FEEL boolean rule over a whole register (issue 4, item 2): the
// register is held as typed columns with null bitmaps, the rule is compiled once to a plan of
// vectorised kernels over blocks of rows, and Select returns the ids of the rows for which the
// interpreter would return true (null and false both exclude a row, as in a FEEL filter).
//
//   feel::RegisterBuilder b({{"age", feel::ColumnType::kNumber},
//                            {"region", feel::ColumnType::kString}});
//   b.AddRow(); b.SetNumber(0, 40); b.SetString(1, "431128001001");
//   feel::Register reg = std::move(b).Build();
//   TB_ASSIGN_OR_RETURN(feel::ColumnarRule rule, feel::CompileColumnar(
//       "age >= 16 and starts with(region, \"431128\")", reg));
//   std::vector<uint32_t> rows = rule.Select(2);   // on 2 threads
//
// A what-if, counted per county against the rule in force:
//
//   TB_ASSIGN_OR_RETURN(feel::ColumnarRule now, feel::CompileColumnar("income < 10000", reg));
//   TB_ASSIGN_OR_RETURN(feel::ColumnarRule raised, feel::CompileColumnar("income < 12000", reg));
//   TB_ASSIGN_OR_RETURN(feel::Grouping county, feel::Grouping::ByPrefix(reg, "region", 6));
//   TB_ASSIGN_OR_RETURN(feel::MatchCounts c,
//                       raised.Count({.baseline = &now, .grouping = &county, .threads = 2}));
//   // c.total.entering; c.groups[i].key, .matches, .baseline, .entering, .leaving
//
// What is vectorised and what falls back to the interpreter is in docs/ARCHITECTURE.md,
// "Column-wise evaluation".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "feel/feel.h"

namespace tongban::feel {

// How a column is held. Numbers are int64 values scaled by 10^ColumnSpec::scale (scale 0:
// integers; scale 2: income 12345.67 is held as 1234567), so no decimal is approximated by a
// binary double; stored in the narrowest of 1/2/4/8 bytes that holds the column's range.
// Strings are ids into the column's sorted dictionary, so an order or prefix test on the
// string is a range test on the ids. Booleans are 0/1. Dates are days since 1970-01-01.
enum class ColumnType { kNumber, kString, kBoolean, kDate };

// The largest scale of a number column: 10^18 still fits int64.
inline constexpr int kMaxScale = 18;

struct ColumnSpec {
  std::string name;  // the FEEL name rules use
  ColumnType type = ColumnType::kNumber;
  int scale = 0;  // kNumber: digits after the decimal point, 0..kMaxScale
};

// One column: `width` bytes per row of integer data (values, dictionary ids or 0/1) and, when
// some row is null, a validity bitmap (bit set: the row has a value).
struct Column {
  ColumnSpec spec;
  int width = 8;
  std::vector<std::byte> data;
  std::vector<uint64_t> valid;  // empty: no null in the column
  int64_t min = 0;              // of the non-null values (0 and 0 when there is none)
  int64_t max = 0;
  std::vector<std::string> dictionary;  // kString: sorted, distinct

  bool IsNull(size_t row) const {
    return !valid.empty() && ((valid[row >> 6] >> (row & 63)) & 1) == 0;
  }
  // The held integer (a scaled number, a dictionary id, 0/1, days); precondition: !IsNull(row).
  int64_t Get(size_t row) const;
};

// An immutable register held column-wise; built by RegisterBuilder.
class Register {
 public:
  size_t rows() const { return rows_; }
  const std::vector<Column>& columns() const { return columns_; }
  // The column named `name`, or -1.
  int Find(std::string_view name) const;
  // The FEEL value of one cell (null, a number, a string or a boolean), for the interpreter.
  Value Cell(size_t column, size_t row) const;

 private:
  friend class RegisterBuilder;
  size_t rows_ = 0;
  std::vector<Column> columns_;
};

// Builds a Register row by row: AddRow, then Set* the cells that are not null.
class RegisterBuilder {
 public:
  explicit RegisterBuilder(std::vector<ColumnSpec> schema);
  ~RegisterBuilder();
  RegisterBuilder(RegisterBuilder&&) noexcept;
  RegisterBuilder& operator=(RegisterBuilder&&) noexcept;

  void AddRow();
  // Preconditions: a row was added; `column` is of the matching type.
  // SetNumber takes the whole number `value` (held as value * 10^scale; precondition: that
  // fits int64); SetScaled the held integer itself (12345.67 at scale 2: 1234567).
  void SetNumber(size_t column, int64_t value);
  void SetScaled(size_t column, int64_t scaled);
  // False (and the cell stays null) when `value` has more fractional digits than the column's
  // scale or does not fit int64 once scaled: the caller reports the bad input.
  [[nodiscard]] bool SetDecimal(size_t column, const Decimal& value);
  void SetString(size_t column, std::string_view value);
  void SetBoolean(size_t column, bool value);
  void SetDate(size_t column, const Date& value);
  // Narrows the numbers and sorts the dictionaries.
  Register Build() &&;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

class ColumnarRule;

// The rows of a register grouped by the first `prefix` characters (code points) of a string
// column: region codes (GB/T 2260: 6 digits to the county, 12 to the village) grouped to the
// county are `ByPrefix(reg, "region", 6)`. A value shorter than the prefix is its own group.
// Built once per register and prefix (one pass: each row's group id, 4 bytes per row); the
// register must outlive it.
class Grouping {
 public:
  // Errors (kInvalidArgument, field "group_by"): an unknown column, a column that is not a
  // string, a prefix below 1.
  static Result<Grouping> ByPrefix(const Register& reg, std::string_view column, int prefix);

  // Groups, in key order, then the group of null cells (key nullopt).
  size_t size() const { return keys_.size(); }
  const std::optional<std::string>& key(size_t group) const { return keys_[group]; }
  const Register& reg() const { return *reg_; }
  int column() const { return column_; }
  // The group of each row.
  const std::vector<uint32_t>& row_groups() const { return row_groups_; }

 private:
  const Register* reg_ = nullptr;
  int column_ = -1;
  std::vector<uint32_t> row_groups_;
  std::vector<std::optional<std::string>> keys_;
};

// How many rows a rule selects, and, when asked, how many a baseline rule selects and how
// many enter and leave going from the baseline to the rule: the what-if of a policy officer
// ("if the income limit is raised to 12,000, who is added, per county?").
struct MatchCounts {
  struct Group {
    std::optional<std::string> key;  // nullopt: the rows whose grouping cell is null
    uint64_t matches = 0;            // the rule is true
    uint64_t baseline = 0;           // the baseline rule is true
    uint64_t entering = 0;           // true under the rule, not under the baseline
    uint64_t leaving = 0;            // true under the baseline, not under the rule
  };
  Group total;                // the whole register (key nullopt)
  std::vector<Group> groups;  // with a grouping: the groups with some count, as Grouping orders
};

struct CountOptions {
  const ColumnarRule* baseline = nullptr;  // also count it and the delta
  const Grouping* grouping = nullptr;      // also count per group
  int threads = 1;                         // >= 1
};

// A rule compiled against one Register (dictionary ids are that register's): the register
// must outlive it. Thread-safe to Select and Count concurrently.
class ColumnarRule {
 public:
  struct Plan;
  ColumnarRule(std::shared_ptr<const Plan> plan) : plan_(std::move(plan)) {}  // NOLINT

  // Ids of the rows where the rule is true, ascending (uint32: registers of up to 4,294,967,295
  // rows), computed on `threads` threads (>= 1) over contiguous row ranges.
  std::vector<uint32_t> Select(int threads = 1) const;
  // Counts the rows where the rule is true, and per options those of a baseline rule, the
  // delta and the counts per group, in one pass over the register on `threads` threads
  // without making the row ids (a what-if over 10 million persons answers in tens of ms).
  // Errors (kInvalidArgument): the baseline or the grouping is of another register.
  Result<MatchCounts> Count(const CountOptions& options) const;
  // Empty when the whole rule runs column-wise; else why it is evaluated per record through
  // Program::EvaluateFast (the first part that could not be vectorised).
  const std::string& fallback_reason() const;

 private:
  std::shared_ptr<const Plan> plan_;
};

// Compiles the FEEL boolean expression `rule` over the register's columns. Errors: those of
// feel::Compile (syntax, unknown names). Parts without a column-wise form are not errors: the
// rule then falls back to per-record evaluation (ColumnarRule::fallback_reason).
Result<ColumnarRule> CompileColumnar(std::string_view rule, const Register& reg);

}  // namespace tongban::feel
