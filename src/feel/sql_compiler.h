// FEEL compiled to SQL: a boolean rule over a register's flat columns becomes a WHERE clause
// with bound parameters, for SQLite and PostgreSQL, selecting exactly the rows for which the
// interpreter returns true (null and false both exclude a row, as in a FEEL filter).
//
//   std::vector<feel::SqlColumn> schema = {{.name = "age", .type = feel::SqlType::kNumber},
//                                          {.name = "region", .type = feel::SqlType::kString}};
//   TB_ASSIGN_OR_RETURN(feel::SqlWhere w, feel::CompileToSql(
//       "age >= 16 and starts with(region, \"431128\")", schema, feel::SqlDialect::kSqlite));
//   // w.sql: ("age" >= :p1 AND substr("region", 1, 6) = :p2), w.params: 16, "431128"
//
// The placeholders are SOCI's named ones (`:p1`, `:p2`, … in text order; SOCI turns them into
// `$n` for PostgreSQL); bind w.params positionally in that order. What is compiled, and where
// exactness ends (numbers on SQLite), is in docs/ARCHITECTURE.md, "FEEL to SQL".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban::feel {

enum class SqlDialect { kSqlite, kPostgresql };

// The FEEL type of a column and how it is stored:
//   kNumber  SQLite INTEGER or REAL (NUMERIC affinity); PostgreSQL NUMERIC or an integer type
//   kString  TEXT (compared by code point: SQLite BINARY, PostgreSQL COLLATE "C")
//   kBoolean SQLite INTEGER 0/1; PostgreSQL BOOLEAN
//   kDate    SQLite TEXT 'YYYY-MM-DD' (years 1..9999); PostgreSQL DATE
enum class SqlType { kNumber, kString, kBoolean, kDate };

struct SqlColumn {
  std::string name;  // the FEEL name the rule uses (may contain spaces)
  SqlType type = SqlType::kNumber;
  // False lets the compiler drop null handling; a null in such a column then gives undefined
  // results.
  bool nullable = true;
  std::string column;  // the SQL column name, [A-Za-z_][A-Za-z0-9_]*; empty: same as `name`
};

// A bound value. SQLite gets integers, reals and text as they are; PostgreSQL gets text only,
// cast in the SQL (`CAST(:p1 AS NUMERIC)`), so a decimal reaches NUMERIC without a double.
struct SqlParam {
  enum class Kind { kInteger, kReal, kText };
  Kind kind = Kind::kText;
  int64_t integer = 0;
  double real = 0;
  std::string text;

  bool operator==(const SqlParam&) const = default;
};

struct SqlWhere {
  std::string sql;  // a boolean SQL expression, to follow WHERE
  std::vector<SqlParam> params;
};

// Compiles the FEEL boolean expression `rule` over `schema`. Errors (kInvalidArgument): a
// syntax error (as feel::Compile reports it), an invalid schema (the field names the column),
// or parts that have no SQL form with FEEL's meaning: the message names the first, the fields
// list every one as "line:column" -> "`text`: why".
Result<SqlWhere> CompileToSql(std::string_view rule, std::span<const SqlColumn> schema,
                              SqlDialect dialect);

// Compiles decision-table unary tests (`< 10`, `[18..60]`, `"A", "B"`, `not(1, 2)`, `-`) applied
// to the column whose FEEL name is `input`: the rows where the cell matches. Errors as above;
// an unknown `input` is a field error "input".
Result<SqlWhere> CompileTestsToSql(std::string_view tests, std::string_view input,
                                   std::span<const SqlColumn> schema, SqlDialect dialect);

}  // namespace tongban::feel
