// tongban bpmn check FILE.bpmn | bpmn run FILE.bpmn [--vars JSON] [--outputs JSON]
// and, on the configured database (the operator's commands at the server):
// bpmn deploy FILE | start PROCESS [--vars JSON] | tasks --group G|--assignee A |
// complete TASK [--vars JSON] --as ACCOUNT | incidents | retry INCIDENT [--vars JSON]
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>

#include "api/workflow_routes.h"
#include "app/app.h"
#include "bpmn/engine.h"
#include "bpmn/inspect.h"
#include "bpmn/reader.h"
#include "cli/command.h"
#include "feel/value.h"
#include "people/repository.h"
#include "people/timestamp.h"

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

// The operator acting at the server: deployments, starts and retries are recorded as "operator".
bpmn::Actor Operator() {
  return {.account_id = "operator", .roles = {}, .department = "", .region = ""};
}

// The runtime actor of a staff account named by username or id: its roles (grants valid now),
// department and region, as the API would see it after a login.
Result<bpmn::Actor> ActorFor(app::App& a, const std::string& who) {
  TB_ASSIGN_OR_RETURN(people::PeopleRepository repo,
                      people::PeopleRepository::Create(a.db().backend()));
  return a.db().Transaction<bpmn::Actor>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<bpmn::Actor> {
        auto stored = repo.FindAccountByUsername(sql, who);
        if (!stored) stored = repo.FindAccountById(sql, who);
        if (!stored) {
          return Error(ErrorCode::kNotFound, "--as: no account '" + who + "'");
        }
        people::Principal p;
        p.account = stored->account;
        p.grants = repo.ListHeldGrants(sql, stored->account.id);
        return api::ActorOf(p, a.people().Now());
      });
}

std::string TimeText(Timestamp t) {
  return people::FormatTimestamp(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

// Runs `body` on the configured database; sets the exit code (1 on an error).
void WithApp(const DatabaseFlags& flags, Context& ctx,
             const std::function<Status(app::App&)>& body) {
  auto config = BuildConfig(flags);
  if (!config.ok()) {
    ctx.exit_code = Fail(config.error());
    return;
  }
  auto a = app::App::Create(*config);
  if (!a.ok()) {
    ctx.exit_code = Fail(a.error());
    return;
  }
  Status s = body(**a);
  if (!s.ok()) ctx.exit_code = Fail(s.error());
}

void AddRuntimeCommands(CLI::App* bpmn, Context& ctx) {
  struct Flags {
    DatabaseFlags db;
    std::string file, process, vars = "{}", group, assignee, task, as, incident;
    std::string region, department, instance;
  };
  auto f = std::make_shared<Flags>();

  auto* deploy = bpmn->add_subcommand(
      "deploy",
      "deploy a process model to the database: every problem listed with its element id, and "
      "each candidate group must be a role or a department code; prints each process id and "
      "version (exit 0 deployed or unchanged, 2 refused)");
  AddDatabaseFlags(deploy, f->db);
  deploy->add_option("FILE", f->file, ".bpmn file")->required();
  deploy->callback([f, &ctx] {
    WithApp(f->db, ctx, [&](app::App& a) -> Status {
      std::ifstream in(f->file, std::ios::binary);
      if (!in) return Error(ErrorCode::kNotFound, "cannot read " + f->file);
      std::stringstream text;
      text << in.rdbuf();
      TB_ASSIGN_OR_RETURN(std::set<std::string> groups, a.KnownGroups());
      TB_ASSIGN_OR_RETURN(FieldErrors problems,
                          bpmn::DeploymentProblems(text.str(), [&](const std::string& g) {
                            return groups.contains(g);
                          }));
      if (!problems.empty()) return problems.ToError("the process model cannot be deployed");
      TB_ASSIGN_OR_RETURN(bpmn::Deployment d, a.workflow().Deploy(text.str(), Operator()));
      for (const bpmn::ProcessVersion& v : d.processes) {
        std::printf("%s %d%s\n", v.process_id.c_str(), v.version, d.reused ? " (unchanged)" : "");
      }
      return Ok();
    });
  });

  auto* start = bpmn->add_subcommand(
      "start", "start an instance of the latest version of PROCESS; prints its id and status");
  AddDatabaseFlags(start, f->db);
  start->add_option("PROCESS", f->process, "process id")->required();
  start->add_option("--vars", f->vars, "JSON object: the start variables");
  start->add_option("--region", f->region,
                    "region code the instance belongs to (default: its `region` variable)");
  start->add_option("--department", f->department,
                    "department code the instance belongs to (default: its `department` variable)");
  start->callback([f, &ctx] {
    WithApp(f->db, ctx, [&](app::App& a) -> Status {
      TB_ASSIGN_OR_RETURN(feel::Value vars, JsonObject(f->vars, "--vars"));
      TB_ASSIGN_OR_RETURN(std::string id, a.workflow().StartInstance(
                                              f->process, vars, Operator(),
                                              bpmn::StartOptions{.region = f->region,
                                                                 .department = f->department}));
      TB_ASSIGN_OR_RETURN(bpmn::InstanceInfo info, a.workflow().GetInstance(id));
      std::printf("%s %s\n", id.c_str(), std::string(bpmn::RunStatusName(info.status)).c_str());
      return Ok();
    });
  });

  auto* history = bpmn->add_subcommand(
      "history", "every step of INSTANCE: sequence, element, what happened, who, request id");
  AddDatabaseFlags(history, f->db);
  history->add_option("INSTANCE", f->instance, "instance id")->required();
  history->callback([f, &ctx] {
    WithApp(f->db, ctx, [&](app::App& a) -> Status {
      TB_ASSIGN_OR_RETURN(std::vector<bpmn::HistoryEvent> events,
                          a.workflow().History(f->instance));
      for (const bpmn::HistoryEvent& e : events) {
        std::printf("%lld\t%s\t%s\t%s\t%s\n", static_cast<long long>(e.seq), e.element_id.c_str(),
                    e.kind.c_str(), e.actor.empty() ? "-" : e.actor.c_str(),
                    e.request_id.empty() ? "-" : e.request_id.c_str());
      }
      return Ok();
    });
  });

  auto* tasks = bpmn->add_subcommand(
      "tasks",
      "list open tasks of a candidate group or an assignee, oldest first: id, element, state, "
      "assignee (first 500)");
  AddDatabaseFlags(tasks, f->db);
  auto* group = tasks->add_option("--group", f->group, "a role or a department code");
  tasks->add_option("--assignee", f->assignee, "an account id")->excludes(group);
  tasks->callback([f, &ctx] {
    WithApp(f->db, ctx, [&](app::App& a) -> Status {
      if (f->group.empty() == f->assignee.empty()) {
        return Error(ErrorCode::kInvalidArgument, "give exactly one of --group or --assignee");
      }
      TB_ASSIGN_OR_RETURN(bpmn::TaskPage page,
                          f->group.empty() ? a.workflow().ListAssigneeTasks(f->assignee, 500)
                                           : a.workflow().ListGroupTasks(f->group, 500));
      for (const bpmn::Task& t : page.tasks) {
        std::printf("%s\t%s\t%s\t%s\n", t.id.c_str(), t.element_id.c_str(),
                    std::string(bpmn::TaskStateName(t.state)).c_str(),
                    t.assignee.empty() ? "-" : t.assignee.c_str());
      }
      return Ok();
    });
  });

  auto* complete = bpmn->add_subcommand(
      "complete",
      "complete TASK as a staff account (its roles and department decide, and acceptance–approval "
      "separation applies); prints the instance's status");
  AddDatabaseFlags(complete, f->db);
  complete->add_option("TASK", f->task, "task id (<instance>/<activity>)")->required();
  complete->add_option("--vars", f->vars, "JSON object: the variables it completes with");
  complete->add_option("--as", f->as, "the account: username or id")->required();
  complete->callback([f, &ctx] {
    WithApp(f->db, ctx, [&](app::App& a) -> Status {
      TB_ASSIGN_OR_RETURN(feel::Value vars, JsonObject(f->vars, "--vars"));
      TB_ASSIGN_OR_RETURN(bpmn::Actor actor, ActorFor(a, f->as));
      TB_ASSIGN_OR_RETURN(bpmn::Task task, a.workflow().GetTask(f->task));
      TB_RETURN_IF_ERROR(a.workflow().CompleteTask(f->task, vars, actor));
      TB_ASSIGN_OR_RETURN(bpmn::InstanceInfo info, a.workflow().GetInstance(task.instance_id));
      std::printf("%s %s\n", info.id.c_str(),
                  std::string(bpmn::RunStatusName(info.status)).c_str());
      return Ok();
    });
  });

  auto* incidents = bpmn->add_subcommand(
      "incidents", "list open incidents: id, instance, element, created, message");
  AddDatabaseFlags(incidents, f->db);
  incidents->callback([f, &ctx] {
    WithApp(f->db, ctx, [&](app::App& a) -> Status {
      TB_ASSIGN_OR_RETURN(std::vector<bpmn::Incident> list, a.workflow().ListIncidents());
      for (const bpmn::Incident& i : list) {
        std::printf("%s\t%s\t%s\t%s\t%s\n", i.id.c_str(), i.instance_id.c_str(),
                    i.element_id.c_str(), TimeText(i.created).c_str(), i.message.c_str());
      }
      return Ok();
    });
  });

  auto* retry = bpmn->add_subcommand(
      "retry", "run an incident's failed step or job again, after merging --vars (the fix)");
  AddDatabaseFlags(retry, f->db);
  retry->add_option("INCIDENT", f->incident, "incident id")->required();
  retry->add_option("--vars", f->vars, "JSON object merged into the instance's variables");
  retry->callback([f, &ctx] {
    WithApp(f->db, ctx, [&](app::App& a) -> Status {
      TB_ASSIGN_OR_RETURN(feel::Value vars, JsonObject(f->vars, "--vars"));
      TB_RETURN_IF_ERROR(a.workflow().RetryIncident(f->incident, vars, Operator()));
      std::printf("retried %s\n", f->incident.c_str());
      return Ok();
    });
  });
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

  AddRuntimeCommands(bpmn, ctx);
}

}  // namespace tongban::cli
