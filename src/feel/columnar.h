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
// What is vectorised and what falls back to the interpreter is in docs/ARCHITECTURE.md,
// "Column-wise evaluation".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "feel/feel.h"

namespace tongban::feel {

// How a column is held. Numbers are integers only (int64 values, stored in the narrowest of
// 1/2/4/8 bytes that holds the column's range): amounts are integers of their unit (yuan,
// fen), so no decimal is approximated. Strings are ids into the column's sorted dictionary,
// so an order or prefix test on the string is a range test on the ids. Booleans are 0/1.
enum class ColumnType { kNumber, kString, kBoolean };

struct ColumnSpec {
  std::string name;  // the FEEL name rules use
  ColumnType type = ColumnType::kNumber;
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
  int64_t Get(size_t row) const;  // precondition: !IsNull(row)
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
  void SetNumber(size_t column, int64_t value);
  void SetString(size_t column, std::string_view value);
  void SetBoolean(size_t column, bool value);
  // Narrows the numbers and sorts the dictionaries.
  Register Build() &&;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A rule compiled against one Register (dictionary ids are that register's): the register
// must outlive it. Thread-safe to Select concurrently.
class ColumnarRule {
 public:
  struct Plan;
  ColumnarRule(std::shared_ptr<const Plan> plan) : plan_(std::move(plan)) {}  // NOLINT

  // Ids of the rows where the rule is true, ascending (uint32: registers of up to 4,294,967,295
  // rows), computed on `threads` threads (>= 1) over contiguous row ranges.
  std::vector<uint32_t> Select(int threads = 1) const;
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
