// tongban catalog import | export | search | guide
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "api/catalog_json.h"
#include "app/app.h"
#include "catalog/guide.h"
#include "catalog/service.h"
#include "cli/command.h"

namespace tongban::cli {
namespace {

// The database of `flags`, migrated, with a catalog service over it.
struct CatalogSession {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<catalog::CatalogService> service;
};

Result<CatalogSession> OpenCatalog(const DatabaseFlags& flags) {
  // The command's own output (YAML, counts) owns stdout; logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("tongban"));
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(flags));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  CatalogSession s;
  TB_ASSIGN_OR_RETURN(s.db, store::Database::Open(url, {.pool_size = 1}));
  TB_ASSIGN_OR_RETURN(auto sets, app::App::AllMigrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& set : sets) ptrs.push_back(&set);
  TB_ASSIGN_OR_RETURN(int applied, s.db->Migrate(ptrs));
  (void)applied;
  TB_ASSIGN_OR_RETURN(s.service, catalog::CatalogService::Create(*s.db));
  return s;
}

Result<std::string> ReadInput(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ErrorCode::kInvalidArgument, "cannot read " + path, {{"FILE", "cannot be read"}});
  }
  text << in.rdbuf();
  return text.str();
}

// Every invalid field on its own line: an import refused for many reasons shows them all.
int FailWithFields(const Error& e) {
  std::fprintf(stderr, "tongban: %s\n", e.message().c_str());
  for (const auto& f : e.fields()) {
    if (f.field.empty()) {
      std::fprintf(stderr, "  %s\n", f.message.c_str());
    } else {
      std::fprintf(stderr, "  %s: %s\n", f.field.c_str(), f.message.c_str());
    }
  }
  return e.code() == ErrorCode::kInvalidArgument ? 2 : 1;
}

int Import(const DatabaseFlags& flags, const std::string& file, bool publish,
           const std::string& effective, const std::string& actor, bool replace_drafts) {
  catalog::ImportOptions options{
      .actor = actor,
      .open_drafts = replace_drafts ? catalog::OpenDrafts::kReplace : catalog::OpenDrafts::kRefuse,
      .publish = publish};
  if (!effective.empty()) {
    auto date = Date::Parse(effective, "--effective");
    if (date.ok()) options.effective_from = *date;
    if (!date.ok()) {
      return FailWithFields(Error(ErrorCode::kInvalidArgument, "invalid option",
                                  {{"--effective", "must be a date YYYY-MM-DD"}}));
    }
    if (!publish) {
      return FailWithFields(Error(ErrorCode::kInvalidArgument, "invalid option",
                                  {{"--effective", "applies only with --publish"}}));
    }
  }
  auto text = ReadInput(file);
  if (!text.ok()) return FailWithFields(text.error());
  auto session = OpenCatalog(flags);
  if (!session.ok()) return Fail(session.error());
  auto summary = session->service->ImportYaml(*text, options);
  if (!summary.ok()) return FailWithFields(summary.error());
  const catalog::ImportSummary& s = *summary;
  std::printf("imported %s into %s\n", file.c_str(), session->db->url().display.c_str());
  std::printf("  regions               %d\n", s.regions);
  std::printf("  departments           %d\n", s.departments);
  std::printf("  windows               %d\n", s.windows);
  std::printf("  certificates          %d\n", s.certificates);
  std::printf("  basic_items           %d\n", s.basic_items);
  std::printf("  implementation_items  %d new, %d new versions, %d drafts updated, %d unchanged\n",
              s.items_created, s.versions_created, s.drafts_updated, s.unchanged);
  std::printf("  published             %d\n", s.published);
  std::printf("  bundles               %d\n", s.bundles);
  return 0;
}

int Export(const DatabaseFlags& flags, const std::string& out, const std::string& in_force) {
  catalog::ExportOptions options;
  if (!in_force.empty()) {
    auto date = Date::Parse(in_force, "--in-force");
    if (date.ok()) options.in_force_at = *date;
    if (!date.ok()) {
      return FailWithFields(Error(ErrorCode::kInvalidArgument, "invalid option",
                                  {{"--in-force", "must be a date YYYY-MM-DD"}}));
    }
  }
  auto session = OpenCatalog(flags);
  if (!session.ok()) return Fail(session.error());
  auto text = session->service->ExportYaml(options);
  if (!text.ok()) return Fail(text.error());
  if (out.empty()) {
    std::fwrite(text->data(), 1, text->size(), stdout);
    return 0;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << *text;
  file.close();
  if (!file) return Fail(Error(ErrorCode::kUnavailable, "cannot write " + out));
  return 0;
}

struct SearchFlags {
  DatabaseFlags db;
  std::string query;
  std::string region;
  std::string department;
  std::string kind;
  int limit = 10;
};

// One line per hit: score, code, name, region, department. Exit 0 (also with no hit), 2 for
// a bad query or filter.
int Search(const SearchFlags& f) {
  catalog::MatterFilter filter{.region = f.region, .department = f.department};
  if (!f.kind.empty()) {
    filter.kind = catalog::ParseEnum<catalog::Kind>(f.kind);
    if (!filter.kind) {
      return FailWithFields(
          Error(ErrorCode::kInvalidArgument, "invalid option",
                {{"--kind", "must be one of " + catalog::EnumIds<catalog::Kind>()}}));
    }
  }
  auto session = OpenCatalog(f.db);
  if (!session.ok()) return Fail(session.error());
  auto page = session->service->SearchMatters(f.query, filter, {.limit = f.limit});
  if (!page.ok()) return FailWithFields(page.error());
  std::string terms;
  for (const auto& t : page->terms) terms += (terms.empty() ? "" : " ") + t;
  std::fprintf(stderr, "terms: %s; %zu matters%s\n", terms.c_str(), page->items.size(),
               page->next_cursor.empty() ? "" : " (more with --limit)");
  for (const auto& r : page->items) {
    std::printf("%3d  %s  %s  %s  %s\n", r.score, r.matter.code.c_str(), r.matter.name.c_str(),
                r.matter.region_code.c_str(), r.matter.department.name.c_str());
  }
  return 0;
}

struct GuideFlags {
  DatabaseFlags db;
  std::string matter;
  std::string answers = "{}";
  std::string format = "text";
  std::string as_of;
};

// The next question (text: with its options to answer by value) or, once the answers select
// the scenario, the printable checklist. Exit 0 for either, 2 for bad answers or options, 1
// when the matter is unknown or no scenario fits the answers.
int RunGuide(const GuideFlags& f) {
  FieldErrors errors;
  catalog::GuideAnswers answers;
  const auto parsed = nlohmann::json::parse(f.answers, nullptr, false);
  if (!parsed.is_object()) {
    errors.Add("--answers", R"(must be a JSON object {"question id": "option value", ...})");
  } else {
    for (const auto& [id, value] : parsed.items()) {
      if (value.is_string()) {
        answers[id] = value.get<std::string>();
      } else {
        errors.Add("--answers/" + id, "must be a string: the value of one of the options");
      }
    }
  }
  if (f.format != "text" && f.format != "html" && f.format != "json") {
    errors.Add("--format", "must be text, html or json");
  }
  std::optional<Date> as_of;
  if (!f.as_of.empty()) {
    auto d = Date::Parse(f.as_of, "--as-of");
    if (d.ok()) {
      as_of = *d;
    } else {
      errors.Add("--as-of", "must be a date YYYY-MM-DD");
    }
  }
  if (!errors.empty()) return FailWithFields(errors.ToError("invalid option"));
  auto session = OpenCatalog(f.db);
  if (!session.ok()) return Fail(session.error());
  auto result = session->service->RunMatterGuide(f.matter, answers, as_of);
  if (!result.ok()) return FailWithFields(result.error());
  const auto& [matter, step] = *result;
  if (f.format == "json") {
    nlohmann::json j = {{"matter", matter.item.code},
                        {"question", step.question ? api::ToJson(*step.question) : nullptr},
                        {"scenario", step.scenario ? api::ToJson(*step.scenario) : nullptr}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  if (step.question && f.format == "text") {
    std::printf("%s\n", step.question->text.c_str());
    for (const auto& o : step.question->options) {
      std::printf("  %s  %s\n", o.value.c_str(), o.label.c_str());
    }
    std::printf("(answer with --answers '{\"%s\": \"<value>\"}' added to the answers so far)\n",
                step.question->id.c_str());
    return 0;
  }
  const std::string text = f.format == "html" ? catalog::ChecklistHtml(matter, step)
                                              : catalog::ChecklistText(matter, step);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

void AddCatalogCommands(CLI::App& cli, Context& ctx) {
  auto* catalog = cli.add_subcommand(
      "catalog", "import or export the catalog of matters (YAML), search it, run a guide");
  catalog->require_subcommand(1);

  struct ImportFlags {
    DatabaseFlags db;
    std::string file;
    bool publish = false;
    bool replace_drafts = false;
    std::string effective;
    std::string actor = "cli";
  };
  auto iflags = std::make_shared<ImportFlags>();
  auto* import = catalog->add_subcommand(
      "import", "import a catalog file; an invalid file imports nothing and lists every error");
  AddDatabaseFlags(import, iflags->db);
  import->add_option("FILE", iflags->file, "the YAML file (docs/catalog-format.md), - for stdin")
      ->required();
  import->add_flag("--publish", iflags->publish,
                   "approve and publish every imported item (trusted bulk loads)");
  import->add_option("--effective", iflags->effective,
                     "with --publish: the date the items take effect, YYYY-MM-DD (default today)");
  import->add_flag("--replace-drafts", iflags->replace_drafts,
                   "overwrite unpublished versions whose content differs (refused without it)");
  import->add_option("--actor", iflags->actor, "the account id recorded as the importer");
  import->callback([iflags, &ctx] {
    ctx.exit_code = Import(iflags->db, iflags->file, iflags->publish, iflags->effective,
                           iflags->actor, iflags->replace_drafts);
  });

  struct ExportFlags {
    DatabaseFlags db;
    std::string out;
    std::string in_force;
  };
  auto eflags = std::make_shared<ExportFlags>();
  auto* exp = catalog->add_subcommand(
      "export", "write the catalog as YAML: the latest version of every item");
  AddDatabaseFlags(exp, eflags->db);
  exp->add_option("--out", eflags->out, "write to this file instead of stdout");
  exp->add_option("--in-force", eflags->in_force,
                  "only the versions in force at this date, YYYY-MM-DD");
  exp->callback(
      [eflags, &ctx] { ctx.exit_code = Export(eflags->db, eflags->out, eflags->in_force); });

  auto sflags = std::make_shared<SearchFlags>();
  auto* search = catalog->add_subcommand(
      "search", "find matters in force in Chinese (\"我要开餐馆\") or by code, best first");
  AddDatabaseFlags(search, sflags->db);
  search->add_option("QUERY", sflags->query, "what the applicant would say")->required();
  search->add_option("--region", sflags->region, "a region code: it and the regions below it");
  search->add_option("--department", sflags->department, "a department code");
  search->add_option("--kind", sflags->kind, "licensing, benefit, ...");
  search->add_option("--limit", sflags->limit, "at most this many matters (1-100, default 10)");
  search->callback([sflags, &ctx] { ctx.exit_code = Search(*sflags); });

  auto gflags = std::make_shared<GuideFlags>();
  auto* guide = catalog->add_subcommand(
      "guide", "智能导办: the next question of a matter's guide, or the checklist of its scenario");
  AddDatabaseFlags(guide, gflags->db);
  guide->add_option("MATTER", gflags->matter, "the implementation code")->required();
  guide->add_option("--answers", gflags->answers,
                    R"(the answers so far as JSON: {"purpose": "first"})");
  guide->add_option("--format", gflags->format, "text (default), html or json");
  guide->add_option("--as-of", gflags->as_of, "the version in force at this date, YYYY-MM-DD");
  guide->callback([gflags, &ctx] { ctx.exit_code = RunGuide(*gflags); });
}

}  // namespace tongban::cli
