// The tongban command: a thin composition root over the same core the server uses.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <thread>

#include "app/app.h"
#include "app/config.h"

namespace tongban {
namespace {

// Flags shared by the subcommands that open the database.
struct Common {
  std::string config_file;
  std::string db;
  std::string log_level;
};

void AddCommon(CLI::App* cmd, Common& common) {
  cmd->add_option("--config", common.config_file, "YAML configuration file");
  cmd->add_option("--db", common.db, "database URL: sqlite:PATH or postgresql://...");
  cmd->add_option("--log-level", common.log_level, "debug, info, warn, error or off");
}

Result<app::Config> BuildConfig(const Common& common, const std::string& listen) {
  app::Config config;
  if (!common.config_file.empty())
    TB_RETURN_IF_ERROR(app::LoadConfigFile(common.config_file, config));
  TB_RETURN_IF_ERROR(app::ApplyEnvironment(config));
  if (!common.db.empty()) config.db_url = common.db;
  if (!listen.empty()) TB_RETURN_IF_ERROR(app::ParseListen(listen, config.server));
  if (!common.log_level.empty() && !ParseLogLevel(common.log_level, &config.log_level)) {
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

int Serve(const app::Config& config) {
  // Block the stop signals in every thread; one thread waits for them and stops the server,
  // which lets requests in flight finish (graceful shutdown).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto created = app::App::Create(config);
  if (!created.ok()) return Fail(created.error());
  app::App& a = **created;
  auto port = a.server().Bind();
  if (!port.ok()) return Fail(port.error());
  spdlog::info("tongban serving on http{}://{}:{} (database {})",
               config.server.tls_cert_file.empty() ? "" : "s", config.server.host, *port,
               a.db().url().display);
  std::thread waiter([&a, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    spdlog::info("signal {}: stopping", sig);
    a.server().Stop();
  });
  a.server().Serve();
  // Serve() also returns if the listener fails; release the waiter either way.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace tongban

int main(int argc, char** argv) {
  using namespace tongban;
  CLI::App cli{"tongban — integrated government-services platform (通办)"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", TONGBAN_VERSION);

  Common common;
  std::string listen;
  auto* serve = cli.add_subcommand("serve", "serve the HTTP API and web pages");
  AddCommon(serve, common);
  serve->add_option("--listen", listen, "HOST:PORT (default 127.0.0.1:8080)");

  auto* migrate = cli.add_subcommand("migrate", "apply pending database migrations and exit");
  AddCommon(migrate, common);

  CLI11_PARSE(cli, argc, argv);

  auto config = BuildConfig(common, listen);
  if (!config.ok()) return Fail(config.error());

  if (serve->parsed()) return Serve(*config);
  if (migrate->parsed()) {
    auto a = app::App::Create(*config);
    if (!a.ok()) return Fail(a.error());
    std::printf("database %s is up to date\n", (*a)->db().url().display.c_str());
    return 0;
  }
  return 0;
}
