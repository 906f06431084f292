// Each group of `tongban` subcommands lives in its own *_command.cc and registers itself here.
// A command's callback sets `exit_code`; errors go to stderr through Fail().
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "app/config.h"
#include "base/result.h"

namespace tongban::cli {

// Flags shared by the commands that open the database.
struct DatabaseFlags {
  std::string config_file;
  std::string db;
  std::string log_level;
};

struct Context {
  int exit_code = 0;
};

// Adds --config, --db and --log-level to `cmd`, bound to `flags`.
void AddDatabaseFlags(CLI::App* cmd, DatabaseFlags& flags);
// Defaults, then the config file, the environment and the flags; sets the log level.
Result<app::Config> BuildConfig(const DatabaseFlags& flags);
// Prints "tongban: <error>" to stderr and returns the exit code for it (2 bad input, 1 other).
int Fail(const Error& error);

void AddServeCommands(CLI::App& cli, Context& ctx);       // serve, migrate
void AddCheckCommands(CLI::App& cli, Context& ctx);       // check id-number|uscc|region|licence-id
void AddRegionsCommands(CLI::App& cli, Context& ctx);     // regions import|show
void AddCalendarCommands(CLI::App& cli, Context& ctx);    // calendar add-working-days|working-days
void AddAuditCommands(CLI::App& cli, Context& ctx);       // audit verify, backup
void AddPeopleCommands(CLI::App& cli, Context& ctx);      // people add-staff, hash-password
void AddCatalogCommands(CLI::App& cli, Context& ctx);     // catalog import|export
void AddFeelCommands(CLI::App& cli, Context& ctx);        // feel eval|check
void AddDmnCommands(CLI::App& cli, Context& ctx);         // dmn eval|check
void AddXregionCommands(CLI::App& cli, Context& ctx);     // xregion verify-log|load
void AddBpmnCommands(CLI::App& cli, Context& ctx);        // bpmn check|run|deploy|start|tasks|...
void AddCaseCommands(CLI::App& cli, Context& ctx);        // case show|verify|pay|deliver|credit …
void AddCaseSearchCommands(CLI::App& cli, Context& ctx);  // case search|generate (after case)
void AddLicenceCommands(CLI::App& cli, Context& ctx);     // licence issue|verify|pdf|keys …
void AddRegisterCommands(CLI::App& cli, Context& ctx);    // register import|show|find|generate
void AddPolicyCommands(CLI::App& cli, Context& ctx);      // policy publish|list|show|..., match
void AddRateCommands(CLI::App& cli, Context& ctx);  // rate list|statistics|invite-due|simulate …
void AddSuperviseCommands(CLI::App& cli, Context& ctx);  // supervise [rules|report|cards]
void AddDemandCommands(CLI::App& cli, Context& ctx);   // demand submit|list|show|dispatch|sweep…
void AddProjectCommands(CLI::App& cli, Context& ctx);  // project check-code|register|show|start…
void AddReportCommands(CLI::App& cli, Context& ctx);   // report show|verify|rebuild|assessment
void AddSourcesCommands(CLI::App& cli, Context& ctx);  // sources report

}  // namespace tongban::cli
