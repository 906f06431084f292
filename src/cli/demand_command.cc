// tongban demand submit|list|show|duplicates|dispatch|arbitrate|sign|return|extend|
// approve-extension|remind|supervise|close|callback|reopen|sweep|contacts|assign|serves|stats:
// demands and work orders (诉求 / 工单) from the command line. The operator holds the database,
// so the command acts as "cli:<user>" with every demand permission everywhere; the receiver's
// steps (sign, return, extend, close) act as staff of --department (or as the commissioner
// named by --account).
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "app/app.h"
#include "cli/command.h"
#include "demands/service.h"
#include "people/timestamp.h"

namespace tongban::cli {
namespace {

struct DemandFlags {
  DatabaseFlags db;
  std::string id;
  demands::DemandInput input;
  std::string department;
  std::string account;
  bool commissioner = false;
  bool complex = false;
  std::string reason;
  std::string note;
  int days = 0;
  bool refuse = false;
  bool unsatisfied = false;
  std::string region;
  std::string state;
  std::string uscc;
  std::string kind = "commissioner";
  std::vector<std::string> accounts;
  std::string from;
  std::string to;
  int limit = 100;
};

struct Opened {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<trace::Trace> trace;
  std::unique_ptr<demands::DemandService> service;
};

Result<Opened> Open(const DemandFlags& f) {
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(f.db));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  Opened o;
  TB_ASSIGN_OR_RETURN(o.db, store::Database::Open(url, store::Database::Options{.pool_size = 2}));
  TB_ASSIGN_OR_RETURN(auto sets, app::App::AllMigrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& s : sets) ptrs.push_back(&s);
  TB_RETURN_IF_ERROR(o.db->Migrate(ptrs));
  o.trace = std::make_unique<trace::Trace>(*o.db, trace::Trace::Options{});
  TB_ASSIGN_OR_RETURN(o.service, demands::DemandService::Create(*o.db, {.trace = o.trace.get()}));
  return o;
}

people::Principal Operator(const DemandFlags& f) {
  people::Principal p;
  const char* user = std::getenv("USER");
  p.account.id =
      !f.account.empty() ? f.account : fmt::format("cli:{}", user != nullptr ? user : "operator");
  p.account.kind = people::AccountKind::kStaff;
  p.account.department = f.department;
  people::HeldGrant g;
  g.grant.scope.region = "*";
  g.permissions = {"demand.arbitrate", "demand.dispatch",   "demand.handle", "demand.intake",
                   "demand.read",      "enterprise.assign", "report.read"};
  p.grants.push_back(g);
  return p;
}

std::string Time(int64_t ms) { return ms == 0 ? "-" : people::FormatTimestamp(ms); }

void PrintDemand(const demands::Demand& d) {
  std::printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.id.c_str(), d.number.c_str(),
              std::string(demands::DemandStateName(d.state)).c_str(),
              std::string(demands::DemandClassName(d.demand_class)).c_str(),
              std::string(demands::UrgencyName(d.urgency)).c_str(), d.region.c_str(),
              d.uscc.c_str(), d.title.c_str());
}

void PrintOrder(const demands::WorkOrder& o) {
  std::printf(
      "order %d\t%s\t%s\t%s\tsign by %s\thandle by %s\textension %s\treminders %d%s\n", o.seq,
      std::string(demands::OrderStateName(o.state)).c_str(),
      std::string(demands::ReceiverKindName(o.receiver_kind)).c_str(),
      (o.receiver_kind == demands::ReceiverKind::kCommissioner ? o.assignee : o.department).c_str(),
      Time(o.sign_due).c_str(), Time(o.due).c_str(),
      std::string(demands::ExtensionStateName(o.extension)).c_str(), o.reminders,
      o.supervised ? "\tsupervised" : "");
}

void PrintContacts(const std::vector<demands::Contact>& list) {
  for (const auto& c : list) {
    std::printf("%s\t%s\t%s\t%s\t%s\n", c.uscc.c_str(), c.enterprise_name.c_str(),
                std::string(demands::ContactKindName(c.kind)).c_str(), c.account_id.c_str(),
                c.account_name.c_str());
  }
}

// Opens the database and runs `run` on the service; prints its error.
template <typename Run>
int WithService(const DemandFlags& f, const Run& run) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  return run(*o->service, Operator(f));
}

template <typename T>
int PrintOrFail(const Result<T>& r, void (*print)(const T&)) {
  if (!r.ok()) return Fail(r.error());
  print(*r);
  return 0;
}

}  // namespace

void AddDemandCommands(CLI::App& cli, Context& ctx) {
  auto flags = std::make_shared<DemandFlags>();
  CLI::App* demand = cli.add_subcommand("demand", "Demands and work orders (诉求 / 工单)");
  demand->require_subcommand(1);
  auto sub = [&](const char* name, const char* help) {
    CLI::App* c = demand->add_subcommand(name, help);
    AddDatabaseFlags(c, flags->db);
    return c;
  };
  auto with_id = [&](CLI::App* c) { c->add_option("ID", flags->id, "demand id")->required(); };
  auto receiver = [&](CLI::App* c) {
    c->add_option("--department", flags->department, "act as staff of this department");
    c->add_option("--account", flags->account, "act as this account (a commissioner)");
  };

  CLI::App* submit = sub("submit", "Enter a demand (hotline, group or service line)");
  submit->add_option("--channel", flags->input.channel, "hotline|group|service_line|portal")
      ->default_val("hotline");
  submit->add_option("--class", flags->input.demand_class, "consultation|help|complaint|…")
      ->required();
  submit->add_option("--urgency", flags->input.urgency, "urgent|ordinary")->default_val("ordinary");
  submit->add_flag("--complex", flags->input.complex, "疑难复杂: the longer limit");
  submit->add_option("--region", flags->input.region, "6-digit region code");
  submit->add_option("--uscc", flags->input.uscc, "the enterprise concerned");
  submit->add_option("--title", flags->input.title)->required();
  submit->add_option("--text", flags->input.text)->required();
  submit->add_option("--caller-name", flags->input.caller_name);
  submit->add_option("--caller-phone", flags->input.caller_phone);
  submit->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      auto r = s.Submit(p, flags->input);
      if (!r.ok()) return Fail(r.error());
      PrintDemand(r->record.demand);
      for (const auto& d : r->duplicates) {
        std::printf("possible duplicate\t%s\t%s\t%.2f\t%s\n", d.demand_id.c_str(), d.number.c_str(),
                    d.similarity, d.title.c_str());
      }
      return 0;
    });
  });

  CLI::App* list = sub("list", "List demands, newest first");
  list->add_option("--region", flags->region);
  list->add_option("--state", flags->state);
  list->add_option("--uscc", flags->uscc);
  list->add_option("--limit", flags->limit)->default_val(100);
  list->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      auto r = s.List(p, {.region = flags->region,
                          .uscc = flags->uscc,
                          .state = flags->state,
                          .limit = flags->limit});
      if (!r.ok()) return Fail(r.error());
      for (const auto& d : *r) PrintDemand(d);
      return 0;
    });
  });

  CLI::App* show = sub("show", "A demand with its work orders and steps");
  with_id(show);
  show->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      auto r = s.Get(p, flags->id);
      if (!r.ok()) return Fail(r.error());
      PrintDemand(r->demand);
      std::printf("text\t%s\ncaller\t%s %s\nlimit\t%d working days\n", r->demand.text.c_str(),
                  r->demand.caller_name.c_str(), r->demand.caller_phone.c_str(),
                  r->demand.limit_days);
      for (const auto& o : r->orders) PrintOrder(o);
      for (const auto& st : r->steps) {
        std::printf("step %d\t%s\t%s\t%s\t%s\n", st.seq, Time(st.at).c_str(), st.action.c_str(),
                    st.actor.c_str(), st.detail.c_str());
      }
      return 0;
    });
  });

  CLI::App* dups = sub("duplicates", "Suggested duplicates of a demand");
  with_id(dups);
  dups->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      auto r = s.Duplicates(p, flags->id);
      if (!r.ok()) return Fail(r.error());
      for (const auto& d : *r) {
        std::printf("%s\t%s\t%.2f\t%s\n", d.demand_id.c_str(), d.number.c_str(), d.similarity,
                    d.title.c_str());
      }
      return 0;
    });
  });

  for (const char* name : {"dispatch", "arbitrate"}) {
    CLI::App* c = sub(name, std::string(name) == "dispatch"
                                ? "Dispatch to a department or the enterprise's commissioner"
                                : "Re-dispatch a returned demand (arbiter)");
    with_id(c);
    c->add_option("--to", flags->department, "the receiving department");
    c->add_flag("--commissioner", flags->commissioner, "to the enterprise's service commissioner");
    c->add_flag("--complex", flags->complex, "re-classify as complex");
    c->add_option("--note", flags->note);
    const bool arbitrate = std::string(name) == "arbitrate";
    c->callback([flags, &ctx, arbitrate] {
      ctx.exit_code =
          WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
            demands::DispatchInput in{
                .receiver = flags->commissioner ? demands::ReceiverKind::kCommissioner
                                                : demands::ReceiverKind::kDepartment,
                .department = flags->department,
                .complex = flags->complex ? std::optional<bool>(true) : std::nullopt,
                .note = flags->note};
            people::Principal op = p;
            op.account.department.clear();
            return PrintOrFail(
                arbitrate ? s.Arbitrate(op, flags->id, in) : s.Dispatch(op, flags->id, in),
                &PrintOrder);
          });
    });
  }

  CLI::App* sign = sub("sign", "Sign for the work order (as --department or --account)");
  with_id(sign);
  receiver(sign);
  sign->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      return PrintOrFail(s.Sign(p, flags->id), &PrintOrder);
    });
  });
  CLI::App* ret = sub("return", "Return the work order to the arbiter with a reason");
  with_id(ret);
  receiver(ret);
  ret->add_option("--reason", flags->reason);
  ret->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      return PrintOrFail(s.Return(p, flags->id, flags->reason), &PrintOrder);
    });
  });
  CLI::App* extend = sub("extend", "Ask for more working days before the limit expires");
  with_id(extend);
  receiver(extend);
  extend->add_option("--days", flags->days)->required();
  extend->add_option("--reason", flags->reason);
  extend->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      return PrintOrFail(s.RequestExtension(p, flags->id, flags->days, flags->reason), &PrintOrder);
    });
  });
  CLI::App* approve = sub("approve-extension", "Approve (or --refuse) a requested extension");
  with_id(approve);
  approve->add_flag("--refuse", flags->refuse);
  approve->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      return PrintOrFail(s.DecideExtension(p, flags->id, !flags->refuse), &PrintOrder);
    });
  });
  for (const char* name : {"remind", "supervise"}) {
    CLI::App* c = sub(name, std::string(name) == "remind" ? "催办: remind the open work order"
                                                          : "督办: supervise a late work order");
    with_id(c);
    c->add_option("--note", flags->note);
    const bool supervise = std::string(name) == "supervise";
    c->callback([flags, &ctx, supervise] {
      ctx.exit_code =
          WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
            return PrintOrFail(supervise ? s.Supervise(p, flags->id, flags->note)
                                         : s.Remind(p, flags->id, flags->note),
                               &PrintOrder);
          });
    });
  }
  CLI::App* close = sub("close", "Close the signed work order with its answer");
  with_id(close);
  receiver(close);
  close->add_option("--answer", flags->note);
  close->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      return PrintOrFail(s.Close(p, flags->id, flags->note), &PrintOrder);
    });
  });
  CLI::App* callback = sub("callback", "Record the satisfaction callback (回访)");
  with_id(callback);
  callback->add_flag("--unsatisfied", flags->unsatisfied);
  callback->add_option("--note", flags->note);
  callback->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      return PrintOrFail(s.Callback(p, flags->id, !flags->unsatisfied, flags->note), &PrintDemand);
    });
  });
  CLI::App* reopen = sub("reopen", "Re-open a demand the callback found unsatisfied");
  with_id(reopen);
  reopen->add_option("--reason", flags->reason);
  reopen->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      return PrintOrFail(s.Reopen(p, flags->id, flags->reason), &PrintDemand);
    });
  });

  CLI::App* sweep = sub("sweep", "Remind and supervise late work orders (the scheduler hook)");
  sweep->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal&) {
      auto r = s.Sweep();
      if (!r.ok()) return Fail(r.error());
      std::printf("late to sign %d, reminded %d, supervised %d, callbacks overdue %d\n",
                  r->sign_overdue, r->reminded, r->supervised, r->callbacks_overdue);
      return 0;
    });
  });

  CLI::App* contacts = sub("contacts", "An enterprise's commissioners and liaison cadres");
  contacts->add_option("USCC", flags->uscc)->required();
  contacts->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      auto r = s.Contacts(p, flags->uscc);
      if (!r.ok()) return Fail(r.error());
      PrintContacts(*r);
      return 0;
    });
  });
  CLI::App* assign = sub("assign", "Set an enterprise's commissioners or liaison cadres");
  assign->add_option("USCC", flags->uscc)->required();
  assign->add_option("--kind", flags->kind, "commissioner|liaison")->default_val("commissioner");
  assign->add_option("ACCOUNT", flags->accounts, "staff account ids or usernames");
  assign->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      auto kind = demands::ParseContactKind(flags->kind);
      if (!kind) {
        return Fail(
            Error(ErrorCode::kInvalidArgument, "bad kind", {{"kind", "commissioner or liaison"}}));
      }
      auto r = s.SetContacts(p, flags->uscc, *kind, flags->accounts);
      if (!r.ok()) return Fail(r.error());
      PrintContacts(*r);
      return 0;
    });
  });
  CLI::App* serves = sub("serves", "The enterprises a staff member serves");
  serves->add_option("ACCOUNT", flags->account, "account id or username")->required();
  serves->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      auto r = s.EnterprisesOf(p, flags->account);
      if (!r.ok()) return Fail(r.error());
      PrintContacts(*r);
      return 0;
    });
  });

  CLI::App* stats = sub("stats", "Received / closed / on time / satisfied per receiver");
  stats->add_option("--region", flags->region);
  stats->add_option("--from", flags->from, "YYYY-MM-DD")->required();
  stats->add_option("--to", flags->to, "YYYY-MM-DD")->required();
  stats->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](demands::DemandService& s, const people::Principal& p) {
      auto from = Date::Parse(flags->from, "from");
      if (!from.ok()) return Fail(from.error());
      auto to = Date::Parse(flags->to, "to");
      if (!to.ok()) return Fail(to.error());
      auto r = s.Statistics(p, {.region = flags->region, .from = *from, .to = *to});
      if (!r.ok()) return Fail(r.error());
      std::printf("receiver\treceived\tclosed\ton_time\tcallbacks\tsatisfied\n");
      for (const auto& row : *r) {
        std::printf("%s\t%lld\t%lld\t%lld\t%lld\t%lld\n", row.receiver.c_str(),
                    static_cast<long long>(row.received), static_cast<long long>(row.closed),
                    static_cast<long long>(row.on_time), static_cast<long long>(row.callbacks),
                    static_cast<long long>(row.satisfied));
      }
      return 0;
    });
  });
}

}  // namespace tongban::cli
