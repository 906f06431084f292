// tongban feel eval EXPR [--context JSON] | check EXPR [--context JSON]
// eval prints exactly one JSON value on stdout and warnings on stderr; it exits 0 whenever the
// expression was evaluated (a null result included) and 1 for a syntax error or a bad --context.
#include <cstdio>
#include <memory>

#include "base/calendar.h"
#include "cli/command.h"
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
}

}  // namespace tongban::cli
