// tongban bpmn check FILE.bpmn | bpmn run FILE.bpmn [--vars JSON] [--outputs JSON]
#include <cstdio>
#include <memory>
#include <string>

#include "bpmn/engine.h"
#include "bpmn/reader.h"
#include "cli/command.h"
#include "feel/value.h"

namespace tongban::cli {
namespace {

// Prints every problem; returns whether one is an error.
bool PrintProblems(const bpmn::Definitions& defs, std::FILE* out) {
  for (const bpmn::Problem& p : defs.problems) {
    std::fprintf(out, "%s\n", bpmn::FormatProblem(p).c_str());
  }
  return defs.HasErrors();
}

Result<feel::Value> JsonObject(const std::string& text, const char* flag) {
  auto value = feel::ParseJson(text);
  if (!value.ok() || !value->is(feel::Kind::kContext)) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string(flag) +
                     (value.ok() ? " must be a JSON object" : ": " + value.error().message()));
  }
  return *std::move(value);
}

}  // namespace

void AddBpmnCommands(CLI::App& cli, Context& ctx) {
  auto* bpmn = cli.add_subcommand("bpmn", "BPMN 2.0 processes (bpmn-js / Camunda 8 modeler XML)");
  bpmn->require_subcommand(1);

  auto check_file = std::make_shared<std::string>();
  auto* check = bpmn->add_subcommand(
      "check",
      "read and validate a process model; list every problem with its element id "
      "(exit 0 when it is supported and valid, 1 otherwise)");
  check->add_option("FILE", *check_file, ".bpmn file")->required();
  check->callback([check_file, &ctx] {
    auto defs = bpmn::LoadBpmnFile(*check_file);
    if (!defs.ok()) {
      Fail(defs.error());
      ctx.exit_code = 1;
      return;
    }
    if (PrintProblems(*defs, stdout)) ctx.exit_code = 1;
  });

  struct RunFlags {
    std::string file, vars = "{}", outputs = "{}", process;
  };
  auto run_flags = std::make_shared<RunFlags>();
  auto* run = bpmn->add_subcommand(
      "run",
      "run one instance in memory: user tasks complete at once with --outputs[task id], timers "
      "fire in due order; prints each completed flow node id, one per line, in completion "
      "order; exit 0 at an end, 2 when only message waits remain, 1 on an error or incident");
  run->add_option("FILE", run_flags->file, ".bpmn file")->required();
  run->add_option("--vars", run_flags->vars, "JSON object: the instance's start variables");
  run->add_option("--outputs", run_flags->outputs,
                  "JSON object keyed by user task id: the variables each completes with");
  run->add_option("--process", run_flags->process, "process id (default: the first)");
  run->callback([run_flags, &ctx] {
    auto go = [&]() -> Result<int> {
      TB_ASSIGN_OR_RETURN(bpmn::Definitions defs, bpmn::LoadBpmnFile(run_flags->file));
      if (PrintProblems(defs, stderr)) return 1;
      TB_ASSIGN_OR_RETURN(feel::Value vars, JsonObject(run_flags->vars, "--vars"));
      TB_ASSIGN_OR_RETURN(feel::Value outputs, JsonObject(run_flags->outputs, "--outputs"));
      const bpmn::Process* process = &defs.processes.front();
      if (!run_flags->process.empty()) {
        process = nullptr;
        for (const bpmn::Process& p : defs.processes) {
          if (p.id == run_flags->process) process = &p;
        }
        if (!process) {
          return Error(ErrorCode::kNotFound, "--process: no process '" + run_flags->process + "'");
        }
      }
      FakeClock clock(SystemClock::Instance().Now());
      TB_ASSIGN_OR_RETURN(bpmn::RunOutcome outcome,
                          bpmn::RunInMemory(defs, *process, vars, outputs, clock));
      for (const std::string& id : outcome.state.completed) std::printf("%s\n", id.c_str());
      switch (outcome.status) {
        case bpmn::InstanceStatus::kCompleted:
          return 0;
        case bpmn::InstanceStatus::kRunning:
          std::fprintf(stderr, "waiting for messages\n");
          return 2;
        case bpmn::InstanceStatus::kIncident:
          std::fprintf(stderr, "incident: %s: %s\n", outcome.state.incident_element.c_str(),
                       outcome.state.incident_message.c_str());
          return 1;
      }
      return 1;
    };
    Result<int> code = go();
    if (!code.ok()) {
      Fail(code.error());
      ctx.exit_code = 1;
      return;
    }
    ctx.exit_code = *code;
  });
}

}  // namespace tongban::cli
