// tongban feel eval EXPR [--context JSON] | check EXPR [--context JSON] | match --csv FILE ...
// eval prints exactly one JSON value on stdout and warnings on stderr; it exits 0 whenever the
// expression was evaluated (a null result included) and 1 for a syntax error or a bad --context.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>

#include "base/calendar.h"
#include "cli/command.h"
#include "feel/columnar.h"
#include "feel/columnar_csv.h"
#include "feel/feel.h"
#include "feel/platform_functions.h"

namespace tongban::cli {
namespace {

struct FeelFlags {
  std::string expression;
  std::string context = "{}";
  bool unary_tests = false;
  std::string input = "null";
};

// The scope and bindings of a --context JSON object (numbers from their text), with the
// platform's calendar functions.
struct FeelEnv {
  std::unique_ptr<Calendar> calendar = Calendar::WithEmbeddedSchedules();
  feel::Scope scope;
  std::vector<std::pair<int, feel::Value>> values;
};

Result<std::unique_ptr<FeelEnv>> MakeEnv(const std::string& context_json) {
  auto env = std::make_unique<FeelEnv>();
  feel::AddCalendarFunctions(env->scope, *env->calendar);
  Result<feel::Value> context = feel::ParseJson(context_json);
  if (!context.ok()) {
    return Error(ErrorCode::kInvalidArgument, "--context: " + context.error().message());
  }
  if (!context->is(feel::Kind::kContext)) {
    return Error(ErrorCode::kInvalidArgument, "--context: must be a JSON object");
  }
  for (const feel::ContextEntry& e : context->context()) {
    env->values.emplace_back(env->scope.Declare(e.name), e.value);
  }
  return env;
}

void PrintDiagnostics(const std::vector<feel::Diagnostic>& diagnostics) {
  for (const feel::Diagnostic& d : diagnostics) {
    std::fprintf(stderr, "%d:%d: %s\n", d.line, d.column, d.message.c_str());
  }
}

int RunEval(const FeelFlags& flags) {
  Result<std::unique_ptr<FeelEnv>> env = MakeEnv(flags.context);
  if (!env.ok()) {
    std::fprintf(stderr, "tongban: %s\n", env.error().message().c_str());
    return 1;
  }
  const feel::Mode mode = flags.unary_tests ? feel::Mode::kUnaryTests : feel::Mode::kExpression;
  Result<feel::Program> program = feel::Compile(flags.expression, (*env)->scope, mode);
  if (!program.ok()) {
    PrintDiagnostics(feel::DiagnosticsOf(program.error()));
    return 1;
  }
  feel::Bindings bindings((*env)->scope);
  for (const auto& [slot, value] : (*env)->values) bindings.Set(slot, value);
  feel::Evaluation e;
  if (flags.unary_tests) {
    Result<feel::Value> input = feel::ParseJson(flags.input);
    if (!input.ok()) {
      std::fprintf(stderr, "tongban: --input: %s\n", input.error().message().c_str());
      return 1;
    }
    e = program->Test(*input, bindings);
  } else {
    e = program->Evaluate(bindings);
  }
  for (const std::string& w : e.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  std::printf("%s\n", feel::ToJson(e.value).c_str());
  return 0;
}

int RunCheck(const FeelFlags& flags) {
  Result<std::unique_ptr<FeelEnv>> env = MakeEnv(flags.context);
  if (!env.ok()) {
    std::fprintf(stderr, "tongban: %s\n", env.error().message().c_str());
    return 1;
  }
  const feel::Mode mode = flags.unary_tests ? feel::Mode::kUnaryTests : feel::Mode::kExpression;
  std::vector<feel::Diagnostic> d = feel::Check(flags.expression, (*env)->scope, mode);
  for (const feel::Diagnostic& x : d)
    std::printf("%d:%d: %s\n", x.line, x.column, x.message.c_str());
  if (d.empty()) std::printf("ok\n");
  return d.empty() ? 0 : 1;
}

}  // namespace

void AddFeelMatchCommand(CLI::App* feel, Context& ctx);  // below

void AddFeelCommands(CLI::App& cli, Context& ctx) {
  auto* feel = cli.add_subcommand("feel", "evaluate and check FEEL expressions (DMN 1.5)");
  feel->require_subcommand(1);

  auto eval_flags = std::make_shared<FeelFlags>();
  auto* eval = feel->add_subcommand(
      "eval", "evaluate EXPR and print its value as one JSON value (warnings on stderr)");
  eval->add_option("EXPR", eval_flags->expression, "the FEEL expression")->required();
  eval->add_option("--context", eval_flags->context,
                   "JSON object whose entries are the names in scope");
  eval->add_flag("--unary-tests", eval_flags->unary_tests,
                 "EXPR is a decision-table cell (unary tests), tested against --input");
  eval->add_option("--input", eval_flags->input, "JSON value tested by --unary-tests");
  eval->callback([eval_flags, &ctx] { ctx.exit_code = RunEval(*eval_flags); });

  auto check_flags = std::make_shared<FeelFlags>();
  auto* check = feel->add_subcommand(
      "check", "list the problems of EXPR as LINE:COLUMN: message (exit 1 if any)");
  check->add_option("EXPR", check_flags->expression, "the FEEL expression")->required();
  check->add_option("--context", check_flags->context,
                    "JSON object whose entries are the names in scope");
  check->add_flag("--unary-tests", check_flags->unary_tests, "EXPR is a decision-table cell");
  check->callback([check_flags, &ctx] { ctx.exit_code = RunCheck(*check_flags); });
  AddFeelMatchCommand(feel, ctx);
}

// tongban feel match --csv FILE --rule FEEL [--columns name:type,...] [--group-by COLUMN:N]
//   [--baseline FEEL] [--threads N]
// Loads the CSV into columns, counts the rows where the rule is true (per group of the first N
// characters of COLUMN, and entering/leaving against the baseline rule) and prints the counts
// and timings. Bad rows are listed on stderr with their line numbers and left out of the
// counts, which are still printed; the exit code is then 2 (bad input), as for a bad option.
namespace {

struct MatchFlags {
  std::string csv;
  std::string rule;
  std::string baseline;
  std::string columns;
  std::string group_by;
  int threads = 2;
};

double MsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int RunMatch(const MatchFlags& flags) {
  using Clock = std::chrono::steady_clock;
  Result<std::vector<feel::ColumnSpec>> declared = feel::ParseColumnSpecs(flags.columns);
  if (!declared.ok()) return Fail(declared.error());
  std::string group_column;
  int prefix = 0;
  if (!flags.group_by.empty()) {
    const size_t colon = flags.group_by.rfind(':');
    const std::string digits = colon == std::string::npos ? "" : flags.group_by.substr(colon + 1);
    if (colon == std::string::npos || colon == 0 || digits.empty() || digits.size() > 4 ||
        digits.find_first_not_of("0123456789") != std::string::npos || std::stoi(digits) < 1) {
      return Fail(Error(ErrorCode::kInvalidArgument, "--group-by",
                        {{"group_by", "expected COLUMN:N with N >= 1, e.g. region:6"}}));
    }
    group_column = flags.group_by.substr(0, colon);
    prefix = std::stoi(digits);
    // The grouped column holds codes: a string unless declared otherwise.
    bool listed = false;
    for (const feel::ColumnSpec& c : *declared) listed |= c.name == group_column;
    if (!listed) declared->push_back({.name = group_column, .type = feel::ColumnType::kString});
  }
  std::ifstream in(flags.csv, std::ios::binary);
  if (!in) {
    return Fail(Error(ErrorCode::kInvalidArgument, "--csv: cannot open " + flags.csv,
                      {{"csv", "cannot open " + flags.csv}}));
  }
  auto t0 = Clock::now();
  Result<feel::CsvRegister> read = feel::ReadCsv(in, {.columns = *declared});
  if (!read.ok()) return Fail(read.error());
  const double load_ms = MsSince(t0);
  for (const feel::CsvProblem& p : read->problems) {
    std::fprintf(stderr, "%s:%zu: %s\n", flags.csv.c_str(), p.line, p.message.c_str());
  }
  if (read->bad_rows > read->problems.size()) {
    std::fprintf(stderr, "%s: and %zu more bad rows\n", flags.csv.c_str(),
                 read->bad_rows - read->problems.size());
  }
  const feel::Register& reg = read->reg;

  t0 = Clock::now();
  auto compile = [&](const std::string& text,
                     const char* flag) -> std::optional<feel::ColumnarRule> {
    Result<feel::ColumnarRule> r = feel::CompileColumnar(text, reg);
    if (!r.ok()) {
      std::fprintf(stderr, "tongban: %s:\n", flag);
      PrintDiagnostics(feel::DiagnosticsOf(r.error()));
      return std::nullopt;
    }
    return std::move(*r);
  };
  std::optional<feel::ColumnarRule> rule = compile(flags.rule, "--rule");
  if (!rule) return 1;
  std::optional<feel::ColumnarRule> baseline;
  if (!flags.baseline.empty()) {
    baseline = compile(flags.baseline, "--baseline");
    if (!baseline) return 1;
  }
  const double compile_ms = MsSince(t0);
  std::optional<feel::Grouping> grouping;
  double group_ms = 0;
  if (prefix > 0) {
    t0 = Clock::now();
    Result<feel::Grouping> g = feel::Grouping::ByPrefix(reg, group_column, prefix);
    if (!g.ok()) return Fail(g.error());
    grouping = std::move(*g);
    group_ms = MsSince(t0);
  }
  t0 = Clock::now();
  Result<feel::MatchCounts> counts = rule->Count({.baseline = baseline ? &*baseline : nullptr,
                                                  .grouping = grouping ? &*grouping : nullptr,
                                                  .threads = std::max(1, flags.threads)});
  if (!counts.ok()) return Fail(counts.error());
  const double count_ms = MsSince(t0);

  auto how = [](const feel::ColumnarRule& r) {
    return r.fallback_reason().empty() ? std::string("column-wise")
                                       : "per record: " + r.fallback_reason();
  };
  std::printf("rows: %zu", reg.rows());
  if (read->bad_rows > 0) std::printf(" (%zu bad rows left out)", read->bad_rows);
  std::printf("\nrule: %s\n", how(*rule).c_str());
  if (baseline) std::printf("baseline rule: %s\n", how(*baseline).c_str());
  const feel::MatchCounts::Group& total = counts->total;
  std::printf("matches: %llu\n", static_cast<unsigned long long>(total.matches));  // NOLINT
  if (baseline) {
    std::printf("baseline: %llu\nentering: %llu\nleaving: %llu\n",
                static_cast<unsigned long long>(total.baseline),  // NOLINT
                static_cast<unsigned long long>(total.entering),  // NOLINT
                static_cast<unsigned long long>(total.leaving));  // NOLINT
  }
  if (grouping) {
    std::printf("%s[:%d]\tmatches%s\n", group_column.c_str(), prefix,
                baseline ? "\tbaseline\tentering\tleaving" : "");
    for (const feel::MatchCounts::Group& g : counts->groups) {
      std::printf("%s\t%llu", g.key ? g.key->c_str() : "null",
                  static_cast<unsigned long long>(g.matches));  // NOLINT
      if (baseline) {
        std::printf("\t%llu\t%llu\t%llu",
                    static_cast<unsigned long long>(g.baseline),  // NOLINT
                    static_cast<unsigned long long>(g.entering),  // NOLINT
                    static_cast<unsigned long long>(g.leaving));  // NOLINT
      }
      std::printf("\n");
    }
  }
  std::printf("time: load %.1f ms, compile %.3f ms, grouping %.1f ms, count %.3f ms (%d threads)\n",
              load_ms, compile_ms, group_ms, count_ms, std::max(1, flags.threads));
  return read->bad_rows > 0 ? 2 : 0;
}

}  // namespace

void AddFeelMatchCommand(CLI::App* feel, Context& ctx) {
  auto flags = std::make_shared<MatchFlags>();
  auto* match = feel->add_subcommand(
      "match",
      "count the rows of a CSV register where a FEEL rule is true, per region and against a "
      "baseline rule (what-if)");
  match->add_option("--csv", flags->csv, "the register: a CSV file with a header line")->required();
  match->add_option("--rule", flags->rule, "the FEEL boolean rule over the columns")->required();
  match->add_option("--columns", flags->columns,
                    "column types name:type,... (number, number(S), string, boolean, date); "
                    "others are inferred from the first 1,000 rows");
  match->add_option("--group-by", flags->group_by,
                    "COLUMN:N: count per the first N characters of COLUMN (region:6 = county)");
  match->add_option("--baseline", flags->baseline,
                    "a FEEL rule to compare with: its count, and how many enter and leave");
  match->add_option("--threads", flags->threads, "threads to count on (default 2)");
  match->callback([flags, &ctx] { ctx.exit_code = RunMatch(*flags); });
}

}  // namespace tongban::cli
