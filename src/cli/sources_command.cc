// tongban sources report: the materials applicants no longer had to bring (四个一批: fetched,
// reused, requested online, committed, waived), per matter and overall, from the sources
// recorded with each case, next to what the catalog in force declares. The operator holds the
// database, so the report runs without a caller.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include "api/source_routes.h"
#include "app/app.h"
#include "cli/command.h"
#include "sources/service.h"

namespace tongban::cli {
namespace {

struct SourceFlags {
  DatabaseFlags db;
  std::string region, matter, from, to;
  bool json = false;
};

std::string Percent(int64_t part, int64_t whole) {
  return whole == 0 ? "-" : fmt::format("{:.1f}%", 100.0 * static_cast<double>(part) / whole);
}

std::string BySource(const sources::SourceCounts& c) {
  std::string out;
  for (const auto& [k, v] : c.by_source) out += fmt::format(" {}={}", k, v);
  return out;
}

Result<int> Report(const SourceFlags& f) {
  if (!spdlog::get("tongban")) spdlog::set_default_logger(spdlog::stderr_color_mt("tongban"));
  sources::SourceReportQuery q{.region = f.region, .matter = f.matter};
  FieldErrors errors;
  if (!f.from.empty()) {
    auto d = Date::Parse(f.from, "--from");
    if (d.ok())
      q.from = *d;
    else
      errors.Add("--from", "must be a date YYYY-MM-DD");
  }
  if (!f.to.empty()) {
    auto d = Date::Parse(f.to, "--to");
    if (d.ok())
      q.to = *d;
    else
      errors.Add("--to", "must be a date YYYY-MM-DD");
  }
  if (!errors.empty()) return errors.ToError("the report query is invalid");
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(f.db));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  TB_ASSIGN_OR_RETURN(auto db, store::Database::Open(url, {.pool_size = 2}));
  TB_ASSIGN_OR_RETURN(auto sets, app::App::AllMigrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& set : sets) ptrs.push_back(&set);
  TB_ASSIGN_OR_RETURN(int applied, db->Migrate(ptrs));
  (void)applied;
  TB_ASSIGN_OR_RETURN(auto catalog, catalog::CatalogService::Create(*db));
  TB_ASSIGN_OR_RETURN(sources::SourceReport r, sources::BuildSourceReport(*db, *catalog, q));
  if (f.json) {
    fmt::print("{}\n", api::SourceReportJson(r).dump(2));
    return 0;
  }
  fmt::print("materials no longer carried (不再提交的材料), required materials of the cases\n");
  for (const auto& m : r.matters) {
    fmt::print("{} {}: {} cases, {} of {} required materials not carried ({}):{}\n", m.matter,
               m.matter_name, m.cases, m.not_carried, m.required,
               Percent(m.not_carried, m.required), BySource(m));
  }
  fmt::print("total: {} cases, {} of {} not carried ({}):{}\n", r.total.cases, r.total.not_carried,
             r.total.required, Percent(r.total.not_carried, r.total.required), BySource(r.total));
  fmt::print(
      "catalog in force: {} matters, {} required materials, {} not from the applicant "
      "({}), {} fetched as e-licences:{}\n",
      r.catalog.cases, r.catalog.required, r.catalog.not_carried,
      Percent(r.catalog.not_carried, r.catalog.required),
      r.catalog.by_source.count("licence") ? r.catalog.by_source.at("licence") : 0,
      BySource(r.catalog));
  return 0;
}

}  // namespace

void AddSourcesCommands(CLI::App& cli, Context& ctx) {
  CLI::App* group = cli.add_subcommand("sources", "material sources (四个一批) and their report");
  group->require_subcommand(1);
  auto flags = std::make_shared<SourceFlags>();
  CLI::App* report = group->add_subcommand(
      "report", "required materials applicants no longer had to bring, per matter and overall");
  AddDatabaseFlags(report, flags->db);
  report->add_option("--region", flags->region, "a region code (its subtree)");
  report->add_option("--matter", flags->matter, "an implementation item code");
  report->add_option("--from", flags->from, "received on or after (YYYY-MM-DD)");
  report->add_option("--to", flags->to, "received on or before (YYYY-MM-DD)");
  report->add_flag("--json", flags->json, "the report as JSON (the API's shape)");
  report->callback([flags, &ctx] {
    auto r = Report(*flags);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });
}

}  // namespace tongban::cli
