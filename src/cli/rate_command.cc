// tongban rate list | statistics | rectifications | invite-due | simulate: 好差评 for the
// operator, who holds the database and so acts with evaluation.read over the whole installation.
// invite-due queues the SMS invitations in the case notice outbox (the server sends them);
// simulate plays an applicant pressing the rating device at the end of a visit (demo, tests).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/app.h"
#include "cli/command.h"
#include "devices/rating_device.h"
#include "evaluation/service.h"
#include "people/timestamp.h"

namespace tongban::cli {
namespace {

namespace ev = evaluation;

struct Session {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<trace::Trace> trace;
  devices::SimulatedRatingDevice device;
  std::unique_ptr<ev::EvaluationService> service;
};

Result<std::unique_ptr<Session>> Open(const DatabaseFlags& flags) {
  if (!spdlog::get("tongban")) spdlog::set_default_logger(spdlog::stderr_color_mt("tongban"));
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
  std::vector<ev::RegionLimit> limits;
  int default_days = 15;
  TB_RETURN_IF_ERROR(ev::ParseRegionLimits(config.rectification_limits, limits, default_days));
  TB_ASSIGN_OR_RETURN(s->service,
                      ev::EvaluationService::Create(*s->db, {.trace = s->trace.get(),
                                                             .device = &s->device,
                                                             .default_limit_days = default_days,
                                                             .limits = std::move(limits)}));
  return s;
}

// The operator: evaluation.read and case.accept over every region, department and matter.
people::Principal Operator() {
  people::Principal p;
  p.account.id = "operator";
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant g;
  g.grant.id = "operator";
  g.grant.role = "operator";
  g.permissions = {"case.accept", "evaluation.read"};
  p.grants.push_back(std::move(g));
  return p;
}

std::string Percent(std::optional<double> r) {
  return r ? fmt::format("{:.2f}%", *r * 100) : std::string("-");
}

struct Flags {
  DatabaseFlags db;
  ev::EvaluationQuery list;
  bool bad = false;
  std::string by = "department", region, from, to, state;
  bool json = false, overdue = false;
  std::string visit, case_number, window, level, text;
  std::vector<std::string> tags;
};

Result<int> List(const Flags& f) {
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  ev::EvaluationQuery q = f.list;
  q.bad_only = f.bad;
  TB_ASSIGN_OR_RETURN(ev::EvaluationPage page, s->service->ListEvaluations(Operator(), q));
  for (const ev::Evaluation& e : page.items) {
    fmt::print("{}  {}  {:<8} {:<20} {}  {}{}\n", people::FormatTimestamp(e.created_at), e.id,
               ev::SourceName(e.source), ev::LevelName(e.level), e.department,
               e.case_number.empty() ? e.window : e.case_number, e.voided ? "  (voided)" : "");
  }
  if (!page.next_cursor.empty()) fmt::print("next: --cursor {}\n", page.next_cursor);
  return 0;
}

Result<int> Statistics(const Flags& f) {
  FieldErrors errors;
  ev::StatisticsQuery q;
  if (auto d = ev::ParseDimension(f.by)) {
    q.by = *d;
  } else {
    errors.Add("--by", "must be department, matter, window or region");
  }
  q.region = f.region;
  if (!f.from.empty()) {
    if (auto d = Date::Parse(f.from, "--from"); d.ok()) {
      q.from = *d;
    } else {
      errors.Add("--from", "must be YYYY-MM-DD");
    }
  }
  if (!f.to.empty()) {
    if (auto d = Date::Parse(f.to, "--to"); d.ok()) {
      q.to = *d;
    } else {
      errors.Add("--to", "must be YYYY-MM-DD");
    }
  }
  if (!errors.empty()) return errors.ToError("the statistics query is invalid");
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  TB_ASSIGN_OR_RETURN(ev::Statistics stats, s->service->ComputeStatistics(q));
  if (f.json) {
    auto row = [](const ev::StatisticsRow& r) {
      return nlohmann::json{{"key", r.key},
                            {"rated", r.rated},
                            {"good", r.good},
                            {"bad", r.bad},
                            {"unrated", r.unrated},
                            {"rectified", r.rectified},
                            {"named_bad", r.named_bad},
                            {"called_back", r.called_back}};
    };
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : stats.rows) rows.push_back(row(r));
    fmt::print("{}\n", nlohmann::json{{"rows", rows}, {"total", row(stats.total)}}.dump());
    return 0;
  }
  fmt::print("{:<36} {:>6} {:>6} {:>5} {:>8} {:>9} {:>11} {:>9}\n", f.by, "rated", "good", "bad",
             "unrated", "good rate", "rectified", "callback");
  auto print = [](const std::string& key, const ev::StatisticsRow& r) {
    fmt::print("{:<36} {:>6} {:>6} {:>5} {:>8} {:>9} {:>11} {:>9}\n", key, r.rated, r.good, r.bad,
               r.unrated, Percent(r.good_rate), Percent(r.rectification_rate),
               Percent(r.callback_rate));
  };
  for (const auto& r : stats.rows) print(r.key, r);
  print("total", stats.total);
  return 0;
}

Result<int> Rectifications(const Flags& f) {
  ev::RectificationQuery q;
  q.region = f.region;
  q.overdue = f.overdue;
  if (!f.state.empty()) {
    q.state = ev::ParseRectificationState(f.state);
    if (!q.state) {
      return Error(ErrorCode::kInvalidArgument, "the listing is invalid",
                   {{"--state", "must be open, rectified, explained, appealed or voided"}});
    }
  }
  q.limit = 500;
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  TB_ASSIGN_OR_RETURN(auto items, s->service->ListRectifications(Operator(), q));
  for (const ev::Rectification& r : items) {
    fmt::print("{}  {:<10} due {}{}  {}  {}  {}\n", r.id, ev::RectificationStateName(r.state),
               r.due_on.ToString(), r.overdue ? " OVERDUE" : "", r.department,
               ev::LevelName(r.level), r.callback_at != 0 ? "called back" : "not called back");
  }
  return 0;
}

Result<int> InviteDue(const Flags& f) {
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  TB_ASSIGN_OR_RETURN(int n, s->service->InviteDue());
  fmt::print("{} invitation(s) queued\n", n);
  return 0;
}

Result<int> Simulate(const Flags& f) {
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  std::string visit = f.visit;
  if (visit.empty()) {
    if (f.case_number.empty() || f.window.empty()) {
      return Error(ErrorCode::kInvalidArgument, "the simulation is invalid",
                   {{"--visit", "or --case and --window are required"}});
    }
    TB_ASSIGN_OR_RETURN(
        ev::Visit v,
        s->service->OpenVisit(Operator(), {.case_number = f.case_number, .window = f.window}));
    visit = v.id;
  }
  TB_ASSIGN_OR_RETURN(ev::Visit v, s->service->GetVisit(visit));
  s->device.Press(v.terminal, {.level = f.level, .tags = f.tags, .text = f.text});
  TB_ASSIGN_OR_RETURN(ev::RatingRequestResult r,
                      s->service->RequestVisitRating(Operator(), visit, ev::RatingMethod::kDevice));
  fmt::print("visit {} rated {} on the device ({}){}\n", visit, f.level, r.evaluation->id,
             r.evaluation->rectification_id.empty()
                 ? ""
                 : fmt::format("; rectification {}", r.evaluation->rectification_id));
  return 0;
}

}  // namespace

void AddRateCommands(CLI::App& cli, Context& ctx) {
  CLI::App* group = cli.add_subcommand("rate", "好差评: ratings, rectification, statistics");
  group->require_subcommand(1);
  auto flags = std::make_shared<Flags>();
  auto run = [&ctx, flags](Result<int> (*fn)(const Flags&)) {
    return [&ctx, flags, fn] {
      auto r = fn(*flags);
      ctx.exit_code = r.ok() ? *r : Fail(r.error());
    };
  };

  CLI::App* list = group->add_subcommand("list", "ratings, newest first");
  list->add_option("--region", flags->list.region, "a region code (its subtree)");
  list->add_option("--department", flags->list.department, "a department code");
  list->add_flag("--bad", flags->bad, "only bad ratings");
  list->add_option("--limit", flags->list.limit, "1 to 500");
  list->add_option("--cursor", flags->list.before, "the next page's cursor");
  AddDatabaseFlags(list, flags->db);
  list->callback(run(&List));

  CLI::App* stats = group->add_subcommand("statistics", "good-rating, rectification, callback");
  stats->add_option("--by", flags->by, "department, matter, window or region");
  stats->add_option("--region", flags->region, "a region code (its subtree)");
  stats->add_option("--from", flags->from, "first day (YYYY-MM-DD, CST)");
  stats->add_option("--to", flags->to, "last day (YYYY-MM-DD, CST)");
  stats->add_flag("--json", flags->json, "print JSON");
  AddDatabaseFlags(stats, flags->db);
  stats->callback(run(&Statistics));

  CLI::App* rect = group->add_subcommand("rectifications", "rectification items, earliest due");
  rect->add_option("--state", flags->state, "open, rectified, explained, appealed, voided");
  rect->add_option("--region", flags->region, "a region code (its subtree)");
  rect->add_flag("--overdue", flags->overdue, "only items past their due day");
  AddDatabaseFlags(rect, flags->db);
  rect->callback(run(&Rectifications));

  CLI::App* invite = group->add_subcommand(
      "invite-due", "queue the SMS invitations of cases unrated 3 days after they ended");
  AddDatabaseFlags(invite, flags->db);
  invite->callback(run(&InviteDue));

  CLI::App* simulate = group->add_subcommand(
      "simulate", "an applicant presses the simulated rating device at the end of a visit");
  simulate->add_option("--visit", flags->visit, "a visit id (or --case and --window)");
  simulate->add_option("--case", flags->case_number, "open a visit of this case");
  simulate->add_option("--window", flags->window, "the window of the visit opened");
  simulate->add_option("--level", flags->level, "very_satisfied … very_dissatisfied")->required();
  simulate->add_option("--tag", flags->tags, "a tag of the level (repeatable)");
  simulate->add_option("--text", flags->text, "what the applicant typed");
  AddDatabaseFlags(simulate, flags->db);
  simulate->callback(run(&Simulate));
}

}  // namespace tongban::cli
