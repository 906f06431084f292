// A register read from CSV text (`tongban feel match`, bench/columnar_bench.cc): a header line
// of column names, then one row per line; fields separated by commas, optionally in double
// quotes (`""` inside is one quote). An unquoted empty field is null; a quoted empty field is
// the empty string.
//
//   TB_ASSIGN_OR_RETURN(std::vector<feel::ColumnSpec> declared,
//                       feel::ParseColumnSpecs("region:string,income:number(2)"));
//   std::ifstream in("persons.csv");
//   TB_ASSIGN_OR_RETURN(feel::CsvRegister read, feel::ReadCsv(in, {.columns = declared}));
//   for (const feel::CsvProblem& p : read.problems) ...  // bad rows, skipped
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "feel/columnar.h"

namespace tongban::feel {

struct CsvOptions {
  // Declared column types (by name). A header column not declared takes its type from the
  // first `infer_rows` rows: all integers → number; all decimals → number at the largest scale
  // seen (at most kMaxScale); all true/false → boolean; all yyyy-mm-dd → date; else string.
  // Declare code columns (region codes, identity numbers) as strings: they look like numbers.
  std::vector<ColumnSpec> columns;
  size_t infer_rows = 1000;
};

// One bad data row, skipped: its 1-based line number in the file and what is wrong.
struct CsvProblem {
  size_t line = 0;
  std::string message;
};

struct CsvRegister {
  Register reg;
  std::vector<ColumnSpec> columns;   // the types used, in header order (as in reg)
  std::vector<CsvProblem> problems;  // the first 100 bad rows
  size_t bad_rows = 0;               // all of them
};

// Reads a whole CSV. Errors (kInvalidArgument, field "csv" or "columns"): no header line, an
// empty or repeated column name, a declared column the header does not have. Bad data rows
// (a wrong number of fields, a value not of its column's type, an unclosed quote) are not
// errors: they are skipped and listed in `problems`.
Result<CsvRegister> ReadCsv(std::istream& in, const CsvOptions& options);

// Parses `name:type,...` with types number, number(S) (S digits after the point, 0..18),
// string, boolean and date. Errors (kInvalidArgument, field "columns") name the bad item.
Result<std::vector<ColumnSpec>> ParseColumnSpecs(std::string_view text);

}  // namespace tongban::feel
