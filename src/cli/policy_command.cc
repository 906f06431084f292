// tongban policy publish|list|show|grants|roll|notify|funnel and tongban match: benefit policies
// and matching runs (免申即享) from the command line. The operator holds the database, so the
// command acts as "cli:<user>" with the policy and register permissions everywhere.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include <fmt/format.h>

#include "app/app.h"
#include "benefits/benefits.h"
#include "benefits/demo_funnel.h"
#include "cli/command.h"
#include "cli/progress.h"
#include "registers/field_cipher.h"
#include "registers/register.h"

namespace tongban::cli {
namespace {

struct PolicyFlags {
  DatabaseFlags db;
  std::string keys;
  std::vector<std::string> files;
  std::string arg;
  std::string arg2;
  int64_t version = 0;
  std::string region;
  std::string date;
  std::string out;
  bool dry_run = false;
  bool builtin = false;
  bool decline = false;
  std::string evidence;
  int limit = 1000;
  int64_t persons = 12000;  // demo-funnel
};

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kNotFound, "cannot read " + path, {{"file", path}});
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The register keys as `tongban register` finds them: --keys, TONGBAN_REGISTER_KEYS, or (SQLite)
// DB.register-keys.yaml beside the database, created on first use.
Result<registers::FieldCipher> LoadCipher(const PolicyFlags& f, const store::DatabaseUrl& url) {
  std::string path = f.keys;
  if (path.empty()) {
    const char* env = std::getenv("TONGBAN_REGISTER_KEYS");
    if (env != nullptr) path = env;
  }
  if (path.empty()) {
    if (url.backend != store::Backend::kSqlite) {
      return Error(ErrorCode::kInvalidArgument, "register keys needed",
                   {{"keys", "give --keys FILE or TONGBAN_REGISTER_KEYS"}});
    }
    path = url.target + ".register-keys.yaml";
    if (!std::filesystem::exists(path)) {
      std::ofstream out(path);
      out << registers::GenerateRegisterKeysYaml();
      out.close();
      std::filesystem::permissions(
          path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
  }
  TB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  TB_ASSIGN_OR_RETURN(registers::RegisterKeys keys, registers::ParseRegisterKeys(text));
  return registers::FieldCipher::Create(keys);
}

struct Opened {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<trace::Trace> trace;
  std::unique_ptr<registers::Registers> registers;
  std::unique_ptr<people::SimulatedSmsGateway> sms;
  std::unique_ptr<benefits::Benefits> benefits;
};

Result<Opened> Open(const PolicyFlags& f) {
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(f.db));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  Opened o;
  TB_ASSIGN_OR_RETURN(o.db, store::Database::Open(url, store::Database::Options{.pool_size = 2}));
  TB_ASSIGN_OR_RETURN(auto sets, app::App::AllMigrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), registers::Migrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), benefits::Migrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& s : sets) ptrs.push_back(&s);
  TB_RETURN_IF_ERROR(o.db->Migrate(ptrs));
  TB_ASSIGN_OR_RETURN(registers::FieldCipher cipher, LoadCipher(f, url));
  o.trace = std::make_unique<trace::Trace>(*o.db, trace::Trace::Options{});
  TB_ASSIGN_OR_RETURN(o.registers, registers::Registers::Create(*o.db, std::move(cipher), *o.trace,
                                                                SystemClock::Instance()));
  o.sms = std::make_unique<people::SimulatedSmsGateway>();
  TB_ASSIGN_OR_RETURN(o.benefits, benefits::Benefits::Create(*o.db, *o.registers,
                                                             SystemClock::Instance(), o.sms.get()));
  return o;
}

people::Principal Operator() {
  people::Principal p;
  const char* user = std::getenv("USER");
  p.account.id = fmt::format("cli:{}", user != nullptr ? user : "operator");
  people::HeldGrant g;
  g.grant.scope.region = "*";
  g.permissions = {"policy.grant", "policy.match",  "policy.push",
                   "policy.write", "register.read", "register.read_full"};
  p.grants.push_back(g);
  return p;
}

void PrintPolicy(const benefits::Policy& p) {
  std::printf("%s\tv%lld\t%s\t%s\t%s..%s\t%s\n", p.name.c_str(), static_cast<long long>(p.version),
              std::string(benefits::PolicyKindName(p.kind)).c_str(), p.region.c_str(),
              p.valid_from.ToString().c_str(), p.valid_to ? p.valid_to->ToString().c_str() : "",
              p.title.c_str());
}

int Publish(const PolicyFlags& f) {
  std::vector<std::string> texts;
  if (f.builtin) {
    auto shipped = benefits::BuiltinPolicies();
    if (!shipped.ok()) return Fail(shipped.error());
    for (const auto& p : *shipped) texts.push_back(p.source);
  }
  for (const auto& file : f.files) {
    auto text = ReadFile(file);
    if (!text.ok()) return Fail(text.error());
    texts.push_back(*std::move(text));
  }
  if (texts.empty()) {
    return Fail(Error(ErrorCode::kInvalidArgument, "nothing to publish",
                      {{"FILE", "give policy files or --builtin"}}));
  }
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  for (const auto& t : texts) {
    auto p = o->benefits->Publish(Operator(), t);
    if (!p.ok()) return Fail(p.error());
    std::printf("published ");
    PrintPolicy(*p);
  }
  return 0;
}

int List(const PolicyFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  auto list = o->benefits->ListPolicies();
  if (!list.ok()) return Fail(list.error());
  for (const auto& p : *list) PrintPolicy(p);
  return 0;
}

int Show(const PolicyFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  auto p = o->benefits->GetPolicy(f.arg, f.version);
  if (!p.ok()) return Fail(p.error());
  std::fputs(p->source.c_str(), stdout);
  return 0;
}

int Grants(const PolicyFlags& f) {
  auto text = ReadFile(f.arg2);
  if (!text.ok()) return Fail(text.error());
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  auto r = o->benefits->ImportGrants(Operator(), f.arg, *text);
  if (!r.ok()) return Fail(r.error());
  for (const auto& e : r->rejected) {
    std::fprintf(stderr, "line %lld: %s: %s\n", static_cast<long long>(e.line), e.field.c_str(),
                 e.reason.c_str());
  }
  std::printf("imported %lld, rejected %zu\n", static_cast<long long>(r->imported),
              r->rejected.size());
  return r->rejected.empty() ? 0 : 1;
}

int Roll(const PolicyFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  auto lines = o->benefits->PaymentRoll(f.arg, f.arg2);
  if (!lines.ok()) return Fail(lines.error());
  if (f.out.ends_with(".xlsx")) {
    auto p = o->benefits->GetPolicy(f.arg);
    if (!p.ok()) return Fail(p.error());
    Status s =
        benefits::WritePaymentRollXlsx(*lines, fmt::format("{} {}", p->title, f.arg2), f.out);
    if (!s.ok()) return Fail(s.error());
  } else if (!f.out.empty()) {
    std::ofstream out(f.out);
    benefits::WritePaymentRollCsv(*lines, out);
  } else {
    benefits::WritePaymentRollCsv(*lines, std::cout);
  }
  int64_t total = 0;
  for (const auto& l : *lines) total += l.amount_fen;
  std::fprintf(stderr, "%zu persons, %s yuan\n", lines->size(), benefits::FenToYuan(total).c_str());
  return 0;
}

void PrintCounts(const benefits::MatchRun& run) {
  std::printf("run %s: policy %s v%lld, region %s, reference %s, register as of %s\n",
              run.id.empty() ? "(dry run)" : run.id.c_str(), run.policy.c_str(),
              static_cast<long long>(run.version), run.region.c_str(),
              run.reference.ToString().c_str(), run.as_of.c_str());
  std::printf("region\tscreened\teligible\teligible_not_receiving\tno_longer_eligible\n");
  auto line = [](const benefits::RegionCounts& c) {
    std::printf("%s\t%lld\t%lld\t%lld\t%lld\n", c.region.c_str(),
                static_cast<long long>(c.screened), static_cast<long long>(c.eligible),
                static_cast<long long>(c.eligible_not_receiving),
                static_cast<long long>(c.no_longer_eligible));
  };
  for (const auto& g : run.regions) line(g);
  benefits::RegionCounts total = run.total;
  total.region = "total";
  line(total);
}

int Match(const PolicyFlags& f) {
  std::optional<Date> reference;
  if (!f.date.empty()) {
    auto d = Date::Parse(f.date, "date");
    if (!d.ok()) return Fail(d.error());
    reference = *d;
  }
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  // On a terminal a bar redrawn in place; piped or logged, plain lines (cli/progress.h).
  const auto start = std::chrono::steady_clock::now();
  ProgressReporter reporter(stderr, isatty(fileno(stderr)) != 0, [start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  });
  auto progress = [&](const benefits::MatchProgress& p) {
    reporter.Update(p.stage, p.fraction, p.persons);
  };
  auto run = o->benefits->Match(
      Operator(), f.arg,
      {.region = f.region, .reference = reference, .dry_run = f.dry_run, .progress = progress});
  reporter.Finish();
  if (!run.ok()) return Fail(run.error());
  PrintCounts(*run);
  if (!f.out.empty()) {
    std::ofstream out(f.out);
    benefits::WriteResultsCsv(run->results, out);
    std::fprintf(stderr, "%zu listed persons written to %s\n", run->results.size(), f.out.c_str());
  }
  return 0;
}

int Notify(const PolicyFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  auto r = o->benefits->Notify(Operator(), f.arg, {.limit = f.limit});
  if (!r.ok()) return Fail(r.error());
  std::printf("notified %lld (failed %lld), %lld still to notify\n",
              static_cast<long long>(r->sent), static_cast<long long>(r->failed),
              static_cast<long long>(r->remaining));
  return 0;
}

int Consent(const PolicyFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  Status s = o->benefits->RecordConsent(
      Operator(), f.arg, f.arg2,
      {.decision = f.decline ? benefits::Decision::kDeclined : benefits::Decision::kAccepted,
       .by_staff = true,
       .evidence = f.evidence});
  if (!s.ok()) return Fail(s.error());
  std::printf("%s recorded\n", f.decline ? "declined" : "accepted");
  return 0;
}

int OptOuts(const PolicyFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  auto n = o->benefits->ConcludeOptOuts(Operator(), f.arg);
  if (!n.ok()) return Fail(n.error());
  std::printf("granted %lld\n", static_cast<long long>(*n));
  return 0;
}

int FunnelCmd(const PolicyFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  auto fun = o->benefits->FunnelOf(f.arg);
  if (!fun.ok()) return Fail(fun.error());
  std::printf("region\tscreened\teligible\teligible_not_receiving\tnotified\tconsented\tgranted\n");
  auto line = [](const benefits::FunnelRow& r) {
    std::printf("%s\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\n", r.region.c_str(),
                static_cast<long long>(r.screened), static_cast<long long>(r.eligible),
                static_cast<long long>(r.eligible_not_receiving),
                static_cast<long long>(r.notified), static_cast<long long>(r.consented),
                static_cast<long long>(r.granted));
  };
  for (const auto& r : fun->regions) line(r);
  benefits::FunnelRow total = fun->total;
  total.region = "total";
  line(total);
  return 0;
}

int Results(const PolicyFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  std::vector<benefits::MatchResult> all;
  std::string after;
  for (;;) {
    auto page = o->benefits->RunResults(f.arg, f.arg2, after, 10000);
    if (!page.ok()) return Fail(page.error());
    if (page->empty()) break;
    after = page->back().person_id;
    for (auto& r : *page) all.push_back(std::move(r));
  }
  if (f.out.empty()) {
    benefits::WriteResultsCsv(all, std::cout);
  } else {
    std::ofstream out(f.out);
    benefits::WriteResultsCsv(all, out);
  }
  return 0;
}

// The article's funnel generated into an empty county register (benefits/demo_funnel.h).
int DemoFunnel(const PolicyFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  people::Principal by = Operator();
  by.grants[0].permissions.emplace_back("register.write");
  benefits::ArticleFunnelOptions options;
  if (!f.region.empty()) options.county = f.region;
  options.persons = f.persons;
  options.dir = f.out;
  auto seeded = benefits::SeedArticleFunnel(*o->benefits, *o->registers, by, options);
  if (!seeded.ok()) return Fail(seeded.error());
  const benefits::FunnelRow& t = seeded->total.total;
  std::printf("runs\t%s\t%s\n", seeded->runs[0].c_str(), seeded->runs[1].c_str());
  std::printf("screened\teligible\teligible_not_receiving\tnotified\tconsented\tgranted\n");
  std::printf("%lld\t%lld\t%lld\t%lld\t%lld\t%lld\n", static_cast<long long>(t.screened),
              static_cast<long long>(t.eligible), static_cast<long long>(t.eligible_not_receiving),
              static_cast<long long>(t.notified), static_cast<long long>(t.consented),
              static_cast<long long>(t.granted));
  std::fprintf(stderr, "%lld persons generated and matched in %.1f s\n",
               static_cast<long long>(seeded->persons), seeded->seconds);
  return 0;
}

}  // namespace

void AddPolicyCommands(CLI::App& cli, Context& ctx) {
  auto* pol =
      cli.add_subcommand("policy", "benefit policies and their runs (免申即享, 政策直通车)");
  pol->require_subcommand(1);
  auto add = [&](CLI::App* parent, const char* name, const char* help, auto run) {
    auto flags = std::make_shared<PolicyFlags>();
    auto* cmd = parent->add_subcommand(name, help);
    AddDatabaseFlags(cmd, flags->db);
    cmd->add_option("--keys", flags->keys, "register key file (YAML)");
    cmd->callback([flags, &ctx, run] { ctx.exit_code = run(*flags); });
    return std::make_pair(cmd, flags);
  };
  {
    auto [cmd, f] = add(pol, "publish", "check and publish policy versions (YAML)", Publish);
    cmd->add_option("FILE", f->files, "policy files");
    cmd->add_flag("--builtin", f->builtin, "the policies shipped in data/policies");
  }
  add(pol, "list", "the newest version of each policy", List);
  {
    auto [cmd, f] = add(pol, "show", "a policy version's YAML", Show);
    cmd->add_option("NAME", f->arg, "policy name")->required();
    cmd->add_option("--version", f->version, "version (default: the newest)");
  }
  {
    auto [cmd, f] = add(pol, "grants",
                        "import grant roll rows (person_id,amount_fen,start_date"
                        "[,end_date])",
                        Grants);
    cmd->add_option("NAME", f->arg, "policy name")->required();
    cmd->add_option("FILE", f->arg2, "CSV")->required();
  }
  {
    auto [cmd, f] = add(pol, "roll", "the payment roll (发放名册) of one cycle", Roll);
    cmd->add_option("NAME", f->arg, "policy name")->required();
    cmd->add_option("PERIOD", f->arg2, "YYYY-MM (monthly), YYYY (yearly) or once")->required();
    cmd->add_option("--out", f->out, "FILE.csv or FILE.xlsx (default: CSV on stdout)");
  }
  {
    auto [cmd, f] =
        add(pol, "results", "a run's listed persons with explanations, as CSV", Results);
    cmd->add_option("RUN", f->arg, "run id")->required();
    cmd->add_option("--kind", f->arg2, "eligible_not_receiving or no_longer_eligible");
    cmd->add_option("--out", f->out, "file (default stdout)");
  }
  {
    auto [cmd, f] = add(pol, "notify", "notify a run's eligible persons not yet notified", Notify);
    cmd->add_option("RUN", f->arg, "run id")->required();
    cmd->add_option("--limit", f->limit, "at most this many notices (1000)");
  }
  {
    auto [cmd, f] = add(pol, "consent", "record a notified person's decision (代为登记)", Consent);
    cmd->add_option("RUN", f->arg, "run id")->required();
    cmd->add_option("PERSON", f->arg2, "person id")->required();
    cmd->add_option("--evidence", f->evidence, "what was seen or heard")->required();
    cmd->add_flag("--decline", f->decline, "the person declines");
  }
  {
    auto [cmd, f] = add(pol, "conclude-opt-outs",
                        "grant the notified who did not object within the opt-out period", OptOuts);
    cmd->add_option("RUN", f->arg, "run id")->required();
  }
  {
    auto [cmd, f] = add(pol, "funnel", "screened → eligible → … → granted, per region", FunnelCmd);
    cmd->add_option("RUN", f->arg, "run id")->required();
  }
  {
    auto [cmd, f] = add(pol, "demo-funnel",
                        "generate the article's county (12,000 disabled persons), run both "
                        "disability subsidies, notify and record the answers: the funnel",
                        DemoFunnel);
    cmd->add_option("--region", f->region, "the county (431128)");
    cmd->add_option("--persons", f->persons, "persons to generate (12000)");
    cmd->add_option("--out", f->out, "directory for the generated CSV files (a temp dir)");
  }
  {
    auto [cmd, f] = add(&cli, "match", "match a policy against the person register", Match);
    cmd->add_option("POLICY", f->arg, "policy name")->required();
    cmd->add_option("--region", f->region, "a region within the policy's scope");
    cmd->add_option("--date", f->date, "reference date (default today)");
    cmd->add_flag("--dry-run", f->dry_run, "count and list, store nothing");
    cmd->add_option("--out", f->out, "write the listed persons as CSV");
  }
}

}  // namespace tongban::cli
