#include "cli/command.h"

#include <cstdio>

namespace tongban::cli {

void AddDatabaseFlags(CLI::App* cmd, DatabaseFlags& flags) {
  cmd->add_option("--config", flags.config_file, "YAML configuration file");
  cmd->add_option("--db", flags.db, "database URL: sqlite:PATH or postgresql://...");
  cmd->add_option("--log-level", flags.log_level, "debug, info, warn, error or off");
}

Result<app::Config> BuildConfig(const DatabaseFlags& flags) {
  app::Config config;
  if (!flags.config_file.empty()) {
    TB_RETURN_IF_ERROR(app::LoadConfigFile(flags.config_file, config));
  }
  TB_RETURN_IF_ERROR(app::ApplyEnvironment(config));
  if (!flags.db.empty()) config.db_url = flags.db;
  if (!flags.log_level.empty() && !ParseLogLevel(flags.log_level, &config.log_level)) {
    return Error(ErrorCode::kInvalidArgument,
                 "--log-level must be debug, info, warn, error or off");
  }
  SetLogLevel(config.log_level);
  return config;
}

int Fail(const Error& e) {
  std::fprintf(stderr, "tongban: %s\n", e.ToString().c_str());
  return e.code() == ErrorCode::kInvalidArgument ? 2 : 1;
}

}  // namespace tongban::cli
