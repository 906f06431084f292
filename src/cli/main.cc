// The tongban command: a thin composition root over the same core the server uses.
#include <CLI/CLI.hpp>

#include "cli/command.h"

int main(int argc, char** argv) {
  CLI::App cli{"tongban — integrated government-services platform (通办)"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", TONGBAN_VERSION);
  tongban::cli::Context ctx;
  tongban::cli::AddServeCommands(cli, ctx);
  tongban::cli::AddCheckCommands(cli, ctx);
  tongban::cli::AddRegionsCommands(cli, ctx);
  tongban::cli::AddCalendarCommands(cli, ctx);
  tongban::cli::AddAuditCommands(cli, ctx);
  tongban::cli::AddPeopleCommands(cli, ctx);
  tongban::cli::AddCatalogCommands(cli, ctx);
  tongban::cli::AddFeelCommands(cli, ctx);
  tongban::cli::AddDmnCommands(cli, ctx);
  tongban::cli::AddBpmnCommands(cli, ctx);
  tongban::cli::AddCaseCommands(cli, ctx);
  tongban::cli::AddCaseSearchCommands(cli, ctx);
  tongban::cli::AddLicenceCommands(cli, ctx);
  tongban::cli::AddRegisterCommands(cli, ctx);
  tongban::cli::AddPolicyCommands(cli, ctx);
  tongban::cli::AddRateCommands(cli, ctx);
  tongban::cli::AddSuperviseCommands(cli, ctx);
  tongban::cli::AddDemandCommands(cli, ctx);
  tongban::cli::AddProjectCommands(cli, ctx);
  tongban::cli::AddReportCommands(cli, ctx);
  tongban::cli::AddSourcesCommands(cli, ctx);
  tongban::cli::AddXregionCommands(cli, ctx);
  CLI11_PARSE(cli, argc, argv);
  return ctx.exit_code;
}
