// tongban dmn eval FILE --decision NAME [--context JSON] | dmn check FILE
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "dmn/evaluator.h"
#include "dmn/xml_reader.h"
#include "dmn/yaml_table.h"
#include "feel/value.h"

namespace tongban::cli {
namespace {

// A .dmn file with its imports, or a YAML decision table (.yaml/.yml).
Result<std::shared_ptr<const dmn::DecisionModel>> LoadModel(const std::string& path) {
  dmn::ModelSet set;
  if (path.ends_with(".yaml") || path.ends_with(".yml")) {
    TB_ASSIGN_OR_RETURN(std::string text, dmn::ReadTextFile(path));
    TB_ASSIGN_OR_RETURN(dmn::Definitions defs, dmn::ParseDecisionTableYaml(text, path));
    set.models.push_back(std::make_shared<const dmn::Definitions>(std::move(defs)));
  } else {
    TB_ASSIGN_OR_RETURN(set, dmn::LoadDmnFile(path));
  }
  return dmn::DecisionModel::Build(std::move(set));
}

void PrintProblems(const dmn::DecisionModel& model) {
  for (const std::string& p : model.problems()) std::fprintf(stderr, "problem: %s\n", p.c_str());
}

}  // namespace

void AddDmnCommands(CLI::App& cli, Context& ctx) {
  auto* dmn = cli.add_subcommand("dmn", "DMN decision models (DMN 1.1–1.5 XML, YAML tables)");
  dmn->require_subcommand(1);

  struct EvalFlags {
    std::string file, decision, context = "{}";
    bool explain = false;
  };
  auto eval_flags = std::make_shared<EvalFlags>();
  auto* eval = dmn->add_subcommand(
      "eval",
      "evaluate one decision and print its value as one JSON value on stdout (warnings on "
      "stderr); exit 0 whenever the evaluation ran, a null result included");
  eval->add_option("FILE", eval_flags->file, ".dmn file (imports beside it) or YAML table")
      ->required();
  eval->add_option("--decision", eval_flags->decision, "decision name or id")->required();
  eval->add_option("--context", eval_flags->context,
                   "JSON object of input data values by name (numbers exact; dates, times and "
                   "durations as ISO 8601 strings)");
  eval->add_flag("--explain", eval_flags->explain,
                 "print each decision table's inputs and matched rules and each decision's value "
                 "on stderr");
  eval->callback([eval_flags, &ctx] {
    auto run = [&]() -> Status {
      TB_ASSIGN_OR_RETURN(auto model, LoadModel(eval_flags->file));
      PrintProblems(*model);
      auto context = feel::ParseJson(eval_flags->context);
      if (!context.ok() || !context->is(feel::Kind::kContext)) {
        return Error(ErrorCode::kInvalidArgument,
                     context.ok() ? std::string("--context must be a JSON object")
                                  : "--context: " + context.error().message());
      }
      std::vector<dmn::InputValue> inputs = model->InputsFromContext(*context);
      TB_ASSIGN_OR_RETURN(
          dmn::Outcome outcome,
          model->EvaluateDecision(eval_flags->decision, inputs, {.explain = eval_flags->explain}));
      for (const std::string& line : outcome.explanation) {
        std::fprintf(stderr, "explain: %s\n", line.c_str());
      }
      for (const std::string& w : outcome.warnings) {
        std::fprintf(stderr, "warning: %s\n", w.c_str());
      }
      std::printf("%s\n", feel::ToJson(outcome.value).c_str());
      return Ok();
    };
    Status s = run();
    if (!s.ok()) {
      Fail(s.error());
      ctx.exit_code = 1;
    }
  });

  auto check_file = std::make_shared<std::string>();
  auto* check = dmn->add_subcommand(
      "check", "read and compile a model; list every problem (exit 1 when there is one)");
  check->add_option("FILE", *check_file, ".dmn file or YAML table")->required();
  check->callback([check_file, &ctx] {
    auto model = LoadModel(*check_file);
    if (!model.ok()) {
      Fail(model.error());
      ctx.exit_code = 1;
      return;
    }
    PrintProblems(**model);
    if (!(*model)->problems().empty()) ctx.exit_code = 1;
  });
}

}  // namespace tongban::cli
