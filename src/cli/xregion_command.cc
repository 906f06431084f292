// tongban xregion verify-log | load | report: the cross-region message log's chain and digests
// checked from the database (the same check as GET /api/v1/xregion/log/verify), and identity,
// partners and agreements loaded from a YAML file (data/xregion/*.yaml).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "app/app.h"
#include "cli/command.h"
#include "trace/signing_key.h"
#include "xregion/service.h"

namespace tongban::cli {
namespace {

struct XregionSession {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<xregion::Service> service;
};

Result<std::unique_ptr<XregionSession>> Open(const DatabaseFlags& flags) {
  if (!spdlog::get("tongban")) spdlog::set_default_logger(spdlog::stderr_color_mt("tongban"));
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(flags));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  auto s = std::make_unique<XregionSession>();
  TB_ASSIGN_OR_RETURN(s->db, store::Database::Open(url, {.pool_size = 2}));
  TB_ASSIGN_OR_RETURN(auto sets, app::App::AllMigrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& set : sets) ptrs.push_back(&set);
  TB_ASSIGN_OR_RETURN(int applied, s->db->Migrate(ptrs));
  (void)applied;
  const std::string key_path =
      config.signing_key.empty() ? trace::DefaultSigningKeyPath(url) : config.signing_key;
  TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, trace::LoadOrCreateSigningKey(key_path));
  TB_ASSIGN_OR_RETURN(s->service, xregion::Service::Create(*s->db, std::move(key), {}));
  return s;
}

}  // namespace

void AddXregionCommands(CLI::App& cli, Context& ctx) {
  auto* xr =
      cli.add_subcommand("xregion", "cross-region service (跨省通办): message log, agreements");
  xr->require_subcommand(1);

  auto verify_flags = std::make_shared<DatabaseFlags>();
  auto* verify = xr->add_subcommand(
      "verify-log", "recompute the message log's hash chain and each message's digest");
  AddDatabaseFlags(verify, *verify_flags);
  verify->callback([verify_flags, &ctx] {
    auto s = Open(*verify_flags);
    if (!s.ok()) {
      ctx.exit_code = Fail(s.error());
      return;
    }
    auto v = (*s)->service->VerifyLog();
    if (!v.ok()) {
      ctx.exit_code = Fail(v.error());
      return;
    }
    if (v->ok) {
      std::printf("ok: %lld entries\n", static_cast<long long>(v->entries));
      return;
    }
    std::printf("BROKEN at entry %lld of %lld: %s\n", static_cast<long long>(v->first_bad),
                static_cast<long long>(v->entries), v->problem.c_str());
    ctx.exit_code = 1;
  });

  struct LoadFlags {
    DatabaseFlags db;
    std::string file;
  };
  auto load_flags = std::make_shared<LoadFlags>();
  auto* load = xr->add_subcommand("load", "load identity, partners and agreements from YAML");
  AddDatabaseFlags(load, load_flags->db);
  load->add_option("FILE", load_flags->file, "the YAML file")->required();
  load->callback([load_flags, &ctx] {
    auto s = Open(load_flags->db);
    if (!s.ok()) {
      ctx.exit_code = Fail(s.error());
      return;
    }
    std::ifstream in(load_flags->file);
    if (!in) {
      ctx.exit_code = Fail(Error(ErrorCode::kNotFound, "cannot read " + load_flags->file));
      return;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto n = (*s)->service->LoadYaml(text.str());
    if (!n.ok()) {
      ctx.exit_code = Fail(n.error());
      return;
    }
    std::printf("%d agreement(s) loaded\n", *n);
  });

  auto report_flags = std::make_shared<DatabaseFlags>();
  auto* report = xr->add_subcommand(
      "report",
      "the matters the agreements cover, per mode and partner (\"100 matters, 65 online\")");
  AddDatabaseFlags(report, *report_flags);
  report->callback([report_flags, &ctx] {
    auto s = Open(*report_flags);
    if (!s.ok()) {
      ctx.exit_code = Fail(s.error());
      return;
    }
    auto r = (*s)->service->CoverageReport();
    if (!r.ok()) {
      ctx.exit_code = Fail(r.error());
      return;
    }
    std::printf(
        "%lld partners, %lld matters, %lld fully online (全程网办), %lld by proxy, %lld joint\n",
        static_cast<long long>(r->partners), static_cast<long long>(r->matters),
        static_cast<long long>(r->fully_online), static_cast<long long>(r->proxy),
        static_cast<long long>(r->joint));
    for (const auto& l : r->lines) {
      std::printf("%s %s: %lld matters (online %lld, proxy %lld, joint %lld)\n", l.partner.c_str(),
                  l.partner_name.c_str(), static_cast<long long>(l.matters),
                  static_cast<long long>(l.online), static_cast<long long>(l.proxy),
                  static_cast<long long>(l.joint));
    }
  });
}

}  // namespace tongban::cli
