// tongban case search | generate: the operator's search over every case (the operator holds the
// database, so the search runs with a grant over the whole installation) and the generator that
// fills a database with synthetic cases for the benchmarks.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include <fmt/format.h>

#include "app/app.h"
#include "app/licence_wiring.h"
#include "cases/service.h"
#include "cli/command.h"
#include "people/sms.h"

namespace tongban::cli {
namespace {

struct SearchSession {
  std::unique_ptr<store::Database> db;
  people::SimulatedSmsGateway sms;
  std::unique_ptr<people::PeopleService> people;
  std::unique_ptr<catalog::CatalogService> catalog;
  std::unique_ptr<trace::Trace> trace;
  std::unique_ptr<app::KeyParts> keys;  // the departments' e-seals, before cases
  std::unique_ptr<cases::CaseService> cases;
};

Result<std::unique_ptr<SearchSession>> Open(const DatabaseFlags& flags) {
  if (!spdlog::get("tongban")) spdlog::set_default_logger(spdlog::stderr_color_mt("tongban"));
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(flags));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  auto s = std::make_unique<SearchSession>();
  TB_ASSIGN_OR_RETURN(s->db, store::Database::Open(url, {.pool_size = 2}));
  TB_ASSIGN_OR_RETURN(auto sets, app::App::AllMigrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& set : sets) ptrs.push_back(&set);
  TB_ASSIGN_OR_RETURN(int applied, s->db->Migrate(ptrs));
  (void)applied;
  TB_ASSIGN_OR_RETURN(s->people,
                      people::PeopleService::Create(*s->db, s->sms, SystemClock::Instance(), {}));
  TB_ASSIGN_OR_RETURN(s->catalog, catalog::CatalogService::Create(*s->db));
  s->trace = std::make_unique<trace::Trace>(*s->db, trace::Trace::Options{});
  TB_ASSIGN_OR_RETURN(s->keys, app::CreateKeyParts(*s->db, config, url));
  TB_ASSIGN_OR_RETURN(s->cases,
                      cases::CaseService::Create(
                          *s->db, *s->catalog, *s->people, *s->trace,
                          {.data_dir = cases::DefaultDataDir(url), .keys = s->keys->keys.get()}));
  return s;
}

// The operator: case.read over every region, department and matter.
people::Principal Operator() {
  people::Principal p;
  p.account.id = "operator";
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant g;
  g.grant.id = "operator";
  g.grant.role = "operator";
  g.permissions = {"case.read"};
  p.grants.push_back(std::move(g));
  return p;
}

struct SearchFlags {
  DatabaseFlags db;
  cases::CaseQuery query;
  std::string state, from, to;
  bool explain = false;
  int64_t count = 0;
  uint64_t seed = 1;
};

Result<int> Search(const SearchFlags& f) {
  cases::CaseQuery q = f.query;
  FieldErrors errors;
  if (!f.state.empty()) {
    if (auto s = cases::ParseCaseState(f.state)) {
      q.state = *s;
    } else {
      errors.Add("--state", "is not a case state");
    }
  }
  for (auto [text, target, name] :
       {std::tuple(&f.from, &q.from, "--from"), std::tuple(&f.to, &q.to, "--to")}) {
    if (text->empty()) continue;
    auto d = Date::Parse(*text, name);
    if (d.ok()) {
      *target = *d;
    } else {
      errors.Add(name, d.error().message());
    }
  }
  if (!errors.empty()) return errors.ToError("the search is invalid");
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  if (f.explain) {
    TB_ASSIGN_OR_RETURN(auto plan, s->cases->ExplainSearch(Operator(), q));
    for (const auto& line : plan) fmt::print("{}\n", line);
    return 0;
  }
  TB_ASSIGN_OR_RETURN(cases::CasePage page, s->cases->Search(Operator(), q));
  for (const cases::CaseSummary& c : page.items) {
    fmt::print("{}  {:<20} {} {} {} {}\n", c.number, cases::CaseStateName(c.state),
               c.received_on.ToString(), c.matter, c.department, c.applicant_name);
  }
  fmt::print("{} case(s){}\n", page.items.size(),
             page.next_cursor.empty() ? "" : "; next page: --cursor " + page.next_cursor);
  return 0;
}

Result<int> Generate(const SearchFlags& f) {
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  const auto start = std::chrono::steady_clock::now();
  TB_ASSIGN_OR_RETURN(int64_t n, s->cases->Generate({.count = f.count, .seed = f.seed}));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{} cases generated in {:.1f} s ({:.0f} cases/s)\n", n, seconds,
             seconds > 0 ? static_cast<double>(n) / seconds : 0.0);
  return 0;
}

}  // namespace

void AddCaseSearchCommands(CLI::App& cli, Context& ctx) {
  CLI::App* group = cli.get_subcommand("case");
  auto flags = std::make_shared<SearchFlags>();

  CLI::App* search =
      group->add_subcommand("search", "search every case, newest first (keyset-paged)");
  search->add_option("--number", flags->query.number, "the exact case number");
  search->add_option("--applicant", flags->query.applicant, "an ID number or a USCC");
  search->add_option("--matter", flags->query.matter, "implementation item code");
  search->add_option("--state", flags->state, "submitted, under_review, concluded …");
  search->add_option("--region", flags->query.region, "a region code (its subtree)");
  search->add_option("--department", flags->query.department, "a department code");
  search->add_option("--from", flags->from, "received on or after (YYYY-MM-DD)");
  search->add_option("--to", flags->to, "received on or before (YYYY-MM-DD)");
  search->add_flag("--overdue", flags->query.overdue, "under review past its last day");
  search->add_option("--limit", flags->query.limit, "cases per page (1 to 100)");
  search->add_option("--cursor", flags->query.cursor, "the next page's cursor");
  search->add_flag("--explain", flags->explain, "print the query plan instead");
  AddDatabaseFlags(search, flags->db);
  search->callback([flags, &ctx] {
    auto r = Search(*flags);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });

  CLI::App* generate = group->add_subcommand(
      "generate", "fill the database with synthetic cases of the matters in force (benchmarks)");
  generate->add_option("--count", flags->count, "how many cases")->required();
  generate->add_option("--seed", flags->seed, "random seed");
  AddDatabaseFlags(generate, flags->db);
  generate->callback([flags, &ctx] {
    auto r = Generate(*flags);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });
}

}  // namespace tongban::cli
