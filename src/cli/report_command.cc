// tongban report show | verify | rebuild | assessment: the KPI report of a region and period (a
// table, CSV or XLSX), the check that the pre-aggregated figures equal a recomputation from the
// case table, the rebuild of those aggregates (after `case generate`, or to repair), and the
// month's staff assessment (绩效考核) per department or person. The operator holds the database,
// so reports run without a caller.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "app/app.h"
#include "assessment/figures.h"
#include "assessment/service.h"
#include "cli/command.h"
#include "kpi/service.h"

namespace tongban::cli {
namespace {

struct ReportSession {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<catalog::CatalogService> catalog;
  std::unique_ptr<kpi::KpiService> kpi;
};

Result<std::unique_ptr<ReportSession>> Open(const DatabaseFlags& flags) {
  if (!spdlog::get("tongban")) spdlog::set_default_logger(spdlog::stderr_color_mt("tongban"));
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(flags));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  auto s = std::make_unique<ReportSession>();
  TB_ASSIGN_OR_RETURN(s->db, store::Database::Open(url, {.pool_size = 2}));
  TB_ASSIGN_OR_RETURN(auto sets, app::App::AllMigrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& set : sets) ptrs.push_back(&set);
  TB_ASSIGN_OR_RETURN(int applied, s->db->Migrate(ptrs));
  (void)applied;
  TB_ASSIGN_OR_RETURN(s->catalog, catalog::CatalogService::Create(*s->db));
  TB_ASSIGN_OR_RETURN(s->kpi, kpi::KpiService::Create(*s->db, *s->catalog, {}));
  for (auto& figures : assessment::OversightFigures()) s->kpi->AddProvider(std::move(figures));
  return s;
}

struct ReportFlags {
  DatabaseFlags db;
  kpi::ReportQuery query;
  std::string period;
  std::string format = "table";
  std::string out;
};

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<int> Show(ReportFlags f) {
  if (f.period.empty()) f.period = TodayInChina(SystemClock::Instance()).ToString().substr(0, 4);
  TB_ASSIGN_OR_RETURN(auto range, kpi::ParsePeriod(f.period, "--period"));
  f.query.from = range.first;
  f.query.to = range.second;
  if (f.format != "table" && f.format != "csv" && f.format != "xlsx") {
    return Error(ErrorCode::kInvalidArgument, "the format is invalid",
                 {{"--format", "must be table, csv or xlsx"}});
  }
  if (f.format == "xlsx" && f.out.empty()) {
    return Error(ErrorCode::kInvalidArgument, "an XLSX report needs a file",
                 {{"--out", "name the .xlsx file to write"}});
  }
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  const auto start = std::chrono::steady_clock::now();
  TB_ASSIGN_OR_RETURN(kpi::Report r, s->kpi->BuildReport(f.query));
  const double seconds = Seconds(start);
  if (f.format == "xlsx") {
    TB_RETURN_IF_ERROR(kpi::WriteReportXlsx(r, f.out));
    fmt::print("{} figures written to {}\n", r.figures.size(), f.out);
    return 0;
  }
  if (f.format == "csv") {
    fmt::print("{}", kpi::ReportCsv(r));
    return 0;
  }
  fmt::print("report {}..{} region {} (year earlier {}..{}), {:.3f} s\n", r.query.from.ToString(),
             r.query.to.ToString(), r.query.region.empty() ? "*" : r.query.region,
             r.previous_from.ToString(), r.previous_to.ToString(), seconds);
  for (const kpi::Figure& fig : r.figures) {
    std::string labels;
    for (const auto& [k, v] : fig.labels) labels += fmt::format(" {}={}", k, v);
    if (fig.kind == kpi::FigureKind::kCount) {
      fmt::print("{:<9} {:<40} {:>14}  {}{}\n", fig.provider, fig.name, fig.numerator, fig.title,
                 labels);
    } else {
      const std::optional<double> value = fig.Value();
      fmt::print("{:<9} {:<40} {:>14}  {} ({}/{}){}\n", fig.provider, fig.name,
                 value ? fmt::format("{:.2f}", *value) : std::string("-"), fig.title, fig.numerator,
                 fig.denominator, labels);
    }
  }
  return 0;
}

Result<int> Verify(const DatabaseFlags& flags) {
  TB_ASSIGN_OR_RETURN(auto s, Open(flags));
  const auto start = std::chrono::steady_clock::now();
  TB_ASSIGN_OR_RETURN(kpi::VerifyResult v, s->kpi->Verify());
  for (const std::string& d : v.differences) fmt::print(stderr, "{}\n", d);
  fmt::print("{}: {} case(s), {} aggregate row(s), {} difference(s), {:.1f} s\n",
             v.differences.empty() ? "exact" : "DIFFERENT", v.cases, v.rows, v.differences.size(),
             Seconds(start));
  return v.differences.empty() ? 0 : 1;
}

Result<int> Rebuild(const DatabaseFlags& flags) {
  TB_ASSIGN_OR_RETURN(auto s, Open(flags));
  const auto start = std::chrono::steady_clock::now();
  TB_ASSIGN_OR_RETURN(int64_t n, s->kpi->Rebuild());
  fmt::print("{} case(s) counted in {:.1f} s\n", n, Seconds(start));
  return 0;
}

struct AssessmentFlags {
  DatabaseFlags db;
  assessment::Query query;
  std::string by = "department";
  std::string format = "table";
  std::vector<std::string> rules;
};

Result<int> Assessment(AssessmentFlags f) {
  FieldErrors errors;
  std::optional<assessment::AssessBy> by = assessment::ParseAssessBy(f.by);
  if (!by) errors.Add("--by", "must be department or person");
  if (f.format != "table" && f.format != "csv") errors.Add("--format", "must be table or csv");
  assessment::Options options;
  for (const std::string& path : f.rules) {
    std::ifstream in(path);
    if (!in) {
      errors.Add("--rules", "cannot read " + path);
      continue;
    }
    std::stringstream text;
    text << in.rdbuf();
    options.rule_files.push_back(text.str());
  }
  if (!errors.empty()) return errors.ToError("the assessment request is invalid");
  f.query.by = *by;
  TB_ASSIGN_OR_RETURN(auto s, Open(f.db));
  TB_ASSIGN_OR_RETURN(auto service, assessment::AssessmentService::Create(*s->db, options));
  TB_ASSIGN_OR_RETURN(assessment::Report r, service->BuildReport(f.query));
  if (f.format == "csv") {
    fmt::print("{}", assessment::ReportCsv(r));
    return 0;
  }
  fmt::print("assessment {} region {} by {}: {} row(s)\n", f.query.month,
             f.query.region.empty() ? "*" : f.query.region, f.by, r.rows.size());
  fmt::print("{:<24} {:>5} {:>5} {:>5} {:>7} {:>8} {:>8} {:>8} {:>8}  {}\n", f.by, "warn", "yel",
             "red", "ratings", "good%", "rect%", "satis%", "score", "grade");
  auto pct = [](const assessment::Row& row, assessment::Input i) {
    std::optional<double> p = assessment::RateOf(row.inputs, i).Percent();
    return p ? fmt::format("{:.2f}", *p) : std::string("-");
  };
  for (const assessment::Row& row : r.rows) {
    using assessment::Input;
    fmt::print("{:<24} {:>5} {:>5} {:>5} {:>7} {:>8} {:>8} {:>8} {:>8.2f}  {}\n", row.key,
               At(row.inputs, Input::kWarnings), At(row.inputs, Input::kYellowCards),
               At(row.inputs, Input::kRedCards), At(row.inputs, Input::kRatings),
               pct(row, Input::kGoodRate), pct(row, Input::kRectificationRate),
               pct(row, Input::kSatisfactionRate), row.score, row.grade);
  }
  return 0;
}

}  // namespace

void AddReportCommands(CLI::App& cli, Context& ctx) {
  CLI::App* group = cli.add_subcommand("report", "KPI reports (统计) from the case records");
  group->require_subcommand(1);
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* show = group->add_subcommand("show", "the report of a region, department and period");
  show->add_option("--region", flags->query.region, "a region code (its subtree)");
  show->add_option("--department", flags->query.department, "a department code");
  show->add_option("--matter", flags->query.matter, "an implementation item code");
  show->add_option("--channel", flags->query.channel, "online, mobile, window, kiosk …");
  show->add_option("--window", flags->query.window, "a window code");
  show->add_option("--period", flags->period,
                   "YYYY, YYYY-Qn, YYYY-MM, YYYY-MM-DD or FROM..TO (default this year)");
  show->add_option("--format", flags->format, "table (default), csv or xlsx");
  show->add_option("--out", flags->out, "the file an XLSX report is written to");
  AddDatabaseFlags(show, flags->db);
  show->callback([flags, &ctx] {
    auto r = Show(*flags);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });
  CLI::App* verify = group->add_subcommand(
      "verify", "recompute the aggregates from the case table and compare (exit 1 if different)");
  AddDatabaseFlags(verify, flags->db);
  verify->callback([flags, &ctx] {
    auto r = Verify(flags->db);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });
  CLI::App* rebuild =
      group->add_subcommand("rebuild", "recompute every aggregate from the case table");
  AddDatabaseFlags(rebuild, flags->db);
  rebuild->callback([flags, &ctx] {
    auto r = Rebuild(flags->db);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });
  auto af = std::make_shared<AssessmentFlags>();
  CLI::App* assess = group->add_subcommand(
      "assessment", "the month's staff assessment (绩效考核) per department or person");
  assess->add_option("--month", af->query.month, "YYYY-MM")->required();
  assess->add_option("--by", af->by, "department (default) or person");
  assess->add_option("--region", af->query.region, "a region code (its subtree)");
  assess->add_option("--department", af->query.department, "a department code");
  assess->add_option("--format", af->format, "table (default) or csv");
  assess->add_option("--rules", af->rules,
                     "scoring rule set YAML files to use instead of data/assessment");
  AddDatabaseFlags(assess, af->db);
  assess->callback([af, &ctx] {
    auto r = Assessment(*af);
    ctx.exit_code = r.ok() ? *r : Fail(r.error());
  });
}

}  // namespace tongban::cli
