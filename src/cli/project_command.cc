// tongban project check-code|register|list|show|start|decide|pre-review|exempt|pause|stats|
// sweep|delegations: construction projects (工程建设项目) from the command line. The operator
// holds the database, so the command acts as "cli:<user>" with every project permission
// everywhere (--account names the service commissioner for flow-table work).
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "app/app.h"
#include "base/clock.h"
#include "cli/command.h"
#include "projects/service.h"

namespace tongban::cli {
namespace {

struct ProjectFlags {
  DatabaseFlags db;
  std::string id;
  std::string code;
  projects::RegisterInput input;
  int stage = 0;
  std::string matter;
  std::string text;
  bool deny = false;
  std::string kind;
  std::string from;
  std::string to;
  std::string region;
  std::string account;
  int limit = 200;
};

struct Opened {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<projects::ProjectService> service;
};

Result<Opened> Open(const ProjectFlags& f) {
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(f.db));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  Opened o;
  TB_ASSIGN_OR_RETURN(o.db, store::Database::Open(url, store::Database::Options{.pool_size = 2}));
  TB_ASSIGN_OR_RETURN(auto sets, app::App::AllMigrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& s : sets) ptrs.push_back(&s);
  TB_RETURN_IF_ERROR(o.db->Migrate(ptrs));
  TB_ASSIGN_OR_RETURN(o.service, projects::ProjectService::Create(*o.db, {}));
  return o;
}

people::Principal Operator(const ProjectFlags& f) {
  people::Principal p;
  const char* user = std::getenv("USER");
  p.account.id =
      !f.account.empty() ? f.account : fmt::format("cli:{}", user != nullptr ? user : "operator");
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant g;
  g.grant.scope.region = "*";
  g.permissions = {"project.configure", "project.escalate", "project.flow_table", "project.read",
                   "project.register",  "project.review",   "report.read"};
  p.grants.push_back(g);
  return p;
}

void PrintClock(const char* label, const projects::ProjectClock& c) {
  std::printf("%s\t%s\tused %d of %d working days (elapsed %d)", label, c.status.c_str(),
              c.used_days, c.budget_days, c.elapsed_days);
  for (const auto& [kind, days] : c.paused_days) std::printf("\t%s %d", kind.c_str(), days);
  std::printf("\n");
}

void PrintRecord(const projects::ProjectRecord& r) {
  const projects::Project& p = r.project;
  std::printf("%s\t%s\t%s\t%s\t%s\t%s\n", p.id.c_str(), p.code.c_str(),
              std::string(projects::ProjectTypeName(p.type)).c_str(), p.state.c_str(),
              p.region.c_str(), p.name.c_str());
  PrintClock("project", r.clock);
  for (size_t i = 0; i < r.stages.size(); ++i) {
    const auto& st = r.stages[i];
    PrintClock(
        fmt::format("stage {} {} {}", st.seq, st.title, projects::StageStateName(st.state)).c_str(),
        r.stage_clocks[i]);
    for (const auto& m : r.matters) {
      if (m.stage != st.seq) continue;
      std::printf("  %s\t%s\t%s\tlimit %d (legal %d)\t%s\t%s\n", m.code.c_str(),
                  std::string(projects::MatterStateName(m.state)).c_str(), m.department.c_str(),
                  m.limit_days, m.legal_days, m.title.c_str(), m.basis.c_str());
    }
  }
}

template <typename Run>
int WithService(const ProjectFlags& f, const Run& run) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  return run(*o->service, Operator(f));
}

}  // namespace

void AddProjectCommands(CLI::App& cli, Context& ctx) {
  auto flags = std::make_shared<ProjectFlags>();
  CLI::App* project = cli.add_subcommand("project", "Construction projects (工程建设项目审批)");
  project->require_subcommand(1);
  auto sub = [&](const char* name, const char* help) {
    CLI::App* c = project->add_subcommand(name, help);
    AddDatabaseFlags(c, flags->db);
    return c;
  };

  CLI::App* check = project->add_subcommand("check-code", "Check an investment project code");
  check->add_option("CODE", flags->code)->required();
  check->callback([flags, &ctx] {
    const int year = CivilFromDays(TodayInChina(SystemClock::Instance()).days()).year;
    auto r = projects::ParseProjectCode(flags->code, year);
    if (!r.ok()) {
      ctx.exit_code = 1;
      std::printf("invalid\t%s\n", r.error().fields().empty()
                                       ? r.error().message().c_str()
                                       : r.error().fields()[0].message.c_str());
      return;
    }
    std::printf("valid\t%s\tyear %d\tregion %s\tdepartment %s\ttype %s\trandom %s\n",
                r->normalized.c_str(), r->year, r->region.c_str(), r->department.c_str(),
                r->type.c_str(), r->random.c_str());
    for (const std::string& note : r->unverified) std::printf("unverified\t%s\n", note.c_str());
  });

  CLI::App* reg = sub("register", "Register a project");
  reg->add_option("--code", flags->input.code, "投资项目统一代码")->required();
  reg->add_option("--name", flags->input.name)->required();
  reg->add_option("--uscc", flags->input.uscc, "the owner enterprise")->required();
  reg->add_option("--enterprise-name", flags->input.enterprise_name);
  reg->add_option("--region", flags->input.region, "default: the code's region");
  reg->add_option("--type", flags->input.type,
                  "government_investment|social_investment|small_low_risk")
      ->required();
  reg->add_option("--commissioner", flags->input.commissioner, "the commissioner's account id");
  reg->callback([flags, &ctx] {
    ctx.exit_code =
        WithService(*flags, [&](projects::ProjectService& s, const people::Principal& p) {
          auto r = s.Register(p, flags->input);
          if (!r.ok()) return Fail(r.error());
          PrintRecord(*r);
          return 0;
        });
  });

  CLI::App* list = sub("list", "List projects, newest first");
  list->add_option("--region", flags->region);
  list->add_option("--limit", flags->limit)->default_val(200);
  list->callback([flags, &ctx] {
    ctx.exit_code =
        WithService(*flags, [&](projects::ProjectService& s, const people::Principal& p) {
          auto r = s.List(p, {.region = flags->region, .limit = flags->limit});
          if (!r.ok()) return Fail(r.error());
          for (const auto& x : *r) {
            std::printf("%s\t%s\t%s\tstage %d\t%d/%d days\t%s\n", x.project.id.c_str(),
                        x.project.code.c_str(), x.project.state.c_str(), x.current_stage,
                        x.used_days, x.project.budget_days, x.project.name.c_str());
          }
          return 0;
        });
  });

  CLI::App* show = sub("show", "A project with its stages, matters and clocks");
  show->add_option("ID", flags->id)->required();
  show->callback([flags, &ctx] {
    ctx.exit_code =
        WithService(*flags, [&](projects::ProjectService& s, const people::Principal& p) {
          auto r = s.Get(p, flags->id);
          if (!r.ok()) return Fail(r.error());
          PrintRecord(*r);
          return 0;
        });
  });

  CLI::App* start = sub("start", "Start a stage (its predecessor's results required)");
  start->add_option("ID", flags->id)->required();
  start->add_option("STAGE", flags->stage)->required();
  start->callback([flags, &ctx] {
    ctx.exit_code =
        WithService(*flags, [&](projects::ProjectService& s, const people::Principal& p) {
          auto r = s.StartStage(p, flags->id, flags->stage, {});
          if (!r.ok()) return Fail(r.error());
          PrintRecord(*r);
          return 0;
        });
  });

  CLI::App* decide = sub("decide", "Decide a matter under review");
  decide->add_option("ID", flags->id)->required();
  decide->add_option("MATTER", flags->matter)->required();
  decide->add_flag("--deny", flags->deny);
  decide->add_option("--note", flags->text);
  decide->callback([flags, &ctx] {
    ctx.exit_code =
        WithService(*flags, [&](projects::ProjectService& s, const people::Principal& p) {
          auto r = s.Decide(p, flags->id, flags->matter, !flags->deny, flags->text);
          if (!r.ok()) return Fail(r.error());
          std::printf("%s\t%s\t%s\n", r->code.c_str(),
                      std::string(projects::MatterStateName(r->state)).c_str(),
                      r->document_number.c_str());
          return 0;
        });
  });

  CLI::App* pre = sub("pre-review", "Pre-review a matter of a later stage (提前审)");
  pre->add_option("ID", flags->id)->required();
  pre->add_option("MATTER", flags->matter)->required();
  pre->add_option("--findings", flags->text)->required();
  pre->callback([flags, &ctx] {
    ctx.exit_code =
        WithService(*flags, [&](projects::ProjectService& s, const people::Principal& p) {
          auto r = s.PreReview(p, flags->id, flags->matter, flags->text);
          if (!r.ok()) return Fail(r.error());
          std::printf("%s\t%s\n", r->code.c_str(),
                      std::string(projects::MatterStateName(r->state)).c_str());
          return 0;
        });
  });

  CLI::App* exempt = sub("exempt", "Exempt a matter by a regional assessment (极简审)");
  exempt->add_option("ID", flags->id)->required();
  exempt->add_option("MATTER", flags->matter)->required();
  exempt->add_option("--assessment", flags->text, "the 区域评估's id");
  exempt->callback([flags, &ctx] {
    ctx.exit_code =
        WithService(*flags, [&](projects::ProjectService& s, const people::Principal& p) {
          auto r = s.Exempt(p, flags->id, flags->matter, flags->text);
          if (!r.ok()) return Fail(r.error());
          std::printf("%s\t%s\t%s\n", r->code.c_str(),
                      std::string(projects::MatterStateName(r->state)).c_str(), r->basis.c_str());
          return 0;
        });
  });

  CLI::App* pause = sub("pause", "Record a pause of the clock");
  pause->add_option("ID", flags->id)->required();
  pause
      ->add_option("--kind", flags->kind,
                   "intermediary|utility|public_notice|hearing|expert_review|correction")
      ->required();
  pause->add_option("--stage", flags->stage, "0: the whole project")->default_val(0);
  pause->add_option("--from", flags->from);
  pause->add_option("--to", flags->to);
  pause->callback([flags, &ctx] {
    ctx.exit_code =
        WithService(*flags, [&](projects::ProjectService& s, const people::Principal& p) {
          auto r = s.RecordPause(p, flags->id,
                                 {.stage = flags->stage,
                                  .kind = flags->kind,
                                  .from = flags->from,
                                  .to = flags->to,
                                  .note = ""});
          if (!r.ok()) return Fail(r.error());
          std::printf("pause %lld\t%s\t%s\t%s\n", static_cast<long long>(r->id),
                      std::string(projects::PauseKindName(r->kind)).c_str(), r->from.c_str(),
                      r->to.empty() ? "open" : r->to.c_str());
          return 0;
        });
  });

  CLI::App* stats = sub("stats", "Projects per stage, days against budget, savings");
  stats->add_option("--region", flags->region)->default_val("430603");
  stats->callback([flags, &ctx] {
    ctx.exit_code =
        WithService(*flags, [&](projects::ProjectService& s, const people::Principal& p) {
          auto r = s.Statistics(p, flags->region);
          if (!r.ok()) return Fail(r.error());
          std::printf("projects\t%d\ncompleted\t%d\n", r->projects, r->completed);
          for (const auto& [stage, n] : r->per_stage) {
            std::printf("%s\t%d\n",
                        stage == 0 ? "stage done" : fmt::format("stage {}", stage).c_str(), n);
          }
          std::printf("working days used / budget (completed)\t%d / %d\n", r->used_days_total,
                      r->budget_days_total);
          std::printf("legal limits (completed)\t%d\nover budget\t%d\n", r->legal_days_total,
                      r->over_budget);
          std::printf(
              "matters removed\t%d\nmatters exempted\t%d\ndays saved\t%d\nfees saved\t%.2f "
              "yuan\n",
              r->savings.matters_removed, r->savings.matters_exempted, r->savings.days_saved,
              static_cast<double>(r->savings.fees_saved_fen) / 100);
          return 0;
        });
  });

  CLI::App* sweep = sub("sweep", "Issue the supervision cards of late projects now");
  sweep->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](projects::ProjectService& s, const people::Principal&) {
      auto r = s.Sweep();
      if (!r.ok()) return Fail(r.error());
      std::printf("warnings\t%d\nyellow cards\t%d\nred cards\t%d\n", r->warnings, r->yellow_cards,
                  r->red_cards);
      return 0;
    });
  });

  CLI::App* delegations = sub("delegations", "Matters delegated to parks (赋权)");
  delegations->add_option("--region", flags->region);
  delegations->add_option("--on", flags->from, "valid on this day");
  delegations->callback([flags, &ctx] {
    ctx.exit_code = WithService(*flags, [&](projects::ProjectService& s, const people::Principal&) {
      auto r = s.Delegations(flags->region, flags->from);
      if (!r.ok()) return Fail(r.error());
      for (const auto& d : *r) {
        std::printf("%s\t%s\t%s → %s\t%s … %s\t%s\n", d.region.c_str(), d.matter.c_str(),
                    d.from_department.c_str(), d.to_department.c_str(),
                    d.valid_from.ToString().c_str(), d.valid_to.ToString().c_str(),
                    d.basis.c_str());
      }
      return 0;
    });
  });
}

}  // namespace tongban::cli
