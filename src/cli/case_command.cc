// tongban case show | verify | deemed-accepted | review, tongban bundle show: the operator's
// read-only view of cases and bundle applications, over the same CaseService the HTTP routes use
// (no caller: the operator holds the database anyway).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <functional>

#include <fmt/format.h>

#include "app/app.h"
#include "app/licence_wiring.h"
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
  std::unique_ptr<app::KeyParts> keys;  // the departments' e-seals, before cases
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
  TB_ASSIGN_OR_RETURN(s->keys, app::CreateKeyParts(*s->db, config, url));
  TB_ASSIGN_OR_RETURN(
      s->cases,
      cases::CaseService::Create(
          *s->db, *s->catalog, *s->people, *s->trace,
          {.data_dir = cases::DefaultDataDir(url), .sms = &s->sms, .keys = s->keys->keys.get()}));
  TB_ASSIGN_OR_RETURN(s->runtime,
                      bpmn::Runtime::Create(*s->db, SystemClock::Instance(), {.owner = "cli"}));
  TB_RETURN_IF_ERROR(s->cases->AttachReview(*s->runtime, {}));
  return s;
}

// The command line acts as the operator: every case permission over the whole installation.
people::Principal Operator() {
  people::Principal p;
  p.account.id = "operator";
  p.account.kind = people::AccountKind::kStaff;
  p.account.name = "operator";
  people::HeldGrant g;
  g.grant.id = "operator";
  g.grant.role = "operator";
  g.permissions = {"case.accept", "case.approve", "case.read"};
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
  TB_ASSIGN_OR_RETURN(std::string problem, s->cases->DocumentSealProblem(d));
  fmt::print("{}: {} {} sealed by {} (key {}{})\n", problem.empty() ? "valid" : "INVALID",
             cases::DocumentKindTitle(d.kind), d.id, d.department, d.key_id.substr(0, 16),
             d.seal_proof.empty() ? "" : ", in a batch");
  if (!problem.empty()) fmt::print("reason: {}\n", problem);
  return problem.empty() ? 0 : 1;
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

void PrintPayment(const cases::Payment& p) {
  fmt::print("payment     {} {} fen {}{}{}\n", p.id, p.amount_fen, cases::PaymentStateName(p.state),
             p.transaction_id.empty() ? "" : " " + p.transaction_id,
             p.waiver_reason.empty() ? "" : " (" + p.waiver_reason + ")");
}

void PrintDelivery(const cases::Delivery& d) {
  fmt::print("delivery    due {} {}{}{}\n", d.due_on.ToString(),
             d.method ? cases::DeliveryMethodName(*d.method) : "pending",
             d.delivered_on ? " on " + d.delivered_on->ToString() : "",
             d.tracking_number.empty() ? "" : " tracking " + d.tracking_number);
}

// The simulated platform pays (or fails) the case's order and calls back, as the demo does.
Result<int> Pay(const DatabaseFlags& flags, const std::string& number, bool fail) {
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  const cases::SimulatedPaymentGateway* platform = s->cases->SimulatedPayments();
  if (!platform) return Error(ErrorCode::kUnavailable, "a real payment gateway is configured");
  TB_ASSIGN_OR_RETURN(cases::Payment order, s->cases->GetPayment(Operator(), number));
  cases::PaymentCallback callback =
      fail ? platform->Fail(order.id) : platform->Pay(order.id, order.amount_fen);
  TB_ASSIGN_OR_RETURN(cases::Payment after,
                      s->cases->PaymentCallback(callback.body, callback.signature));
  PrintPayment(after);
  return 0;
}

Result<int> Waive(const DatabaseFlags& flags, const std::string& number,
                  const std::string& reason) {
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(cases::Payment p, s->cases->WaiveFees(Operator(), number, reason));
  PrintPayment(p);
  return 0;
}

Result<int> Deliver(const DatabaseFlags& flags, const std::string& number,
                    const std::string& method, const std::string& address) {
  auto m = cases::ParseDeliveryMethod(method);
  if (!m) {
    return Error(ErrorCode::kInvalidArgument, "the delivery is invalid",
                 {{"--method", "must be window | mail | electronic"}});
  }
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(cases::Delivery d,
                      s->cases->Deliver(Operator(), number, {.method = *m, .address = address}));
  PrintDelivery(d);
  return 0;
}

Result<int> Terminate(const DatabaseFlags& flags, const std::string& number,
                      const std::string& reason, const std::string& note) {
  auto r = cases::ParseTerminationReason(reason);
  if (!r) {
    return Error(
        ErrorCode::kInvalidArgument, "the termination is invalid",
        {{"--reason", "must be applicant_deceased | applicant_dissolved | gap_deadline_missed"}});
  }
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(cases::Case c, s->cases->Terminate(Operator(), number, *r, {.note = note}));
  fmt::print("{} {} ({})\n", c.number, cases::CaseStateName(c.state),
             cases::DocumentKindTitle(c.documents.back().kind));
  return 0;
}

Result<int> OverdueGaps(const DatabaseFlags& flags, const std::string& as_of) {
  std::optional<Date> date;
  if (!as_of.empty()) {
    TB_ASSIGN_OR_RETURN(date, Date::Parse(as_of, "--as-of"));
  }
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(auto rows, s->cases->OverdueGaps(date));
  for (const auto& r : rows) {
    fmt::print("{}  {}  {}  {}\n", r.number, cases::CaseStateName(r.state), r.department,
               r.applicant_name);
  }
  fmt::print("{} case(s) with a 容缺 deadline missed\n", rows.size());
  return 0;
}

Result<int> Fulfilment(const DatabaseFlags& flags, const std::string& number) {
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(std::vector<catalog::Fee> fees, s->cases->Fees(Operator(), number));
  for (const auto& f : fees)
    fmt::print("fee         {} {} fen {}\n", f.name, f.amount_fen, f.basis);
  if (auto p = s->cases->GetPayment(Operator(), number); p.ok()) PrintPayment(*p);
  if (auto d = s->cases->GetDelivery(Operator(), number); d.ok()) PrintDelivery(*d);
  return 0;
}

Result<int> VerifyCommitment(const DatabaseFlags& flags, const std::string& number,
                             const std::string& finding, const std::string& rectify_by,
                             const std::string& note) {
  auto f = cases::ParseVerificationFinding(finding);
  if (!f) {
    return Error(ErrorCode::kInvalidArgument, "the finding is invalid",
                 {{"--finding",
                   "must be true | untrue | rectified | not_rectified | "
                   "false_commitment"}});
  }
  std::optional<Date> by;
  if (!rectify_by.empty()) {
    TB_ASSIGN_OR_RETURN(by, Date::Parse(rectify_by, "--rectify-by"));
  }
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(cases::Verification v,
                      s->cases->VerifyCommitment(Operator(), number, *f, by, note));
  fmt::print("{} verification {}{}\n", v.case_number, cases::VerificationStateName(v.state),
             v.rectify_by ? " (rectify by " + v.rectify_by->ToString() + ")" : "");
  return 0;
}

Result<int> Verifications(const DatabaseFlags& flags, const std::string& department,
                          const std::string& as_of) {
  std::optional<Date> date;
  if (!as_of.empty()) {
    TB_ASSIGN_OR_RETURN(date, Date::Parse(as_of, "--as-of"));
  }
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  TB_ASSIGN_OR_RETURN(auto rows, s->cases->DueVerifications(department, date));
  for (const auto& v : rows) {
    fmt::print("{}  due {}  {}  {}\n", v.case_number, v.due_on.ToString(), v.department,
               cases::VerificationStateName(v.state));
  }
  fmt::print("{} open verification(s)\n", rows.size());
  return 0;
}

Result<int> Credit(const DatabaseFlags& flags, const std::string& code, const std::string& repair,
                   const std::string& note) {
  TB_ASSIGN_OR_RETURN(auto s, OpenCases(flags));
  if (!repair.empty()) {
    TB_ASSIGN_OR_RETURN(cases::CreditEntry e, s->cases->RepairCredit(Operator(), repair, note));
    fmt::print("repaired {} on {}\n", e.id, e.repaired_on->ToString());
    return 0;
  }
  TB_ASSIGN_OR_RETURN(auto rows, s->cases->CreditRecord(code));
  for (const auto& e : rows) {
    fmt::print("{}  {}{}  {}  {}  until {}{}\n", e.id, cases::CreditKindName(e.kind),
               e.serious ? " serious" : "", e.source, e.reason, e.expires_on.ToString(),
               e.active ? "  ACTIVE" : "");
  }
  fmt::print("{} entr{}\n", rows.size(), rows.size() == 1 ? "y" : "ies");
  return 0;
}

void AddFulfilmentCommands(CLI::App* group, Context& ctx) {
  struct Flags {
    DatabaseFlags db;
    std::string number, method = "window", address, reason, note, as_of;
    bool fail = false;
  };
  auto flags = std::make_shared<Flags>();
  auto run = [flags, &ctx](const std::function<Result<int>()>& f) {
    auto r = f();
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  };

  CLI::App* fees = group->add_subcommand("fees", "a case's fees, payment order and delivery step");
  fees->add_option("NUMBER", flags->number, "case number")->required();
  AddDatabaseFlags(fees, flags->db);
  fees->callback([flags, run] { run([&] { return Fulfilment(flags->db, flags->number); }); });

  CLI::App* pay = group->add_subcommand(
      "pay", "the simulated payment platform pays the case's order and calls back (demo)");
  pay->add_option("NUMBER", flags->number, "case number")->required();
  pay->add_flag("--fail", flags->fail, "report a failed payment instead");
  AddDatabaseFlags(pay, flags->db);
  pay->callback([flags, run] { run([&] { return Pay(flags->db, flags->number, flags->fail); }); });

  CLI::App* waive = group->add_subcommand("waive", "waive a case's fees (减免) with the reason");
  waive->add_option("NUMBER", flags->number, "case number")->required();
  waive->add_option("--reason", flags->reason, "why the fees are waived")->required();
  AddDatabaseFlags(waive, flags->db);
  waive->callback(
      [flags, run] { run([&] { return Waive(flags->db, flags->number, flags->reason); }); });

  CLI::App* deliver = group->add_subcommand("deliver", "deliver a decided case's result (第44条)");
  deliver->add_option("NUMBER", flags->number, "case number")->required();
  deliver->add_option("--method", flags->method, "window | mail | electronic");
  deliver->add_option("--address", flags->address, "the address to mail to (mail)");
  AddDatabaseFlags(deliver, flags->db);
  deliver->callback([flags, run] {
    run([&] { return Deliver(flags->db, flags->number, flags->method, flags->address); });
  });

  CLI::App* terminate = group->add_subcommand("terminate", "terminate a case (终止) with a reason");
  terminate->add_option("NUMBER", flags->number, "case number")->required();
  terminate
      ->add_option("--reason", flags->reason,
                   "applicant_deceased | applicant_dissolved | gap_deadline_missed")
      ->required();
  terminate->add_option("--note", flags->note, "recorded in the sealed decision");
  AddDatabaseFlags(terminate, flags->db);
  terminate->callback([flags, run] {
    run([&] { return Terminate(flags->db, flags->number, flags->reason, flags->note); });
  });

  CLI::App* overdue =
      group->add_subcommand("overdue-gaps", "undecided cases whose 容缺 deadline is missed");
  overdue->add_option("--as-of", flags->as_of, "the day to judge (YYYY-MM-DD); default today");
  AddDatabaseFlags(overdue, flags->db);
  overdue->callback([flags, run] { run([&] { return OverdueGaps(flags->db, flags->as_of); }); });

  CLI::App* verify =
      group->add_subcommand("verify-commitment", "record a 告知承诺 verification finding (核查)");
  verify->add_option("NUMBER", flags->number, "case number")->required();
  verify
      ->add_option("--finding", flags->reason,
                   "true | untrue | rectified | not_rectified | false_commitment")
      ->required();
  verify->add_option("--rectify-by", flags->as_of, "the rectification deadline (untrue)");
  verify->add_option("--note", flags->note, "recorded with the finding");
  AddDatabaseFlags(verify, flags->db);
  verify->callback([flags, run] {
    run([&] {
      return VerifyCommitment(flags->db, flags->number, flags->reason, flags->as_of, flags->note);
    });
  });

  CLI::App* due = group->add_subcommand("verifications", "open 告知承诺 verifications by due day");
  due->add_option("--department", flags->address, "one department's; default every one");
  due->add_option("--as-of", flags->as_of, "due by this day (YYYY-MM-DD); default all");
  AddDatabaseFlags(due, flags->db);
  due->callback([flags, run] {
    run([&] { return Verifications(flags->db, flags->address, flags->as_of); });
  });

  CLI::App* credit =
      group->add_subcommand("credit", "an applicant's credit record (失信 / 违诺), or repair one");
  credit->add_option("CODE", flags->number, "ID number or USCC");
  credit->add_option("--repair", flags->reason, "the id of the entry to repair (信用修复)");
  credit->add_option("--note", flags->note, "how the applicant repaired it (--repair)");
  AddDatabaseFlags(credit, flags->db);
  credit->callback([flags, run] {
    run([&] { return Credit(flags->db, flags->number, flags->reason, flags->note); });
  });
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
  AddFulfilmentCommands(group, ctx);

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
