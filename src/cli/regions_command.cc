// tongban regions import FILE | regions show CODE: regions beyond the embedded list (the
// nationwide village list) kept in the installation's database.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

#include "app/app.h"
#include "cli/command.h"
#include "regions/region_import.h"

namespace tongban::cli {
namespace {

// Opens and migrates the configured database, as `serve` would.
Result<std::unique_ptr<store::Database>> OpenDatabase(const DatabaseFlags& flags) {
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(flags));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  TB_ASSIGN_OR_RETURN(auto db,
                      store::Database::Open(url, store::Database::Options{.pool_size = 1}));
  TB_ASSIGN_OR_RETURN(auto sets, app::App::AllMigrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& s : sets) ptrs.push_back(&s);
  TB_ASSIGN_OR_RETURN(int applied, db->Migrate(ptrs));
  (void)applied;
  return db;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kInvalidArgument, "cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int Import(const DatabaseFlags& flags, const std::string& path) {
  // The whole file is validated before the database is touched: all of it or nothing.
  auto text = ReadFile(path);
  if (!text.ok()) return Fail(text.error());
  auto regions = regions::ParseRegionFile(*text);
  if (!regions.ok()) {
    Error e = regions.error();
    return Fail(e.Prefix(path));
  }
  auto db = OpenDatabase(flags);
  if (!db.ok()) return Fail(db.error());
  auto repo = regions::RegionRepository::Create(**db);
  if (!repo.ok()) return Fail(repo.error());
  auto n = repo->Import(*regions);
  if (!n.ok()) return Fail(n.error());
  std::printf("imported %zu regions into %s\n", *n, (*db)->url().display.c_str());
  return 0;
}

int Show(const DatabaseFlags& flags, const std::string& code) {
  auto db = OpenDatabase(flags);
  if (!db.ok()) return Fail(db.error());
  auto repo = regions::RegionRepository::Create(**db);
  if (!repo.ok()) return Fail(repo.error());
  auto r = repo->Lookup(code);
  if (!r.ok()) return Fail(r.error());
  std::printf("%s\t%s\t%s\t%s\n", r->code.c_str(), std::string(RegionLevelName(r->level)).c_str(),
              r->parent_code.c_str(), r->full_name.c_str());
  return 0;
}

}  // namespace

void AddRegionsCommands(CLI::App& cli, Context& ctx) {
  auto* regions = cli.add_subcommand("regions", "regions beyond the embedded list");
  regions->require_subcommand(1);

  struct Flags {
    DatabaseFlags db;
    std::string arg;
  };
  auto import_flags = std::make_shared<Flags>();
  auto* import = regions->add_subcommand(
      "import", "validate a region file (CODE<TAB>NAME lines) and store it in the database");
  AddDatabaseFlags(import, import_flags->db);
  import->add_option("FILE", import_flags->arg, "file written by tools/regions/generate.mjs")
      ->required();
  import->callback(
      [import_flags, &ctx] { ctx.exit_code = Import(import_flags->db, import_flags->arg); });

  auto show_flags = std::make_shared<Flags>();
  auto* show =
      regions->add_subcommand("show", "look a code up in the embedded list, then the database");
  AddDatabaseFlags(show, show_flags->db);
  show->add_option("CODE", show_flags->arg, "6, 9 or 12 digits")->required();
  show->callback([show_flags, &ctx] { ctx.exit_code = Show(show_flags->db, show_flags->arg); });
}

}  // namespace tongban::cli
