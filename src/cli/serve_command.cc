// tongban serve | migrate
#include <signal.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "app/app.h"
#include "cli/command.h"

namespace tongban::cli {
namespace {

int Serve(const app::Config& config) {
  // Block the stop signals in every thread; one thread waits for them and stops the server,
  // which lets requests in flight finish (graceful shutdown).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  // SIGUSR1 only releases the waiter when the server stops by itself (it stops nothing).
  sigaddset(&stop_signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto created = app::App::Create(config);
  if (!created.ok()) return Fail(created.error());
  app::App& a = **created;
  auto port = a.server().Bind();
  if (!port.ok()) return Fail(port.error());
  spdlog::info("tongban serving on http{}://{}:{} (database {})",
               config.server.tls_cert_file.empty() ? "" : "s", config.server.host, *port,
               a.db().url().display);
  std::atomic<bool> served{false};
  std::thread waiter([&a, &served, stop_signals] {
    int sig = 0;
    while (sigwait(&stop_signals, &sig) == 0) {
      if (sig != SIGUSR1) {
        spdlog::info("signal {}: stopping", sig);
        a.server().Stop();
        return;
      }
      if (served.load()) return;  // a stray SIGUSR1 from outside stops nothing
    }
  });
  a.StartBackgroundWork();
  a.server().Serve();
  // Serve() also returns if the listener fails; release the waiter either way (SIGUSR1: a
  // thread is never sent SIGTERM, which is meant to end processes).
  served.store(true);
  pthread_kill(waiter.native_handle(), SIGUSR1);
  waiter.join();
  a.StopBackgroundWork();
  spdlog::info("stopped");
  return 0;
}

// The built pages by default: build/web next to the binary (build/tongban), when it was built.
std::string DefaultWebDir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const std::filesystem::path dir = exe.parent_path() / "web";
  return std::filesystem::is_regular_file(dir / "index.html", ec) ? dir.string() : "";
}

}  // namespace

void AddServeCommands(CLI::App& cli, Context& ctx) {
  struct Flags {
    DatabaseFlags db;
    std::string listen;
    std::string web;
    bool demo = false;
  };
  auto flags = std::make_shared<Flags>();
  auto* serve = cli.add_subcommand("serve", "serve the HTTP API and web pages");
  AddDatabaseFlags(serve, flags->db);
  serve->add_option("--listen", flags->listen, "HOST:PORT (default 127.0.0.1:8080)");
  serve->add_option("--web", flags->web,
                    "DIR of the built web pages (default: web/ next to the binary, if built)");
  serve->add_flag("--demo", flags->demo,
                  "load the demo data set (five localities, their matters and accounts) once");
  serve->callback([flags, &ctx] {
    auto config = BuildConfig(flags->db);
    if (!config.ok()) {
      ctx.exit_code = Fail(config.error());
      return;
    }
    if (!flags->listen.empty()) {
      Status s = app::ParseListen(flags->listen, config->server);
      if (!s.ok()) {
        ctx.exit_code = Fail(s.error());
        return;
      }
    }
    config->demo = flags->demo;
    if (!flags->web.empty()) config->server.web_dir = flags->web;
    if (config->server.web_dir.empty()) config->server.web_dir = DefaultWebDir();
    if (config->server.web_dir.empty()) {
      spdlog::warn(
          "no web pages built (build/web/index.html): serving the API only; "
          "scripts/run builds them");
    } else {
      spdlog::info("web pages from {}", config->server.web_dir);
    }
    ctx.exit_code = Serve(*config);
  });

  auto mflags = std::make_shared<DatabaseFlags>();
  auto* migrate = cli.add_subcommand("migrate", "apply pending database migrations and exit");
  AddDatabaseFlags(migrate, *mflags);
  migrate->callback([mflags, &ctx] {
    auto config = BuildConfig(*mflags);
    if (!config.ok()) {
      ctx.exit_code = Fail(config.error());
      return;
    }
    auto a = app::App::Create(*config);
    if (!a.ok()) {
      ctx.exit_code = Fail(a.error());
      return;
    }
    std::printf("database %s is up to date\n", (*a)->db().url().display.c_str());
  });
}

}  // namespace tongban::cli
