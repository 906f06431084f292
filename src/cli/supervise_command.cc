// tongban supervise [--region R] [--dry-run] [--as-of DATE]: one supervision sweep (电子监察);
// `supervise rules REGION [--file FILE]` shows the rules in force or saves a region's rule set;
// `supervise report PERIOD` prints the card report; `supervise cards` lists cards. The command
// line acts as the operator (every supervision permission over the whole installation).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "app/app.h"
#include "cli/command.h"
#include "supervision/rules.h"
#include "supervision/service.h"
#include "trace/trace.h"

namespace tongban::cli {
namespace {

struct SuperviseFlags {
  DatabaseFlags db;
  std::string region, as_of, file, period, by = "department", format = "csv", out, level;
  bool dry_run = false;
  int limit = 50;
};

struct Session {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<trace::Trace> trace;
  std::unique_ptr<supervision::SupervisionService> service;
};

Result<std::unique_ptr<Session>> Open(const DatabaseFlags& flags) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("tongban"));
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(flags));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  auto s = std::make_unique<Session>();
  TB_ASSIGN_OR_RETURN(s->db, store::Database::Open(url, {.pool_size = 2}));
  TB_ASSIGN_OR_RETURN(auto sets, app::App::AllMigrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& set : sets) ptrs.push_back(&set);
  TB_ASSIGN_OR_RETURN(int applied, s->db->Migrate(ptrs));
  (void)applied;
  s->trace = std::make_unique<trace::Trace>(*s->db, trace::Trace::Options{});
  TB_ASSIGN_OR_RETURN(s->service, supervision::SupervisionService::Create(*s->db, *s->trace, {}));
  TB_ASSIGN_OR_RETURN(int loaded, s->service->LoadBuiltinRules());
  (void)loaded;
  return s;
}

people::Principal Operator() {
  people::Principal p;
  p.account.id = "operator";
  p.account.kind = people::AccountKind::kStaff;
  p.account.name = "operator";
  people::HeldGrant g;
  g.grant.id = "operator";
  g.grant.role = "operator";
  g.permissions = {"supervision.answer", "supervision.card", "supervision.clue",
                   "supervision.read"};
  p.grants.push_back(std::move(g));
  return p;
}

Result<int> Sweep(const SuperviseFlags& f) {
  std::optional<Date> as_of;
  if (!f.as_of.empty()) {
    TB_ASSIGN_OR_RETURN(as_of, Date::Parse(f.as_of, "--as-of"));
  }
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  TB_ASSIGN_OR_RETURN(
      supervision::SweepResult r,
      s->service->Sweep(
          {.region = f.region, .dry_run = f.dry_run, .as_of = as_of, .actor = "operator"}));
  fmt::print("sweep {} as of {}{}: {} open cases, {} ms\n", r.id, r.as_of.ToString(),
             r.dry_run ? " (dry run: nothing written)" : "", r.open_cases, r.elapsed_ms);
  for (const auto& t : r.triggers) {
    fmt::print("  {:<32} {:<7} holds for {:>8}  {} {:>8}\n", t.trigger,
               supervision::LevelName(t.level), t.matched, r.dry_run ? "would issue" : "issued",
               t.issued);
  }
  fmt::print(
      "{} warnings, {} yellow cards, {} red cards ({} for repeated yellow cards), {} "
      "notices\n",
      r.warnings, r.yellow, r.red, r.escalated, r.notices);
  return 0;
}

Result<int> Rules(const SuperviseFlags& f) {
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  if (!f.file.empty()) {
    std::ifstream in(f.file, std::ios::binary);
    if (!in) {
      return Error(ErrorCode::kInvalidArgument, "cannot read the rule file", {{"file", f.file}});
    }
    std::stringstream text;
    text << in.rdbuf();
    TB_ASSIGN_OR_RETURN(supervision::RuleSet set,
                        s->service->SaveRules(Operator(), f.region, text.str()));
    fmt::print("saved {} rule(s) for region {}\n", set.rules.size(), set.region);
    return 0;
  }
  TB_ASSIGN_OR_RETURN(supervision::EffectiveRules e, s->service->RulesInForce(f.region));
  fmt::print("# rules in force in {} (from {})\n", e.region, fmt::join(e.sources, " -> "));
  supervision::RuleSet shown{.region = e.region,
                             .title = "",
                             .warning = e.warning,
                             .escalation = e.escalation,
                             .red_after_working_days = e.red_after_working_days,
                             .rules = e.rules};
  fmt::print("{}", supervision::RuleSetToYaml(shown));
  return 0;
}

Result<int> ReportCommand(const SuperviseFlags& f) {
  supervision::ReportBy by = supervision::ReportBy::kDepartment;
  if (f.by == "person") {
    by = supervision::ReportBy::kPerson;
  } else if (f.by != "department") {
    return Error(ErrorCode::kInvalidArgument, "bad --by", {{"by", "department or person"}});
  }
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  TB_ASSIGN_OR_RETURN(supervision::Report r,
                      s->service->CardReport(Operator(), f.period, by, f.region));
  std::string text;
  if (f.format == "json") {
    text = "[";
    for (size_t i = 0; i < r.rows.size(); ++i) {
      const auto& row = r.rows[i];
      text += fmt::format(
          "{}{{\"period\":\"{}\",\"{}\":\"{}\",\"region\":\"{}\",\"warnings\":{},\"yellow\":{},"
          "\"red\":{},\"answered\":{},\"handed_over\":{}}}",
          i ? "," : "", r.period, f.by, row.key, row.region, row.warnings, row.yellow, row.red,
          row.answered, row.handed_over);
    }
    text += "]\n";
  } else {
    text = supervision::ReportCsv(r);
  }
  if (f.out.empty()) {
    fmt::print("{}", text);
  } else {
    std::ofstream out(f.out, std::ios::binary);
    out << text;
    if (!out) return Error(ErrorCode::kUnavailable, "cannot write " + f.out);
  }
  return 0;
}

Result<int> Cards(const SuperviseFlags& f) {
  supervision::CardQuery q{.region = f.region, .limit = f.limit};
  if (!f.level.empty()) {
    q.level = supervision::ParseLevel(f.level);
    if (!q.level) {
      return Error(ErrorCode::kInvalidArgument, "bad --level",
                   {{"level", "warning, yellow or red"}});
    }
  }
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  TB_ASSIGN_OR_RETURN(supervision::CardPage page, s->service->ListCards(Operator(), q));
  for (const auto& c : page.items) {
    fmt::print("{:>8}  {} {:<7} {:<28} {:<24} {:<14} {} {}\n", c.id, c.issued_on.ToString(),
               supervision::LevelName(c.level), c.trigger, c.case_number, c.department,
               c.person.empty() ? "-" : c.person, supervision::CardStateName(c.state));
  }
  return 0;
}

}  // namespace

void AddSuperviseCommands(CLI::App& cli, Context& ctx) {
  auto flags = std::make_shared<SuperviseFlags>();
  CLI::App* group = cli.add_subcommand(
      "supervise", "电子监察: run the supervision sweep now (warnings, yellow and red cards)");
  group->add_option("--region", flags->region, "only cases in this region's subtree");
  group->add_flag("--dry-run", flags->dry_run, "count what would be issued, write nothing");
  group->add_option("--as-of", flags->as_of, "the day to judge by (YYYY-MM-DD); default today");
  AddDatabaseFlags(group, flags->db);
  group->require_subcommand(0, 1);
  group->callback([group, flags, &ctx] {
    if (!group->get_subcommands().empty()) return;
    auto r = Sweep(*flags);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });

  CLI::App* rules = group->add_subcommand(
      "rules", "the rules in force in a region, or save a region's rule set with --file");
  rules->add_option("REGION", flags->region, "region code")->required();
  rules->add_option("--file", flags->file, "a rule set (YAML, docs/supervision.md) to save");
  AddDatabaseFlags(rules, flags->db);
  rules->callback([flags, &ctx] {
    auto r = Rules(*flags);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });

  CLI::App* report = group->add_subcommand(
      "report", "cards per department or person for a month (2026-11) or quarter (2026-Q4)");
  report->add_option("PERIOD", flags->period, "YYYY-MM or YYYY-Qn")->required();
  report->add_option("--by", flags->by, "department (default) or person");
  report->add_option("--format", flags->format, "csv (default) or json");
  report->add_option("--out", flags->out, "write to this file instead of stdout");
  AddDatabaseFlags(report, flags->db);
  report->callback([flags, &ctx] {
    auto r = ReportCommand(*flags);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });

  CLI::App* cards = group->add_subcommand("cards", "the newest cards");
  cards->add_option("--level", flags->level, "warning, yellow or red");
  cards->add_option("--limit", flags->limit, "at most this many (1 to 200)");
  AddDatabaseFlags(cards, flags->db);
  cards->callback([flags, &ctx] {
    auto r = Cards(*flags);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });
}

}  // namespace tongban::cli
