// tongban case show | verify | deemed-accepted | review, tongban bundle show: the operator's
// read-only view of cases and bundle applications, over the same CaseService the HTTP routes use
// (no caller: the operator holds the database anyway).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include <fmt/format.h>

#include "app/app.h"
#include "bpmn/runtime.h"
#include "cases/service.h"
#include "cli/command.h"
#include "people/sms.h"

namespace tongban::cli {
namespace {

struct CaseSession {
  std::unique_ptr<store::Database> db;
  people::SimulatedSmsGateway sms;
  std::unique_ptr<people::PeopleService> people;
  std::unique_ptr<catalog::CatalogService> catalog;
  std::unique_ptr<trace::Trace> trace;
  std::unique_ptr<cases::CaseService> cases;
  std::unique_ptr<bpmn::Runtime> runtime;
};

Result<std::unique_ptr<CaseSession>> OpenCases(const DatabaseFlags& flags) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("tongban"));
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(flags));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  auto s = std::make_unique<CaseSession>();
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
  TB_ASSIGN_OR_RETURN(s->cases,
                      cases::CaseService::Create(*s->db, *s->catalog, *s->people, *s->trace,
                                                 {.data_dir = cases::DefaultDataDir(url)}));
  TB_ASSIGN_OR_RETURN(s->runtime,
                      bpmn::Runtime::Create(*s->db, SystemClock::Instance(), {.owner = "cli"}));
  TB_RETURN_IF_ERROR(s->cases->AttachReview(*s->runtime, {}));
  return s;
}

// The operator reads every case (the database is theirs anyway).
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

std::string Text(const std::optional<Date>& d) { return d ? d->ToString() : "-"; }

Result<int> Show(const DatabaseFlags& flags, const std::string& number) {
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(cases::Case c, s->cases->Read(number));
  fmt::print("number      {}\nstate       {}\nmatter      {} {} ({})\napplicant   {} {} {}\n",
             c.number, cases::CaseStateName(c.state), c.matter, c.matter_name, c.matter_version,
             cases::ApplicantKindName(c.applicant_kind), c.applicant_code, c.applicant_name);
  fmt::print("channel     {}{}\nreceived    {}\naccepted    {}\ndue         {}\n",
             cases::ChannelName(c.channel),
             c.clerk_account.empty() ? "" : " (clerk " + c.clerk_account + ")",
             c.received_on.ToString(), Text(c.clock.started_on), Text(c.clock.due_on));
  fmt::print("remaining   {} working days{}{}\n", c.clock.remaining_working_days,
             c.clock.suspended ? " (suspended)" : "", c.clock.overdue ? " (overdue)" : "");
  for (const auto& m : c.materials) {
    fmt::print("material {}  {} {}{}\n", m.index, cases::MaterialStateName(m.state), m.name,
               m.content_hash.empty() ? "" : " sm3:" + m.content_hash.substr(0, 16));
  }
  for (const auto& d : c.documents) {
    fmt::print("document    {} {} {}\n", d.id, cases::DocumentKindName(d.kind),
               d.issued_on.ToString());
  }
  return 0;
}

Result<int> Verify(const DatabaseFlags& flags, const std::string& number, const std::string& id) {
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(cases::Document d, s->cases->ReadDocument(number, id));
  TB_ASSIGN_OR_RETURN(bool valid, s->cases->VerifyDocument(d));
  fmt::print("{}: {} {} sealed by {} (key {})\n", valid ? "valid" : "INVALID",
             cases::DocumentKindTitle(d.kind), d.id, d.department, d.key_id.substr(0, 16));
  return valid ? 0 : 1;
}

Result<int> DeemedAccepted(const DatabaseFlags& flags, const std::string& as_of) {
  std::optional<Date> date;
  if (!as_of.empty()) {
    TB_ASSIGN_OR_RETURN(date, Date::Parse(as_of, "--as-of"));
  }
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(auto rows, s->cases->DeemedAccepted(date));
  for (const auto& r : rows) {
    fmt::print("{}  received {}  {}  {}\n", r.number, r.received_on.ToString(), r.department,
               r.applicant_name);
  }
  fmt::print("{} case(s) count as accepted from the day received (第32条)\n", rows.size());
  return 0;
}

Result<int> Review(const DatabaseFlags& flags, const std::string& number) {
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(cases::Review r, s->cases->GetReview(Operator(), number));
  fmt::print("process     {} ({})\ninstance    {}\njoint       {}\n", r.process_id, r.status,
             r.instance_id, r.joint ? "yes (第26条)" : "no");
  for (const auto& step : r.steps) {
    fmt::print("step        {}  {} [{}] {}  due {}{}\n", step.task_id, step.name, step.step,
               step.department, Text(step.due_on), step.overdue ? " (overdue)" : "");
  }
  return 0;
}

Result<int> ShowBundle(const DatabaseFlags& flags, const std::string& number) {
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(cases::BundleApplication a, s->cases->GetBundle(Operator(), number));
  fmt::print(
      "number      {}\nbundle      {} {}\nprocess     {} ({}){}\ndue         {}  "
      "remaining {} working days\n",
      a.number, a.bundle, a.name, a.process_id, a.status, a.concluded ? " concluded" : "",
      Text(a.due_on), a.remaining_working_days);
  for (const auto& c : a.cases) {
    fmt::print("matter      {} {}  {}  due {}\n", c.number, c.matter_name,
               cases::CaseStateName(c.state), Text(c.clock.due_on));
  }
  return 0;
}

}  // namespace

void AddCaseCommands(CLI::App& cli, Context& ctx) {
  CLI::App* group = cli.add_subcommand("case", "cases (办件): show, verify a document's seal");
  group->require_subcommand(1);

  struct ShowFlags {
    DatabaseFlags db;
    std::string number;
    std::string document;
    std::string as_of;
  };
  auto flags = std::make_shared<ShowFlags>();

  CLI::App* show = group->add_subcommand("show", "a case with its materials, documents and clock");
  show->add_option("NUMBER", flags->number, "case number")->required();
  AddDatabaseFlags(show, flags->db);
  show->callback([flags, &ctx] {
    auto r = Show(flags->db, flags->number);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });

  CLI::App* verify =
      group->add_subcommand("verify", "verify a document's SM2 e-seal: exit 0 valid");
  verify->add_option("NUMBER", flags->number, "case number")->required();
  verify->add_option("DOCUMENT", flags->document, "document id")->required();
  AddDatabaseFlags(verify, flags->db);
  verify->callback([flags, &ctx] {
    auto r = Verify(flags->db, flags->number, flags->document);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });

  CLI::App* deemed = group->add_subcommand(
      "deemed-accepted", "cases silent for more than 5 working days after receipt (第32条)");
  deemed->add_option("--as-of", flags->as_of, "the day to judge (YYYY-MM-DD); default today");
  AddDatabaseFlags(deemed, flags->db);
  deemed->callback([flags, &ctx] {
    auto r = DeemedAccepted(flags->db, flags->as_of);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });

  CLI::App* review = group->add_subcommand(
      "review", "a case's review process: its open steps, departments and due days");
  review->add_option("NUMBER", flags->number, "case number")->required();
  AddDatabaseFlags(review, flags->db);
  review->callback([flags, &ctx] {
    auto r = Review(flags->db, flags->number);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });

  CLI::App* bundle = cli.add_subcommand("bundle", "one-thing bundle applications (一件事一次办)");
  bundle->require_subcommand(1);
  CLI::App* bundle_show = bundle->add_subcommand(
      "show", "a bundle application: each matter's sub-case, state and clock");
  bundle_show->add_option("NUMBER", flags->number, "bundle application number")->required();
  AddDatabaseFlags(bundle_show, flags->db);
  bundle_show->callback([flags, &ctx] {
    auto r = ShowBundle(flags->db, flags->number);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });
}

}  // namespace tongban::cli
